/* SPDX-License-Identifier: MIT */
/*
 * Exception entries of a 64-bit Xen PV guest.
 *
 * ABI: a PV guest has no IDT.  It gives Xen a trap table
 * (HYPERVISOR_set_trap_table, struct trap_info: vector, flags, cs,
 * address); Xen delivers an exception to the registered address with the
 * same bounce frame as an event upcall (event-entry.S):
 *     ss, rsp, rflags, cs, rip, [error code], r11, rcx   (rcx at %rsp)
 * The error code is there for the vectors whose hardware exception has
 * one (#DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP).  A page fault's address
 * is not in any register: Xen stores it in vcpu_info.arch.cr2.  With bit 2
 * of trap_info.flags set, Xen masks events on delivery, like an interrupt
 * gate clears IF; the frame's rflags.IF keeps the previous state and the
 * iret hypercall restores it.
 *
 * Each stub makes the frame uniform (a zero error code where the CPU pushes
 * none, then the vector), the common path saves all general registers as a
 * struct xen_trap_frame (traps.h) and calls xen_trap(); if that returns the
 * frame (possibly changed) is restored and left through HYPERVISOR_iret.
 */
#include "hypercall.h"

	.section .text.xen_traps, "ax", @progbits

/* xen_trap_entry_N for vector N; ERR says whether the CPU pushed a code. */
.macro trap_entry vector, err
	.globl xen_trap_entry_\vector
	.type xen_trap_entry_\vector, @function
xen_trap_entry_\vector:
	popq %rcx
	popq %r11
	.if \err == 0
	pushq $0
	.endif
	pushq $\vector
	jmp xen_trap_common
	.size xen_trap_entry_\vector, . - xen_trap_entry_\vector
.endm

	trap_entry 0, 0         /* #DE */
	trap_entry 1, 0         /* #DB */
	trap_entry 3, 0         /* #BP */
	trap_entry 4, 0         /* #OF */
	trap_entry 5, 0         /* #BR */
	trap_entry 6, 0         /* #UD */
	trap_entry 7, 0         /* #NM */
	trap_entry 10, 1        /* #TS */
	trap_entry 11, 1        /* #NP */
	trap_entry 12, 1        /* #SS */
	trap_entry 13, 1        /* #GP */
	trap_entry 14, 1        /* #PF */
	trap_entry 16, 0        /* #MF */
	trap_entry 17, 1        /* #AC */
	trap_entry 19, 0        /* #XM */
	trap_entry 21, 1        /* #CP */

	/* Also entered by other entries with the same frame (vmm-entry.S). */
	.globl xen_trap_common
xen_trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	movq %rsp, %rbx                 /* callee-saved across the call */
	andq $-16, %rsp
	cld
	call xen_trap
	movq %rbx, %rsp
	/* Returns to the context in the struct xen_trap_frame at %rsp. */
	.globl xen_trap_return
xen_trap_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp                  /* vector, error code */
	pushq $0                        /* iret_context.flags */
	jmp hypercall_page + __HYPERVISOR_iret * XEN_HYPERCALL_STUB_SIZE
	.size xen_trap_common, . - xen_trap_common

	.section .note.GNU-stack, "", @progbits
