// SPDX-License-Identifier: MIT
/*
 * The 8259A interrupt controller pair of a PC, edge-triggered, fully nested
 * (fixed priority, IRQ 0 highest), as BIOSes leave it and kernels program
 * it: ICW1..ICW4 initialisation, the mask register (OCW1), non-specific and
 * specific EOI (OCW2), IRR/ISR reads (OCW3), automatic EOI.  The slave's
 * output is the master's IRQ 2.  Not modelled: rotation, special mask mode,
 * polling, level-triggered mode (ELCR), buffered mode.
 */
#include "vmm/devices.h"

static void chip_reset(struct vmm_pic *c)
{
	uint8_t line = c->line;
	uint8_t *bytes = (uint8_t *)c;

	for (unsigned i = 0; i < sizeof(*c); i++)
		bytes[i] = 0;
	c->line = line;
}

void vmm_pic_init(struct vmm_pic_pair *p)
{
	chip_reset(&p->master);
	chip_reset(&p->slave);
	p->master.line = p->slave.line = 0;
	/* Masked until the guest programs them, as firmware leaves them. */
	p->master.imr = p->slave.imr = 0xff;
	p->master.vector_base = 0x08;
	p->slave.vector_base = 0x70;
	p->master.cascade = 0x04;
	p->slave.cascade = 0x02;
}

/* Highest-priority request the chip would signal, or -1.  A request is
 * blocked by an in-service interrupt of equal or higher priority. */
static int chip_irq(const struct vmm_pic *c)
{
	uint8_t req = c->irr & ~c->imr;

	for (int i = 0; i < 8; i++) {
		if (c->isr & (1u << i))
			return -1;
		if (req & (1u << i))
			return i;
	}
	return -1;
}

static void update_cascade(struct vmm_pic_pair *p)
{
	if (chip_irq(&p->slave) >= 0)
		p->master.irr |= 1u << 2;
	else
		p->master.irr &= (uint8_t)~(1u << 2);
}

void vmm_pic_set_irq(struct vmm_pic_pair *p, unsigned irq, int level)
{
	struct vmm_pic *c = irq < 8 ? &p->master : &p->slave;
	uint8_t bit = (uint8_t)(1u << (irq & 7));

	if (irq >= 16)
		return;
	if (level) {
		if (!(c->line & bit))
			c->irr |= bit; /* rising edge latches a request */
		c->line |= bit;
	} else {
		c->line &= (uint8_t)~bit;
	}
	update_cascade(p);
}

void vmm_pic_pulse(struct vmm_pic_pair *p, unsigned irq)
{
	vmm_pic_set_irq(p, irq, 1);
	vmm_pic_set_irq(p, irq, 0);
}

int vmm_pic_has_interrupt(const struct vmm_pic_pair *p)
{
	return chip_irq(&p->master) >= 0;
}

static void chip_take(struct vmm_pic *c, int irq)
{
	c->irr &= (uint8_t)~(1u << irq);
	if (!c->auto_eoi)
		c->isr |= (uint8_t)(1u << irq);
}

int vmm_pic_acknowledge(struct vmm_pic_pair *p)
{
	int irq = chip_irq(&p->master);
	int vector;

	if (irq < 0)
		return -1;
	if (irq == 2) {
		int s = chip_irq(&p->slave);

		chip_take(&p->master, 2);
		if (s < 0) {
			vector = p->slave.vector_base + 7; /* spurious */
		} else {
			chip_take(&p->slave, s);
			vector = p->slave.vector_base + s;
		}
		update_cascade(p);
		/* the master's IRQ 2 stays in service until the guest's EOI */
		if (!p->master.auto_eoi)
			p->master.isr |= 1u << 2;
		return vector;
	}
	chip_take(&p->master, irq);
	return p->master.vector_base + irq;
}

static void chip_eoi(struct vmm_pic *c)
{
	for (int i = 0; i < 8; i++) {
		if (c->isr & (1u << i)) {
			c->isr &= (uint8_t)~(1u << i);
			return;
		}
	}
}

static void chip_command(struct vmm_pic *c, uint8_t value)
{
	if (value & 0x10) { /* ICW1 */
		chip_reset(c);
		c->icw_step = 2;
		c->icw4_needed = value & 0x01;
		c->single = (value >> 1) & 1;
		return;
	}
	if (value & 0x08) { /* OCW3 */
		if (value & 0x02)
			c->read_isr = value & 0x01;
		return;
	}
	/* OCW2 */
	switch (value >> 5) {
	case 1: /* non-specific EOI */
		chip_eoi(c);
		break;
	case 3: /* specific EOI */
		c->isr &= (uint8_t)~(1u << (value & 7));
		break;
	default: /* rotations and priority setting: not modelled */
		break;
	}
}

static void chip_data(struct vmm_pic *c, uint8_t value)
{
	switch (c->icw_step) {
	case 2:
		c->vector_base = value & 0xf8;
		c->icw_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3:
		c->cascade = value;
		c->icw_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = (value >> 1) & 1;
		c->icw_step = 0;
		break;
	default:
		c->imr = value; /* OCW1 */
		break;
	}
}

uint8_t vmm_pic_io_read(struct vmm_pic_pair *p, uint16_t port)
{
	struct vmm_pic *c = (port & 0x80) ? &p->slave : &p->master;

	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void vmm_pic_io_write(struct vmm_pic_pair *p, uint16_t port, uint8_t value)
{
	struct vmm_pic *c = (port & 0x80) ? &p->slave : &p->master;

	if (port & 1)
		chip_data(c, value);
	else
		chip_command(c, value);
	update_cascade(p);
}
