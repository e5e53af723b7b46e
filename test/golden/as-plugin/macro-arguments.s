# SPDX-License-Identifier: GPL-3.0-or-later
# Macro parameters in instruction position: bare-word arguments used elsewhere
# too (Linux's msr-reg.S), and quoted arguments (ALTERNATIVE).
	.text
.macro op_safe_regs op
	.globl \op\()_safe_regs
\op\()_safe_regs:
	movl (%rdi), %eax
1:	\op
2:	movl %edx, 12(%rdi)
	ret
.endm
op_safe_regs rdmsr
op_safe_regs wrmsr
.macro ALT old, new
	\old
	.pushsection .altinstr_replacement,"ax"
	\new
	.popsection
.endm
	ALT "", "swapgs"
	ALT cli, "stac"
# A macro whose body has a site, expanded both in .text and, through another
# macro's argument, in .altinstr_replacement (Linux: ALTERNATIVE "", "ZAP_GS"):
# the replacement flag follows the expansion, not the definition.
.macro ZAP_GS
	movl $0x2b, %eax
	movl %eax, %gs
.endm
	ZAP_GS
	ALT "", "ZAP_GS"
