// SPDX-License-Identifier: MIT
/*
 * A 16550 UART whose transmitter is the hypervisor console.  The guest
 * polls LSR for "transmitter empty" and writes THR, or lets the
 * "transmitter empty" interrupt (IER.ETBEI) pace it; the model says the
 * transmitter is always empty (a written byte has left at once) and
 * collects bytes into lines, so the console sees one write per line rather
 * than one hypercall per byte.  That interrupt is raised as a 16550 raises
 * it: when ETBEI is enabled while the transmitter is empty and each time a
 * byte written to THR has gone (the line falls at the write and rises
 * again: an edge for the PIC); reading IIR while it is the interrupt shown
 * clears it.  There is no receiver (reads of RBR give 0, LSR never shows
 * data ready, no receive or line-status interrupts); loopback is not
 * modelled.
 */
#include "vmm/devices.h"
#include "vmm/vmm.h"

#define UART_LCR_DLAB 0x80
#define UART_IER_ETBEI 0x02
#define UART_IIR_NONE 0x01
#define UART_IIR_THRE 0x02
#define UART_MCR_OUT2 0x08
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_DCD 0x80

void vmm_uart_init(struct vmm_uart *u)
{
	u->ier = u->lcr = u->mcr = u->scr = 0;
	u->thre_pending = u->line_dropped = 0;
	u->dll = 1; /* 115200 baud */
	u->dlm = 0;
	u->fill = 0;
}

void vmm_uart_flush(struct vmm_uart *u, const struct vmm_backend *b)
{
	if (u->fill && b && b->console_write)
		b->console_write(b->ctx, u->buf, u->fill);
	u->fill = 0;
}

static int thre_shown(const struct vmm_uart *u)
{
	return u->thre_pending && (u->ier & UART_IER_ETBEI);
}

int vmm_uart_irq(const struct vmm_uart *u)
{
	return thre_shown(u) && (u->mcr & UART_MCR_OUT2);
}

uint8_t vmm_uart_io_read(struct vmm_uart *u, unsigned reg)
{
	int dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case 0:
		return dlab ? u->dll : 0;
	case 1:
		return dlab ? u->dlm : u->ier;
	case 2: /* IIR */
		if (!thre_shown(u))
			return UART_IIR_NONE;
		u->thre_pending = 0;
		u->line_dropped = 1;
		return UART_IIR_THRE;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case 6:
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	default:
		return u->scr;
	}
}

void vmm_uart_io_write(struct vmm_uart *u, unsigned reg, uint8_t value,
		       const struct vmm_backend *b)
{
	int dlab = u->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case 0:
		if (dlab) {
			u->dll = value;
			break;
		}
		u->buf[u->fill++] = (char)value;
		if (value == '\n' || u->fill == sizeof(u->buf))
			vmm_uart_flush(u, b);
		u->line_dropped = 1; /* the write clears THRE, the byte leaves, */
		u->thre_pending = 1; /* and THRE is raised again */
		break;
	case 1:
		if (dlab)
			u->dlm = value;
		else {
			if ((value & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
				u->thre_pending = 1; /* enabled with the transmitter empty */
			u->ier = value & 0x0f;
		}
		break;
	case 2: /* FCR: the FIFO is not modelled */
		break;
	case 3:
		u->lcr = value;
		break;
	case 4:
		u->mcr = value & 0x1f;
		break;
	case 7:
		u->scr = value;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}
