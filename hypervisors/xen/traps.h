/* SPDX-License-Identifier: MIT */
/*
 * Exceptions of a 64-bit Xen PV guest (see traps.c and traps-entry.S for
 * the ABI).
 */
#ifndef PREVIRT_XEN_TRAPS_H
#define PREVIRT_XEN_TRAPS_H

#include "xen-public.h"

/* Registers at an exception, as traps-entry.S saves them (lowest address first). */
struct xen_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* The iret frame Xen built; returning goes through HYPERVISOR_iret. */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Called for every exception with the frame (which it may change).
 * Returns nonzero if handled: the interrupted code resumes from the frame.
 * Returns 0 to fall back to the default report-and-crash. */
typedef int (*xen_trap_hook_t)(struct xen_trap_frame *frame);

/* Installs the hook (0 removes it); returns the previous one. */
xen_trap_hook_t xen_set_trap_hook(xen_trap_hook_t hook);

/* HYPERVISOR_set_trap_table with traps-entry.S's entries; done at boot. */
long xen_install_default_traps(void);

#endif
