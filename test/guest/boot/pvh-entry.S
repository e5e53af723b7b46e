/* SPDX-License-Identifier: MIT */
/*
 * PVH entry: the XEN_ELFNOTE_PHYS32_ENTRY note and the 32-bit code it names.
 *
 * A PVH loader (qemu -kernel, Xen PVH) starts here in 32-bit protected mode
 * with paging off, flat %cs/%ds/%es/%ss, interrupts off and %ebx pointing to
 * struct hvm_start_info. This code fills the guest's own boot-info structure
 * from it, switches to long mode on a static identity map of the first GiB
 * and jumps to guest_entry64, whose contract is docs/guest-boot.md.
 */
#include "bootinfo.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578
#define HVM_START_VERSION 4
#define HVM_START_CMDLINE 24
#define HVM_START_MEMMAP 40
#define HVM_START_MEMMAP_ENTRIES 48

#define BOOT_CS32 0x08
#define BOOT_DS 0x10
#define BOOT_CS64 0x18

#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)

	.section .note.Xen, "a", @note
	.balign 4
	.long 4                            /* namesz: "Xen\0" */
	.long 4                            /* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start32

	.section .text.boot32, "ax", @progbits
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	/* The loader's GDT is undefined: load ours before touching segments. */
	lgdt boot_gdt_ptr
	movl $BOOT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl $boot32_stack_top, %esp

	cmpl $HVM_START_MAGIC, (%ebx)
	jne boot_failed

	movl $GUEST_BOOT_MAGIC, boot_info + BOOTINFO_MAGIC
	movl $GUEST_BOOT_VERSION, boot_info + BOOTINFO_VERSION
	movl HVM_START_CMDLINE(%ebx), %eax
	movl %eax, boot_info + BOOTINFO_CMDLINE
	/* The memory map exists from hvm_start_info version 1 on. */
	cmpl $1, HVM_START_VERSION(%ebx)
	jb 1f
	movl HVM_START_MEMMAP(%ebx), %eax
	movl %eax, boot_info + BOOTINFO_MEMMAP
	movl HVM_START_MEMMAP_ENTRIES(%ebx), %eax
	movl %eax, boot_info + BOOTINFO_MEMMAP_ENTRIES
1:
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmp $BOOT_CS64, $boot64

boot_failed:
	/* Not started by a PVH loader: report status 2 (aborted) and stop. */
	movl $2, %eax
	outl %eax, $0xf4
2:	hlt
	jmp 2b

	.code64
boot64:
	movl $boot_info, %esi
	jmp guest_entry64

	.section .data.boot, "aw", @progbits
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff           /* BOOT_CS32: flat 32-bit code */
	.quad 0x00cf93000000ffff           /* BOOT_DS: flat data */
	.quad 0x00af9b000000ffff           /* BOOT_CS64: 64-bit code */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.balign 8
	.globl boot_info
boot_info:
	.fill 32, 1, 0

	/* The identity map of the first GiB (2 MiB pages) that guest_entry64
	 * starts on. It lives in .data, not .bss: guest_entry64 clears .bss
	 * while running on it. */
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt + 0x3
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 0x3
	.fill 511, 8, 0
boot_pd:
	.set frame, 0
	.rept 512
	.quad (frame << 21) | 0x83         /* present, writable, 2 MiB */
	.set frame, frame + 1
	.endr

	.balign 16
	.fill 256, 1, 0
boot32_stack_top:
