/* SPDX-License-Identifier: MIT */
/*
 * Device models of the ISA devices a kernel touches at boot.  Each model is
 * pure state plus functions of (state, port, value, time); the port-I/O
 * emulation routes accesses here and the backend drives time.
 */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vmm_backend;

/* ---- 8259A programmable interrupt controller (one chip) ---------------- */
struct vmm_pic {
	uint8_t irr, isr, imr;
	uint8_t vector_base;   /* ICW2 */
	uint8_t icw_step;      /* 0: operational; 2..4: expecting ICW2..ICW4 */
	uint8_t icw4_needed;
	uint8_t single;        /* ICW1.SNGL */
	uint8_t auto_eoi;      /* ICW4.AEOI */
	uint8_t read_isr;      /* OCW3: reads of the command port return ISR (else IRR) */
	uint8_t cascade;       /* ICW3 */
	uint8_t line;          /* current level of each input (edge detection) */
};

/* The master/slave pair of a PC (slave on master IRQ 2). */
struct vmm_pic_pair {
	struct vmm_pic master, slave;
};

void vmm_pic_init(struct vmm_pic_pair *p);
uint8_t vmm_pic_io_read(struct vmm_pic_pair *p, uint16_t port);
void vmm_pic_io_write(struct vmm_pic_pair *p, uint16_t port, uint8_t value);
/* Input line irq (0..15) goes high (edge-triggered: a request is latched on
 * the rising edge) or low. */
void vmm_pic_set_irq(struct vmm_pic_pair *p, unsigned irq, int level);
/* Raises and lowers the line: one edge. */
void vmm_pic_pulse(struct vmm_pic_pair *p, unsigned irq);
/* Nonzero if an interrupt would be signalled to the CPU now. */
int vmm_pic_has_interrupt(const struct vmm_pic_pair *p);
/* The CPU's interrupt acknowledge: returns the vector and moves the request
 * to in-service, or -1 if none (after the request went away: the 8259 then
 * answers with the spurious IRQ 7/15 vector, which is returned instead). */
int vmm_pic_acknowledge(struct vmm_pic_pair *p);

/* ---- 8254 programmable interval timer ---------------------------------- */
#define VMM_PIT_HZ 1193182ULL

struct vmm_pit_channel {
	uint8_t mode;          /* 0..5 */
	uint8_t access;        /* 1 lo, 2 hi, 3 lo/hi */
	uint8_t bcd;
	uint8_t write_hi;      /* lo/hi access: next write is the high byte */
	uint8_t read_hi;       /* lo/hi access: next read is the high byte */
	uint8_t latched;       /* a counter latch is held */
	uint8_t armed;         /* a count was loaded and counting has started */
	uint8_t fired;         /* mode 0/1/4: the terminal count was reached */
	uint16_t latch;
	uint16_t reload_low;   /* low byte written, waiting for the high byte */
	uint32_t reload;       /* 1..65536 */
	uint64_t start;        /* PIT tick at which the count was loaded */
	uint64_t irq_edges;    /* OUT rising edges already reported */
	uint8_t gate;
};

struct vmm_pit {
	struct vmm_pit_channel ch[3];
};

void vmm_pit_init(struct vmm_pit *p);
/* now: time in PIT ticks (VMM_PIT_HZ). */
uint8_t vmm_pit_io_read(struct vmm_pit *p, uint16_t port, uint64_t now);
void vmm_pit_io_write(struct vmm_pit *p, uint16_t port, uint8_t value, uint64_t now);
/* The counter's current value (what a latch would capture). */
uint16_t vmm_pit_count(const struct vmm_pit_channel *c, uint64_t now);
/* Rising edges of channel 0's OUT (IRQ 0) since the last call. */
uint64_t vmm_pit_irq0_edges(struct vmm_pit *p, uint64_t now);
/* PIT tick of channel 0's next rising edge after now, or UINT64_MAX. */
uint64_t vmm_pit_next_edge(const struct vmm_pit *p, uint64_t now);
uint64_t vmm_pit_ticks_from_ns(uint64_t ns);
uint64_t vmm_pit_ns_from_ticks(uint64_t ticks);

/* ---- 16550 UART ---------------------------------------------------------- */
struct vmm_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t thre_pending;  /* the "transmitter empty" interrupt is raised */
	uint8_t line_dropped;  /* the IRQ line fell since the glue last looked */
	uint16_t fill;
	char buf[128];         /* transmitted bytes not yet written to the console */
};

#define VMM_IRQ_COM1 4

void vmm_uart_init(struct vmm_uart *u);
uint8_t vmm_uart_io_read(struct vmm_uart *u, unsigned reg);
void vmm_uart_io_write(struct vmm_uart *u, unsigned reg, uint8_t value,
		       const struct vmm_backend *b);
/* Writes buffered output to the console (at a newline, a full buffer, exit). */
void vmm_uart_flush(struct vmm_uart *u, const struct vmm_backend *b);
/* The UART's interrupt line (IRQ 4 through MCR.OUT2, as on a PC). */
int vmm_uart_irq(const struct vmm_uart *u);

/* ---- MC146818 CMOS RTC ---------------------------------------------------- */
struct vmm_cmos {
	uint8_t index;
	uint8_t nmi_disabled;
	uint8_t ram[128];
};

void vmm_cmos_init(struct vmm_cmos *c);
uint8_t vmm_cmos_io_read(struct vmm_cmos *c, uint16_t port, uint64_t wallclock);
void vmm_cmos_io_write(struct vmm_cmos *c, uint16_t port, uint8_t value);

/* Calendar date of a Unix time (UTC), for the RTC. */
struct vmm_date {
	unsigned year, month, day, hour, minute, second, weekday; /* weekday 1 = Sunday */
};
void vmm_date_from_unix(uint64_t seconds, struct vmm_date *d);

/* ---- the machine ----------------------------------------------------------- */
#define VMM_PORT_PIC1 0x20
#define VMM_PORT_PIC2 0xa0
#define VMM_PORT_PIT 0x40
#define VMM_PORT_SYSCTL_B 0x61
#define VMM_PORT_CMOS 0x70
#define VMM_PORT_POST 0x80
#define VMM_PORT_COM1 0x3f8
#define VMM_PORT_DEBUG_EXIT 0xf4
#define VMM_PORT_I8042_CMD 0x64
#define VMM_I8042_PULSE_RESET 0xfe /* the keyboard controller resets the CPU */
#define VMM_RESET_STATUS 0         /* the status a requested reset ends with */

struct vmm_devices {
	struct vmm_pic_pair pic;
	struct vmm_pit pit;
	struct vmm_uart com1;
	struct vmm_cmos cmos;
	uint8_t sysctl_b;       /* port 0x61: PIT channel 2 gate and speaker */
	uint8_t exit_requested;
	int exit_status;
};

void vmm_devices_init(struct vmm_devices *d);
/* Port access of size 1, 2 or 4; returns the value read (all ones for an
 * absent device). */
uint32_t vmm_io_read(struct vmm_devices *d, const struct vmm_backend *b, uint16_t port,
		     unsigned size);
void vmm_io_write(struct vmm_devices *d, const struct vmm_backend *b, uint16_t port,
		  unsigned size, uint32_t value);
/* Brings the timer up to now: IRQ 0 edges to the PIC. */
void vmm_devices_advance(struct vmm_devices *d, uint64_t now_ns);

#ifdef __cplusplus
}
#endif

#endif
