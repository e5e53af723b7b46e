# SPDX-License-Identifier: GPL-3.0-or-later
# Instructions spelled as .byte (Linux: __ASM_CLAC, __monitor, XSAVES):
# a .byte of plain numbers that is exactly one sensitive instruction is a site;
# symbolic values, other bytes and data sections are left alone.
	.text
	.byte 0x0f,0x01,0xca
	.byte 0x0f, 0x01, 0xc8;
	.byte 0x0f,0x01,0xc9
	.byte 0x48,0x0f,0xc7,0x2f
	.byte 1,2,3
	.byte foo
	.pushsection .altinstr_replacement,"ax"
	.byte 0x0f,0x01,0xcb
	.popsection
.macro ALT old, new
	\old
	.pushsection .altinstr_replacement,"ax"
	\new
	.popsection
.endm
	ALT "", ".byte 0x0f,0x01,0xca"
	.data
	.byte 0x0f,0x01,0xca
