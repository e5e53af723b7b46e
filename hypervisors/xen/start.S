/* SPDX-License-Identifier: MIT */
/*
 * Start of day of a 64-bit Xen PV kernel.
 *
 * Xen's domain builder enters the ELF's XEN_ELFNOTE_ENTRY address in 64-bit
 * mode, in guest kernel mode (really ring 3, which Xen presents as the
 * guest's kernel), with:
 *   %rsi  virtual address of start_info (struct start_info, <xen/xen.h>):
 *         memory size, the shared_info machine address, the page-table base,
 *         the console event channel, flags (SIF_INITDOMAIN for dom0) and
 *         the command line
 *   %rsp  a small stack Xen set up at the end of the initial mapping
 *   event delivery masked (vcpu_info.evtchn_upcall_mask = 1), no callbacks
 *   registered, no IDT (trap table) installed; the loaded image, start_info,
 *   the initial page tables and the p2m list are mapped at their virtual
 *   addresses, and .bss is already zeroed (the loader clears p_memsz past
 *   p_filesz).
 *
 * We switch to a stack inside our own image, so that its size and placement
 * are ours, and hand start_info to xen_pv_boot() (boot.c).  Nothing here may
 * use a privileged instruction: the kernel is not in ring 0.
 */
/* The boot stack; the VMM may later switch to stacks of its own. */
#ifndef XEN_BOOT_STACK_SIZE
#define XEN_BOOT_STACK_SIZE 16384
#endif

	.section .text.xen_pv_start, "ax", @progbits
	.globl xen_pv_start
	.type xen_pv_start, @function
xen_pv_start:
	cld
	movq $xen_boot_stack_top, %rsp
	movq %rsi, %rdi
	xorl %ebp, %ebp                 /* terminates frame-pointer walks */
	call xen_pv_boot
	/* xen_pv_boot never returns; should it, trap rather than run on. */
1:	ud2
	jmp 1b
	.size xen_pv_start, . - xen_pv_start

	.section .bss.xen_boot_stack, "aw", @nobits
	.balign 4096
xen_boot_stack:
	.skip XEN_BOOT_STACK_SIZE
xen_boot_stack_top:
	.size xen_boot_stack, . - xen_boot_stack

	.section .note.GNU-stack, "", @progbits
