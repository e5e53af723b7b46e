/* SPDX-License-Identifier: MIT */
/* Exception dispatch: probes first, IRQs and int $0x80 next, anything else is fatal. */
#include "arch.h"
#include "console.h"
#include "test.h"
#include "traps.h"

volatile struct trap_expect trap_expect;

void trap_reset(void)
{
	trap_expect.armed = 0;
	trap_expect.resume = 0;
	trap_expect.fault_rip = 0;
	trap_expect.new_rsp = 0;
	trap_expect.seen.count = 0;
	trap_expect.seen.vector = ~0UL;
	trap_expect.seen.error = ~0UL;
	trap_expect.seen.rip = 0;
	trap_expect.seen.cs = 0;
	trap_expect.seen.rsp = 0;
	trap_expect.seen.cr2 = 0;
	trap_expect.seen.frame = 0;
}

void trap_handler(struct trap_frame *f)
{
	if (f->vector >= VECTOR_IRQ_BASE && f->vector < VECTOR_IRQ_BASE + 16) {
		irq_handler(f);
		return;
	}
	if (f->vector == VECTOR_SYSCALL_INT && (f->cs & 3)) {
		syscall_int_handler(f);
		return;
	}
	if (trap_expect.armed) {
		volatile struct trap_record *r = &trap_expect.seen;
		r->count++;
		r->vector = f->vector;
		r->error = f->error;
		r->rip = f->rip;
		r->cs = f->cs;
		r->rsp = f->rsp;
		r->frame = (u64)f;
		if (f->vector == VECTOR_PAGE_FAULT)
			r->cr2 = read_cr2();
		trap_expect.armed = 0;
		if (trap_expect.resume)
			f->rip = trap_expect.resume;
		if (trap_expect.new_rsp)
			f->rsp = trap_expect.new_rsp;
		return;
	}
	console_printf("unexpected-exception: FAIL vector %lu error 0x%lx rip 0x%lx cs 0x%lx cr2 0x%lx\n",
		       f->vector, f->error, f->rip, f->cs, read_cr2());
	guest_exit(GUEST_ABORTED);
}
