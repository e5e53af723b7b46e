# SPDX-License-Identifier: GPL-3.0-or-later
# Macro bodies, .rept/.irp expansions, prefixes, 16/32-bit code and
# the replacement section Linux copies over other code at boot.
	.text
	.macro irq_off
	cli
	.endm
	irq_off
	irq_off
	.rept 3
	hlt
	.endr
	.irp reg, rax, rbx
	mov %\reg, %cr3
	.endr
	rep; outsb
	.code16
	cli
	.code16gcc
	sti
	.code32
	cli
	.code64
	.macro ALTERNATIVE oldinstr, newinstr, feature
140:
	\oldinstr
141:
	.skip -(((144f-143f)-(141b-140b)) > 0) * ((144f-143f)-(141b-140b)),0x90
142:
	.pushsection .altinstr_replacement,"ax"
143:
	\newinstr
144:
	.popsection
	.endm
	ALTERNATIVE "", "swapgs", 1
	ALTERNATIVE "cli", "stac", 2
	.section .init.text,"ax",@progbits
	wrmsr
	.data
	cli
