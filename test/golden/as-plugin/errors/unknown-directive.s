# SPDX-License-Identifier: GPL-3.0-or-later
	.text
	cli
	.no_such_directive 1
	hlt
