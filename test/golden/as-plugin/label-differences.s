# SPDX-License-Identifier: GPL-3.0-or-later
# Immediates and displacements that are label differences spanning sites
# (Linux's boot code: "subl $rva(1b), %ebp"). GNU as picks their short
# encodings only if the padding between the labels has a size known at that
# point, so pv-as must never put a variable-size frag there: the identity
# check (padding off) and the records (padding on) both see it.
	.text
start:	cld
	cli
	hlt
	rdmsr
1:	sub $(1b - start), %ebp
	mov %eax, %ss
	lea (2f - start)(%rbx), %rax
	sti
2:	ret
	invlpg (%rdi)
	invlpg (%rsp)
	invlpg (%rbp)
	invlpg (%r12)
	invlpg (%r13)
	invlpg (%r8)
	invlpg (%rax)
	invlpg 8(%rax)
