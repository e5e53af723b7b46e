# SPDX-License-Identifier: GPL-3.0-or-later
# Fixture for scripts/check-coverage: a site record (ABI v1, class 1 = cli)
# that points at a nop, which the checker must report as a bad site.
	.text
	.globl bad_site
bad_site:
	nop
	ret
	.pushsection .previrt_sites, "a", @progbits
	.long bad_site - .
	.byte 1, 1, 1, 0
	.popsection
