// SPDX-License-Identifier: MIT
/*
 * The I/O port map of the modelled machine: which device answers which
 * port.  A port nobody decodes reads as all ones and ignores writes, as on
 * an ISA bus; port 0x80 (POST codes, also used as an I/O delay) is absorbed.
 * Of the keyboard controller only the reset command is modelled (Linux
 * reboots through it): the machine ends as qemu's -no-reboot ends it, with
 * VMM_RESET_STATUS; status reads give all ones, "no controller".
 */
#include "vmm/devices.h"
#include "vmm/vmm.h"

void vmm_devices_init(struct vmm_devices *d)
{
	vmm_pic_init(&d->pic);
	vmm_pit_init(&d->pit);
	vmm_uart_init(&d->com1);
	vmm_cmos_init(&d->cmos);
	d->sysctl_b = 0;
	d->exit_requested = 0;
	d->exit_status = 0;
}

static uint64_t now_ns(const struct vmm_backend *b)
{
	return b && b->time_ns ? b->time_ns(b->ctx) : 0;
}

/* The UART's interrupt line onto the PIC: a fall since the last look (a
 * THR write, an IIR read) first, so that the rise after it is an edge. */
static void sync_com1_irq(struct vmm_devices *d)
{
	if (d->com1.line_dropped)
		vmm_pic_set_irq(&d->pic, VMM_IRQ_COM1, 0);
	d->com1.line_dropped = 0;
	vmm_pic_set_irq(&d->pic, VMM_IRQ_COM1, vmm_uart_irq(&d->com1));
}

static uint8_t read_byte(struct vmm_devices *d, const struct vmm_backend *b, uint16_t port)
{
	if (port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1)
		return vmm_pic_io_read(&d->pic, port);
	if (port >= VMM_PORT_PIT && port <= VMM_PORT_PIT + 3)
		return vmm_pit_io_read(&d->pit, port, vmm_pit_ticks_from_ns(now_ns(b)));
	if (port == VMM_PORT_SYSCTL_B) {
		/* bit 5: channel 2's output, which PIT calibration loops poll */
		const struct vmm_pit_channel *c2 = &d->pit.ch[2];
		uint64_t now = vmm_pit_ticks_from_ns(now_ns(b));
		int out = c2->armed && c2->gate && now - c2->start >= c2->reload;

		return (uint8_t)((d->sysctl_b & 0x0f) | (out ? 0x20 : 0));
	}
	if (port == VMM_PORT_CMOS || port == VMM_PORT_CMOS + 1)
		return vmm_cmos_io_read(&d->cmos, port,
					b && b->wallclock ? b->wallclock(b->ctx) : 0);
	if (port >= VMM_PORT_COM1 && port <= VMM_PORT_COM1 + 7) {
		uint8_t value = vmm_uart_io_read(&d->com1, port - VMM_PORT_COM1);

		sync_com1_irq(d);
		return value;
	}
	return 0xff;
}

static void write_byte(struct vmm_devices *d, const struct vmm_backend *b, uint16_t port,
		       uint8_t value)
{
	if (port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1) {
		vmm_pic_io_write(&d->pic, port, value);
	} else if (port >= VMM_PORT_PIT && port <= VMM_PORT_PIT + 3) {
		uint64_t now = vmm_pit_ticks_from_ns(now_ns(b));

		/* catch up on IRQ 0 before the channel is reprogrammed */
		vmm_devices_advance(d, now_ns(b));
		vmm_pit_io_write(&d->pit, port, value, now);
	} else if (port == VMM_PORT_SYSCTL_B) {
		struct vmm_pit_channel *c2 = &d->pit.ch[2];
		uint8_t gate = value & 1;

		if (gate && !c2->gate && c2->armed) /* a rising gate restarts the count */
			c2->start = vmm_pit_ticks_from_ns(now_ns(b));
		c2->gate = gate;
		d->sysctl_b = value & 0x0f;
	} else if (port == VMM_PORT_CMOS || port == VMM_PORT_CMOS + 1) {
		vmm_cmos_io_write(&d->cmos, port, value);
	} else if (port >= VMM_PORT_COM1 && port <= VMM_PORT_COM1 + 7) {
		vmm_uart_io_write(&d->com1, port - VMM_PORT_COM1, value, b);
		sync_com1_irq(d);
	}
}

uint32_t vmm_io_read(struct vmm_devices *d, const struct vmm_backend *b, uint16_t port,
		     unsigned size)
{
	uint32_t value = 0;

	if (port == VMM_PORT_DEBUG_EXIT)
		return 0xffffffffu >> (32 - 8 * size);
	/* a wider access reads consecutive ports, lowest first */
	for (unsigned i = 0; i < size; i++)
		value |= (uint32_t)read_byte(d, b, (uint16_t)(port + i)) << (8 * i);
	return value;
}

void vmm_io_write(struct vmm_devices *d, const struct vmm_backend *b, uint16_t port,
		  unsigned size, uint32_t value)
{
	if (port == VMM_PORT_DEBUG_EXIT) {
		/* isa-debug-exit with iosize 4: any write ends the machine with the
		 * value written as the guest's status */
		vmm_uart_flush(&d->com1, b);
		d->exit_requested = 1;
		d->exit_status = (int)(size == 4 ? value : value & ((1u << (8 * size)) - 1));
		return;
	}
	if (port == VMM_PORT_POST)
		return;
	if (port == VMM_PORT_I8042_CMD && (value & 0xff) == VMM_I8042_PULSE_RESET) {
		vmm_uart_flush(&d->com1, b);
		d->exit_requested = 1;
		d->exit_status = VMM_RESET_STATUS;
		return;
	}
	for (unsigned i = 0; i < size; i++)
		write_byte(d, b, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

void vmm_devices_advance(struct vmm_devices *d, uint64_t now_ns)
{
	uint64_t edges = vmm_pit_irq0_edges(&d->pit, vmm_pit_ticks_from_ns(now_ns));

	/* Edges coalesce like a real PIC's IRR: a tick lost while IRQ 0 was
	 * still requested is lost on hardware too. */
	if (edges)
		vmm_pic_pulse(&d->pic, 0);
}
