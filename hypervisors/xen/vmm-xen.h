/* SPDX-License-Identifier: MIT */
/*
 * The in-place VMM on Xen: state shared by the boot code (vmm-main.c), the
 * backend functions (vmm-backend.c) and the Xen entries (vmm-traps.c).
 *
 * Privilege.  The guest, kernel and user alike, runs in Xen's *user* mode;
 * Xen's *kernel* mode belongs to the VMM.  So every exception, event and
 * system call the guest raises reaches the VMM on a stack of its own (the
 * one given to HYPERVISOR_stack_switch), whatever the guest has done to
 * its stack or page tables; a PV kernel in Xen's kernel mode would get its
 * exception frames written onto its own stack, which a shadow-paged guest
 * cannot promise to have mapped.  Xen's kernel-mode page table and the
 * user-mode one while the guest is in its kernel mode are both the
 * kernel-mode shadow, which maps the VMM's region and its window onto guest
 * memory (linked, vmm_shadow_link); in guest user mode the user-mode table
 * is the user shadow, which maps neither.
 *
 * Rewritten sites therefore run VMM code in Xen's user mode, on the guest's
 * stack.  A hypercall made there is a `syscall` that Xen delivers to the
 * VMM's syscall callback in kernel mode, which recognises the hypercall
 * page and makes the call for it (vmm-traps.c): the backend's functions
 * work from either mode.  Changing the guest's privilege level needs the
 * kernel mode (new user-mode table, then an iret), which the site path
 * reaches through the same callback from xen_vmm_mode_gate.
 */
#ifndef PREVIRT_XEN_VMM_XEN_H
#define PREVIRT_XEN_VMM_XEN_H

#include "traps.h"
#include "vmm-memory.h"
#include "vmm/devices.h"
#include "vmm/exit_fixup.h"
#include "vmm/guest_memory.h"
#include "vmm/traps.h"
#include "vmm/vmm.h"

/* Pseudo-vectors of the non-exception entries in struct xen_trap_frame. */
#define XEN_VMM_VECTOR_EVENT 256
#define XEN_VMM_VECTOR_SYSCALL 257

struct xen_vmm {
	struct vmm_vcpu vcpu;
	struct vmm_devices devices;
	struct vmm_paged_mem mem;
	struct vmm_shadow shadow;
	struct xen_vmm_memory memory;
	struct vmm_backend backend;
	struct vmm_entry_points entry_points;
	struct vmm_exit_labels exit_labels;
	struct vmm_trap_env trap_env;
	int trap_target;            /* xen-trap: sites are ud2 */
	uint64_t stack_hint;        /* %rsp of the context the VMM works for
				       (0: none), for prefilling after a flush */
};

extern struct xen_vmm xen_vmm;
extern struct vmm_pcpu vmm_pcpu;

/* vmm-backend.c */
void xen_vmm_backend_init(struct xen_vmm *x);
void xen_vmm_timer_event(evtchn_port_t port, void *data);
/* Drops the shadow's translations of va, or those VMM_TLB_FLUSH_NONGLOBAL or
 * VMM_TLB_FLUSH_ALL name (vmm.h); kernel mode. */
void xen_vmm_tlb_flush(struct xen_vmm *x, uint64_t va);

/* vmm-traps.c: the trap hook for every entry, and the guest's start. */
int xen_vmm_trap(struct xen_trap_frame *f);
void xen_vmm_start_guest(const struct vmm_regs *regs) __attribute__((noreturn));
/* Loads the user-mode table for the guest's current privilege level. */
long xen_vmm_switch_table(struct xen_vmm *x);

/* vmm-entry.S */
void xen_vmm_event_entry(void);
void xen_vmm_syscall_entry(void);
void xen_vmm_mode_gate(struct vmm_regs *regs) __attribute__((noreturn));
extern char xen_vmm_mode_gate_return[];
void xen_vmm_iret_frame(struct xen_trap_frame *f) __attribute__((noreturn));
extern char xen_vmm_kernel_stack_top[];

/* Operations that need Xen's kernel mode, from either mode. */
#define XEN_VMM_KCALL_XSETBV 1
#define XEN_VMM_KCALL_TLB_FLUSH 2  /* xen_vmm_tlb_flush(&xen_vmm, arg) */
long xen_vmm_kernel_call(unsigned op, uint64_t arg);
long xen_vmm_kernel_call_user(unsigned op, uint64_t arg);
extern char xen_vmm_kernel_call_return[];
/* Whether the VMM runs in Xen's kernel mode now. */
extern int xen_vmm_in_kernel;

/* The exit status of a guest the VMM stops (scripts/run-xen passes it on). */
#define XEN_VMM_FATAL_STATUS 100

/* Stops the domain with a diagnostic line first. */
void xen_vmm_fatal(const char *what, uint64_t where) __attribute__((noreturn));

#endif
