# SPDX-License-Identifier: GPL-3.0-or-later
# as-args: --32
# A 32-bit object (REL relocations, like Linux's boot code): sites carry the
# code32 flag; the real-mode part stays untouched.
	.code16
	.text
	cli
	movl %cr0, %edx
	.code32
	.globl protected_mode_jump
protected_mode_jump:
	movl %cr0, %edx
	orb $1, %dl
	movl %edx, %cr0
	ljmpl $0x10, $1f
1:	movl %eax, %ds
	lgdt (%eax)
	iret
