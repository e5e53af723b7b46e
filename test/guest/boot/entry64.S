/* SPDX-License-Identifier: MIT */
/*
 * guest_entry64: the guest's 64-bit entry point, also the ELF entry. Its
 * contract (CPU state, mapping, %rsi) is documented in docs/guest-boot.md;
 * this code relies on nothing else: it sets up its own stack, clears .bss
 * and calls guest_main(boot_info).
 */
	.section .text.entry64, "ax", @progbits
	.code64
	.globl guest_entry64
guest_entry64:
	cld
	movq %rsi, %r12
	/* Clear .bss (the stack below is part of it). */
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	movq %r12, %rdi
	call guest_main
1:	hlt
	jmp 1b

	.section .bss.boot_stack, "aw", @nobits
	.balign 16
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:
