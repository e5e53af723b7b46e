# SPDX-License-Identifier: MIT
# The site forms of the xen target, one of each (docs/vmm-interface.md
# section 1), annotated by hand as pv-as annotates (NOP form): 32-bit boot
# code that keeps its bytes, cli (also with the nostack flag: still inline),
# sti alone and sti directly followed by a hlt site, pushf/popf (and their
# 16-bit forms and sites of an older, shorter pad, which take thunks), pushf with
# the nostack flag (descriptor path through a NOSTACK thunk), NOSTACK
# classes, and sites that enter the VMM through a thunk.
	.include "preamble.inc"

# site PAD, CLASS, FLAGS, INSTRUCTION: one annotated site.
	.macro site pad, class, flags, insn:vararg
	9707001: \insn ; 9707002: .nops -(((\pad)-(9707002b-9707001b))>0)*((\pad)-(9707002b-9707001b)) ; 9707003: ; .pushsection .previrt_sites ; .long 9707001b-. ; .byte 9707003b-9707001b,9707002b-9707001b,\class,\flags ; .popsection
	.endm

	.section .text.boot32,"ax",@progbits
	.code32
	.globl boot32
	.type boot32,@function
boot32:
	site 8, 1, 2, cli
	site 5, 9, 2, mov %eax,%cr0
	ret
	.size boot32,.-boot32

	.code64
	.text
	.globl _start
	.type _start,@function
_start:
	site 8, 1, 0, cli
	site 8, 1, 1, cli
	site 8, 2, 0, sti
	nop
	site 8, 2, 0, sti
	site 5, 34, 0, hlt
	site 7, 3, 0, pushfq
	site 24, 4, 0, popfq
	site 7, 3, 0, pushfw
	site 24, 4, 0, popfw
	site 5, 3, 0, pushfq
	site 5, 4, 0, popfq
	site 7, 3, 1, pushfq
	site 5, 41, 1, swapgs
	site 5, 39, 1, sysretq
	site 5, 24, 0, rdmsr
	site 5, 9, 0, mov %rax,%cr3
	site 5, 5, 0, in $0x71,%al
	site 5, 16, 0, lgdt 8(%rip)
	site 5, 37, 0, iretq
	ret
	.size _start,.-_start
