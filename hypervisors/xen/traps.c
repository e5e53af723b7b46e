// SPDX-License-Identifier: MIT
/*
 * The trap table of a 64-bit Xen PV guest and the default handling of an
 * exception: hand it to the hook (the VMM, to reflect it into the guest's
 * IDT or to emulate), or else report it on the console and crash the
 * domain.  Without any trap table Xen would crash the domain silently
 * (a non-debug Xen logs nothing about a guest's fault).
 *
 * trap_info.flags holds the privilege level allowed to raise the vector
 * with a software `int n` (TI_SET_DPL: 0 = nobody, 3 = everyone: #BP and
 * #OF are raised by int3/into) and whether delivery masks events
 * (TI_SET_IF, like an interrupt gate; always set here).  cs is the flat
 * 64-bit kernel code selector Xen provides (FLAT_KERNEL_CS).
 */
#include "traps.h"
#include "xen-backend.h"
#include "hypercall.h"

/* Privilege levels of trap_info (set with TI_SET_DPL). */
#define TRAP_DPL_NOBODY   0
#define TRAP_DPL_EVERYONE 3

#define TRAP_ENTRIES(X)                                                                            \
	X(0, "divide error", TRAP_DPL_NOBODY)                                                      \
	X(1, "debug", TRAP_DPL_NOBODY)                                                             \
	X(3, "breakpoint", TRAP_DPL_EVERYONE)                                                      \
	X(4, "overflow", TRAP_DPL_EVERYONE)                                                        \
	X(5, "bound range", TRAP_DPL_NOBODY)                                                       \
	X(6, "invalid opcode", TRAP_DPL_NOBODY)                                                    \
	X(7, "device not available", TRAP_DPL_NOBODY)                                              \
	X(10, "invalid TSS", TRAP_DPL_NOBODY)                                                      \
	X(11, "segment not present", TRAP_DPL_NOBODY)                                              \
	X(12, "stack fault", TRAP_DPL_NOBODY)                                                      \
	X(13, "general protection", TRAP_DPL_NOBODY)                                               \
	X(14, "page fault", TRAP_DPL_NOBODY)                                                       \
	X(16, "x87 error", TRAP_DPL_NOBODY)                                                        \
	X(17, "alignment check", TRAP_DPL_NOBODY)                                                  \
	X(19, "SIMD error", TRAP_DPL_NOBODY)                                                       \
	X(21, "control protection", TRAP_DPL_NOBODY)

#define DECLARE_ENTRY(vec, name, dpl) void xen_trap_entry_##vec(void);
TRAP_ENTRIES(DECLARE_ENTRY)

void xen_trap(struct xen_trap_frame *frame);

static xen_trap_hook_t trap_hook;

xen_trap_hook_t xen_set_trap_hook(xen_trap_hook_t hook)
{
	xen_trap_hook_t old = trap_hook;

	trap_hook = hook;
	return old;
}

long xen_install_default_traps(void)
{
	/* One entry per vector and a zero sentinel (address 0 ends the table). */
#define TRAP_COUNT(vec, name, dpl) +1
	static trap_info_t table[0 TRAP_ENTRIES(TRAP_COUNT) + 1];
#undef TRAP_COUNT
	trap_info_t *t = table;

#define TRAP_INFO(vec, name, dpl)                                                                  \
	t->vector = vec;                                                                           \
	t->flags = 0;                                                                              \
	TI_SET_DPL(t, dpl);                                                                        \
	TI_SET_IF(t, 1);                                                                           \
	t->cs = FLAT_KERNEL_CS;                                                                    \
	t->address = (unsigned long)xen_trap_entry_##vec;                                          \
	t++;
	TRAP_ENTRIES(TRAP_INFO)
#undef TRAP_INFO
	t->address = 0;
	return xen_hypercall2(__HYPERVISOR_set_trap_table, (unsigned long)table, 0);
}

static const char *trap_name(uint64_t vector)
{
#define TRAP_NAME(vec, name, dpl)                                                                  \
	case vec:                                                                                  \
		return name;
	switch (vector) {
		TRAP_ENTRIES(TRAP_NAME)
	}
#undef TRAP_NAME
	return "exception";
}

void xen_trap(struct xen_trap_frame *frame)
{
	if (trap_hook && trap_hook(frame))
		return;
	xen_console_puts("xen-pv: unhandled ");
	xen_console_puts(trap_name(frame->vector));
	xen_console_puts(" (vector ");
	xen_console_put_udec(frame->vector);
	xen_console_puts(") at rip ");
	xen_console_put_hex(frame->rip);
	xen_console_puts(", error ");
	xen_console_put_hex(frame->error_code);
	if (frame->vector == 14) {
		xen_console_puts(", address ");
		xen_console_put_hex(xen_shared_info->vcpu_info[0].arch.cr2);
	}
	xen_console_puts(", rsp ");
	xen_console_put_hex(frame->rsp);
	xen_console_puts("\n");
	xen_shutdown(SHUTDOWN_crash);
}
