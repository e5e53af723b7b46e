/* SPDX-License-Identifier: MIT */
/*
 * The hypercall page of a 64-bit Xen PV guest.
 *
 * Xen's domain builder overwrites this page with one 32-byte stub per
 * hypercall before the guest's first instruction runs (see hypercall.h for
 * the calling convention).  It must be page-aligned, inside the loaded image
 * and executable; its address reaches Xen through XEN_ELFNOTE_HYPERCALL_PAGE
 * (xen-notes.S).  The `int3` fill makes a call into a page Xen never filled
 * (an image booted without the note) fault at once instead of sliding on.
 */
	.section .text.xen_hypercall_page, "ax", @progbits
	.balign 4096
	.globl hypercall_page
	.type hypercall_page, @object
hypercall_page:
	.fill 4096, 1, 0xcc
	.size hypercall_page, 4096
	.section .note.GNU-stack, "", @progbits
