# SPDX-License-Identifier: GPL-3.0-or-later
	.text
	mov %cr3, %ax
	cli ; wrmsr %eax
