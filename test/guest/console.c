/* SPDX-License-Identifier: MIT */
/* 16550 UART driver (polled, port I/O) and console_printf. */
#include "arch.h"
#include "console.h"

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding register */
#define UART_IER 1
#define UART_DLL 0 /* divisor latch, with LCR.DLAB */
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20

void console_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB */
	outb(COM1 + UART_DLL, 0x01); /* 115200 baud */
	outb(COM1 + UART_DLM, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void console_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the guest. */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		;
	outb(COM1 + UART_THR, (u8)c);
}

void console_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

void console_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	format(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_puts(buf);
}
