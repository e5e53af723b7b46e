// SPDX-License-Identifier: MIT
/*
 * The 8254 interval timer as a function of time: a channel remembers when
 * its count was loaded, and its counter and output are computed from the
 * current time in PIT ticks (1.193182 MHz).  Nothing runs per tick: the
 * backend asks for the next rising edge of channel 0's output and sets a
 * hypervisor timer for it.  Modes 0 (interrupt on terminal count), 2 (rate
 * generator) and 3 (square wave) are modelled exactly enough for kernels'
 * periodic ticks and calibration loops; 1, 4 and 5 count like 0 (their gate
 * triggers are not modelled).  Counter latch and read-back latch commands are
 * supported; BCD counting is not (the count is taken as binary).
 */
#include "vmm/devices.h"

void vmm_pit_init(struct vmm_pit *p)
{
	for (int i = 0; i < 3; i++) {
		struct vmm_pit_channel *c = &p->ch[i];
		uint8_t *bytes = (uint8_t *)c;

		for (unsigned j = 0; j < sizeof(*c); j++)
			bytes[j] = 0;
		c->access = 3;
		c->gate = i != 2; /* channel 2's gate is port 0x61 bit 0 */
	}
}

uint64_t vmm_pit_ticks_from_ns(uint64_t ns)
{
	return (ns / 1000000000ULL) * VMM_PIT_HZ + (ns % 1000000000ULL) * VMM_PIT_HZ / 1000000000ULL;
}

uint64_t vmm_pit_ns_from_ticks(uint64_t ticks)
{
	/* rounded up, so that a timer set for the result sees the edge */
	return (ticks / VMM_PIT_HZ) * 1000000000ULL +
	       ((ticks % VMM_PIT_HZ) * 1000000000ULL + VMM_PIT_HZ - 1) / VMM_PIT_HZ;
}

static uint64_t elapsed(const struct vmm_pit_channel *c, uint64_t now)
{
	return now > c->start ? now - c->start : 0;
}

static int periodic(const struct vmm_pit_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

uint16_t vmm_pit_count(const struct vmm_pit_channel *c, uint64_t now)
{
	uint64_t e, n = c->reload;

	if (!c->armed)
		return (uint16_t)c->reload;
	e = elapsed(c, now);
	if (c->mode == 2)
		return (uint16_t)(n - e % n); /* N .. 1, then reload */
	if (c->mode == 3) {
		uint64_t half = n / 2 ? n / 2 : 1;

		return (uint16_t)((n & ~1ULL) - 2 * (e % half)); /* by 2, twice a period */
	}
	return (uint16_t)(n - e); /* modes 0, 1, 4, 5: wraps after 0 */
}

/* Rising edges of OUT up to now since the count was loaded. */
static uint64_t edges_until(const struct vmm_pit_channel *c, uint64_t now)
{
	uint64_t e;

	if (!c->armed || !c->gate)
		return 0;
	e = elapsed(c, now);
	if (periodic(c))
		return e / c->reload;
	return e >= c->reload ? 1 : 0;
}

uint64_t vmm_pit_irq0_edges(struct vmm_pit *p, uint64_t now)
{
	struct vmm_pit_channel *c = &p->ch[0];
	uint64_t total = edges_until(c, now);
	uint64_t fresh = total - c->irq_edges;

	c->irq_edges = total;
	if (!periodic(c) && total)
		c->fired = 1;
	return fresh;
}

uint64_t vmm_pit_next_edge(const struct vmm_pit *p, uint64_t now)
{
	const struct vmm_pit_channel *c = &p->ch[0];
	uint64_t e;

	if (!c->armed || !c->gate)
		return UINT64_MAX;
	e = elapsed(c, now);
	if (periodic(c))
		return c->start + (e / c->reload + 1) * c->reload;
	return e < c->reload ? c->start + c->reload : UINT64_MAX;
}

static void latch(struct vmm_pit_channel *c, uint64_t now)
{
	if (!c->latched) {
		c->latch = vmm_pit_count(c, now);
		c->latched = 1;
		c->read_hi = 0;
	}
}

static void control(struct vmm_pit *p, uint8_t value, uint64_t now)
{
	unsigned sel = value >> 6;
	struct vmm_pit_channel *c;

	if (sel == 3) { /* read-back: only the count latch is modelled */
		if (!(value & 0x20))
			for (int i = 0; i < 3; i++)
				if (value & (2u << i))
					latch(&p->ch[i], now);
		return;
	}
	c = &p->ch[sel];
	if (((value >> 4) & 3) == 0) { /* counter latch command */
		latch(c, now);
		return;
	}
	c->access = (value >> 4) & 3;
	c->mode = (value >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 6 and 7 are aliases of 2 and 3 */
	c->bcd = value & 1;
	c->write_hi = c->read_hi = 0;
	c->latched = 0;
	c->armed = 0; /* counting waits for the new count */
	c->fired = 0;
}

static void load(struct vmm_pit_channel *c, uint32_t count, uint64_t now)
{
	c->reload = count ? count : 65536;
	c->start = now;
	c->armed = 1;
	c->fired = 0;
	c->irq_edges = 0;
}

void vmm_pit_io_write(struct vmm_pit *p, uint16_t port, uint8_t value, uint64_t now)
{
	struct vmm_pit_channel *c;

	port &= 3;
	if (port == 3) {
		control(p, value, now);
		return;
	}
	c = &p->ch[port];
	switch (c->access) {
	case 1:
		load(c, value, now);
		break;
	case 2:
		load(c, (uint32_t)value << 8, now);
		break;
	default:
		if (!c->write_hi) {
			c->reload_low = value;
			c->write_hi = 1;
		} else {
			c->write_hi = 0;
			load(c, c->reload_low | ((uint32_t)value << 8), now);
		}
		break;
	}
}

uint8_t vmm_pit_io_read(struct vmm_pit *p, uint16_t port, uint64_t now)
{
	struct vmm_pit_channel *c;
	uint16_t value;
	uint8_t byte;

	port &= 3;
	if (port == 3)
		return 0xff; /* the control word register is write-only */
	c = &p->ch[port];
	value = c->latched ? c->latch : vmm_pit_count(c, now);
	switch (c->access) {
	case 1:
		c->latched = 0;
		return (uint8_t)value;
	case 2:
		c->latched = 0;
		return (uint8_t)(value >> 8);
	default:
		byte = c->read_hi ? (uint8_t)(value >> 8) : (uint8_t)value;
		if (c->read_hi)
			c->latched = 0;
		c->read_hi ^= 1;
		return byte;
	}
}
