/* SPDX-License-Identifier: MIT */
/* PIC and PIT programming (port I/O) and the timer interrupt handler. */
#include "arch.h"
#include "irq.h"
#include "traps.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20
#define PIC_READ_IRR 0x0a
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182

volatile u64 timer_ticks;
volatile u64 user_tick_cs, user_tick_frame;
volatile u64 timer_tsc;
volatile u64 timer_rip;
volatile u64 user_tick_seen __attribute__((section(".user.data")));
static volatile u64 other_irqs;

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VECTOR_IRQ_BASE);     /* ICW2: vector base */
	outb(PIC2_DATA, VECTOR_IRQ_BASE + 8);
	outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	outb(PIC1_CMD, PIC_READ_IRR); /* later reads of PIC1_CMD return IRR */
}

void timer_start(void)
{
	u16 divisor = PIT_HZ / TIMER_HZ;
	outb(PIT_CMD, 0x34); /* channel 0, lo/hi byte, mode 2 (rate generator) */
	outb(PIT_CH0, (u8)divisor);
	outb(PIT_CH0, (u8)(divisor >> 8));
	outb(PIC1_DATA, inb(PIC1_DATA) & ~0x01);
}

void timer_stop(void)
{
	outb(PIC1_DATA, inb(PIC1_DATA) | 0x01);
}

int timer_pending(void)
{
	return inb(PIC1_CMD) & 0x01;
}

void irq_handler(struct trap_frame *f)
{
	unsigned irq = (unsigned)(f->vector - VECTOR_IRQ_BASE);
	if (irq == 0) {
		timer_tsc = rdtsc();
		timer_ticks++;
		timer_rip = f->rip;
		if (f->cs & 3) {
			user_tick_cs = f->cs;
			user_tick_frame = (u64)f;
			user_tick_seen = 1;
		}
	} else {
		other_irqs++;
	}
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}
