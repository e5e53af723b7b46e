/* SPDX-License-Identifier: MIT */
/*
 * The ELF notes that make an image bootable as a 64-bit Xen PV kernel.
 *
 * Xen's domain builder (for dom0 as for domUs) reads notes owned by "Xen"
 * (the XEN_ELFNOTE_* types of <xen/elfnote.h>) from the image's PT_NOTE
 * segments or SHT_NOTE sections.  Each note is the standard ELF note record:
 * namesz, descsz, type (32 bits each), the owner name "Xen\0", then the
 * descriptor, both padded to 4 bytes.  Address descriptors are 64-bit.
 *
 * What the builder takes from them:
 *   GUEST_OS, GUEST_VERSION  free text, shown in logs
 *   XEN_VERSION      must be "xen-3.0": the PV ABI generation spoken
 *   LOADER           "generic": load the ELF's PT_LOAD segments as they are
 *   VIRT_BASE        virtual address at which the guest's mapping of its
 *                    memory starts (the kernel's base, e.g. Linux's
 *                    __START_KERNEL_map)
 *   PADDR_OFFSET     subtracted from VIRT_BASE to turn a segment's p_paddr
 *                    into its virtual load address: vaddr = p_paddr +
 *                    (VIRT_BASE - PADDR_OFFSET).  With 0, images whose
 *                    p_paddr is "vaddr - VIRT_BASE" (Linux's layout, and
 *                    xen-pv.lds's) load at their link addresses.
 *   ENTRY            virtual address of the first instruction (xen_pv_start
 *                    in start.S): entered with %rsi = start_info
 *   HYPERCALL_PAGE   virtual address of the page Xen fills with hypercall
 *                    stubs (hypercall-page.S)
 *   FEATURES         XENFEAT_* names, '|'-separated, a '!' prefix marking a
 *                    feature required.  writable_page_tables lets the guest
 *                    write its page-table entries with plain stores that Xen
 *                    traps and validates, which the in-place VMM's MMU
 *                    virtualization relies on.
 *
 * This file is self-contained so that the notes can be linked into any
 * image (a rewritten kernel gets them from elfrewrite).  VIRT_BASE and
 * PADDR_OFFSET default to the Linux x86-64 layout; define XEN_VIRT_BASE /
 * XEN_PADDR_OFFSET when assembling to change them.  ENTRY and HYPERCALL_PAGE
 * are relocations against xen_pv_start and hypercall_page, resolved by the
 * final link.
 */
#include "xen-public.h"

#ifndef XEN_VIRT_BASE
#define XEN_VIRT_BASE 0xffffffff80000000
#endif
#ifndef XEN_PADDR_OFFSET
#define XEN_PADDR_OFFSET 0
#endif

/* One Xen note: header, owner "Xen", descriptor (the directive given). */
#define XEN_NOTE(type, desc)                                    \
	.balign 4;                                              \
	.long 2f - 1f;                                          \
	.long 4f - 3f;                                          \
	.long type;                                             \
1:	.asciz "Xen";                                           \
2:	.balign 4;                                              \
3:	desc;                                                   \
4:	.balign 4

	.section .note.Xen, "a", @note
	XEN_NOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "previrt")
	XEN_NOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "1")
	XEN_NOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
	XEN_NOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
	XEN_NOTE(XEN_ELFNOTE_VIRT_BASE,      .quad XEN_VIRT_BASE)
	XEN_NOTE(XEN_ELFNOTE_PADDR_OFFSET,   .quad XEN_PADDR_OFFSET)
	XEN_NOTE(XEN_ELFNOTE_ENTRY,          .quad xen_pv_start)
	XEN_NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
	XEN_NOTE(XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables")

	.section .note.GNU-stack, "", @progbits
