# SPDX-License-Identifier: GPL-3.0-or-later
	.text
	cli
	.macro never_ends
	sti
