/* SPDX-License-Identifier: MIT */
/*
 * Xen entries of the in-place VMM besides the exceptions (traps-entry.S),
 * made into the same struct xen_trap_frame so that one hook sees all of
 * them (vmm-traps.c):
 *   xen_vmm_event_entry    the event upcall: Xen's frame is that of an
 *                          exception without error code
 *   xen_vmm_syscall_entry  `syscall` from Xen's user mode: the guest's own
 *                          system calls, hypercalls made by VMM code that
 *                          runs at a rewritten site, and xen_vmm_mode_gate
 * Both are registered with events masked (CALLBACKF_mask_events).
 */
#include "hypercall.h"

	.section .text.xen_vmm, "ax", @progbits

	.globl xen_vmm_event_entry
	.type xen_vmm_event_entry, @function
xen_vmm_event_entry:
	popq %rcx
	popq %r11
	pushq $0
	pushq $256			/* XEN_VMM_VECTOR_EVENT */
	jmp xen_trap_common
	.size xen_vmm_event_entry, . - xen_vmm_event_entry

	.globl xen_vmm_syscall_entry
	.type xen_vmm_syscall_entry, @function
xen_vmm_syscall_entry:
	popq %rcx
	popq %r11
	pushq $0
	pushq $257			/* XEN_VMM_VECTOR_SYSCALL */
	jmp xen_trap_common
	.size xen_vmm_syscall_entry, . - xen_vmm_syscall_entry

/* void xen_vmm_mode_gate(struct vmm_regs *regs): from a rewritten site's VMM
 * code in Xen's user mode, resume the guest from regs at the privilege level
 * the vCPU now has.  The syscall callback recognises the return address. */
	.globl xen_vmm_mode_gate, xen_vmm_mode_gate_return
	.type xen_vmm_mode_gate, @function
xen_vmm_mode_gate:
	syscall
xen_vmm_mode_gate_return:
	ud2				/* the callback never returns here */
	.size xen_vmm_mode_gate, . - xen_vmm_mode_gate

/* long xen_vmm_kernel_call_user(unsigned op, uint64_t arg): an operation
 * that needs Xen's kernel mode (vmm-traps.c, kernel_call), from user mode. */
	.globl xen_vmm_kernel_call_user, xen_vmm_kernel_call_return
	.type xen_vmm_kernel_call_user, @function
xen_vmm_kernel_call_user:
	syscall
xen_vmm_kernel_call_return:
	ret
	.size xen_vmm_kernel_call_user, . - xen_vmm_kernel_call_user

/* void xen_vmm_iret_frame(struct xen_trap_frame *f): leave Xen's kernel mode
 * for the context in *f (which lies at the top of the stack in use). */
	.globl xen_vmm_iret_frame
	.type xen_vmm_iret_frame, @function
xen_vmm_iret_frame:
	movq %rdi, %rsp
	jmp xen_trap_return
	.size xen_vmm_iret_frame, . - xen_vmm_iret_frame

	.section .bss.xen_vmm_stack, "aw", @nobits
	.balign 4096
	.skip 16384
	.globl xen_vmm_kernel_stack_top
xen_vmm_kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
