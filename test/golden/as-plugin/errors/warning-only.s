# SPDX-License-Identifier: GPL-3.0-or-later
# Assembles with a warning: pv-as must print exactly GNU as's warning.
	.text
	sysexit
	cli
