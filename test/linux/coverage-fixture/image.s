# SPDX-License-Identifier: GPL-3.0-or-later
# Fixture for scripts/check-coverage: three sensitive instructions pv-as
# annotates, and one (clac) written as raw bytes split over two directives,
# which pv-as cannot see (it decodes a single .byte directive only).
	.text
	.globl _start
_start:
	cli
	mov	%cr4, %rax
	sti
raw_clac:
	.byte 0x0f, 0x01
	.byte 0xca
	nop
plain:
	nop
	ret
