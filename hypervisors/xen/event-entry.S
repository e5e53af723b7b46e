/* SPDX-License-Identifier: MIT */
/*
 * Entry points Xen calls for a 64-bit PV guest's events.
 *
 * ABI: the guest registers these with CALLBACKOP_register (events.c).
 * Xen delivers an event upcall (and the failsafe callback) like an
 * exception: it aligns the guest stack to 16 bytes and pushes a frame
 *     ss, rsp, rflags, cs, rip, r11, rcx        (rcx lowest, at %rsp)
 * with the guest's %rcx and %r11 saved because Xen's own return path (a
 * sysret) clobbers them.  Event delivery is masked on entry
 * (vcpu_info.evtchn_upcall_mask = 1); the mask as it was is mirrored in the
 * frame's rflags.IF (IF set = events were enabled) and in the upper half of
 * the cs slot.
 *
 * A PV kernel runs in ring 3 and cannot use a native iretq to restore the
 * event mask (IF is not writable there), so it returns with the iret
 * hypercall: it pushes a flags word (0: not returning from a syscall) on
 * top of an iret frame and jumps, not calls, to the iret stub of the
 * hypercall page, which pushes %rcx, %r11, %rax and enters Xen.  Xen pops
 * struct iret_context (<xen/arch-x86/xen-x86_64.h>), restores every
 * register in it and sets the event mask from rflags.IF; it never returns
 * to the stub.
 *
 * The upcall handler saves the registers the C ABI lets a callee clobber,
 * calls xen_event_upcall() on a 16-byte aligned stack and returns through
 * the iret hypercall with the frame Xen built, so the interrupted code
 * resumes with the event mask it had.
 */
#include "hypercall.h"

	.section .text.xen_events, "ax", @progbits

	.globl xen_event_entry
	.type xen_event_entry, @function
xen_event_entry:
	popq %rcx
	popq %r11
	/* Now an iret frame: rip, cs, rflags, rsp, ss. */
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	cld
	call xen_event_upcall
	movq %rbp, %rsp
	popq %rbp
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	pushq $0                        /* iret_context.flags */
	jmp hypercall_page + __HYPERVISOR_iret * XEN_HYPERCALL_STUB_SIZE
	.size xen_event_entry, . - xen_event_entry

/*
 * Xen calls the failsafe callback when it cannot reload the guest's segment
 * registers on a return to the guest (a bad selector).  Nothing sensible can
 * continue; report and crash the domain.
 */
	.globl xen_failsafe_entry
	.type xen_failsafe_entry, @function
xen_failsafe_entry:
	andq $-16, %rsp
	call xen_failsafe
1:	ud2
	jmp 1b
	.size xen_failsafe_entry, . - xen_failsafe_entry

	.section .note.GNU-stack, "", @progbits
