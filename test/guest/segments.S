/* SPDX-License-Identifier: MIT */
/* Segment reloads and transfers that need a far jump, call or return. */
#include "desc.h"
	.text
	.code64

/* void reload_cs(u64 selector): far return to the caller's next instruction. */
	.globl reload_cs
reload_cs:
	popq %rax                          /* return address */
	pushq %rdi
	pushq %rax
	lretq

/* u64 far_jump_test(void): 1 when the far jump reached its target. */
	.globl far_jump_test
far_jump_test:
	xorl %eax, %eax
	ljmp *far_jump_ptr(%rip)
	ret
far_jump_target:
	movl $1, %eax
	ret

/* u64 far_call_test(void): 2 when the far call and far return came back. */
	.globl far_call_test
far_call_test:
	xorl %eax, %eax
	lcall *far_call_ptr(%rip)
	ret
far_call_target:
	movl $2, %eax
	lretl

	.data
	.balign 8
far_jump_ptr:
	.long far_jump_target
	.word SEL_KERNEL_CS
	.balign 8
far_call_ptr:
	.long far_call_target
	.word SEL_KERNEL_CS
