# SPDX-License-Identifier: GPL-3.0-or-later
# Intel spellings, with and without register prefixes.
	.intel_syntax noprefix
	.text
	mov cr3, rax
	mov rax, cr0
	mov ds, ax
	push fs
	pushfq
	in al, 0x60
	jmp far ptr [rax]
	mov rax, fs:[0x28]
	.intel_syntax prefix
	mov %cr4, %rax
	.att_syntax prefix
	mov %cr4, %rax
