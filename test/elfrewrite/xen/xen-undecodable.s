# SPDX-License-Identifier: MIT
# A site the verifier accepts (libopcodes reads `mov %eax,%cs` as a load of
# a segment register) but the VMM's decoder refuses (a mov to %cs is #UD):
# the xen targets must refuse the image, naming the site.
	.include "preamble.inc"
	.text
	.globl _start
	.type _start,@function
_start:
	9707001: mov %eax,%cs ; 9707002: .nops -(((5)-(9707002b-9707001b))>0)*((5)-(9707002b-9707001b)) ; 9707003: ; .pushsection .previrt_sites ; .long 9707001b-. ; .byte 9707003b-9707001b,9707002b-9707001b,43,0 ; .popsection
	ret
	.size _start,.-_start
