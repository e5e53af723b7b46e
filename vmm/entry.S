/* SPDX-License-Identifier: MIT */
/*
 * How rewritten sites enter and leave the VMM (docs/vmm-interface.md).
 *
 * vmm_entry          from a per-site thunk `pushq $desc; jmp vmm_entry`
 *                    reached by `call thunk` at the site
 * vmm_entry_nostack  from a NOSTACK thunk that saved the guest %rsp in
 *                    vmm_pcpu.nostack_rsp and switched to vmm_nostack_stack
 * vmm_pushf_table, vmm_sti, vmm_popf_slow   the inline fast paths, called from
 *                    the sites (docs/vmm-interface.md, section 1)
 *
 * The register frame is a struct vmm_regs.  On the guest's stack it lies
 * VMM_GAP bytes below the guest's %rsp, so that an emulation that pushes
 * onto that stack (pushf, an interrupt frame, lcall) never overlaps the
 * frame the exit path reads.  The exit path reads only at or above %rsp,
 * so an asynchronous event that the hypervisor delivers onto the current
 * stack during it cannot corrupt what is still to be restored.
 */
#include "previrt/vmm_abi.h"

#define VMM_GAP 128
#define FRAME (VMM_REGS_SIZE)                 /* 144 */
#define DESC_SLOT (FRAME + VMM_GAP)           /* the thunk's pushq $desc */
#define RET_SLOT (DESC_SLOT + 8)              /* the site's call return address */
#define GUEST_RSP (RET_SLOT + 8)              /* the guest's %rsp at the site */
#define TARGET_SLOT FRAME                     /* first slot of the gap */

	.text
	.code64

/* Saves the general registers into the frame at %rsp (rflags already there). */
.macro SAVE_GPRS
	mov %rax, 0(%rsp)
	mov %rcx, 8(%rsp)
	mov %rdx, 16(%rsp)
	mov %rbx, 24(%rsp)
	mov %rbp, 40(%rsp)
	mov %rsi, 48(%rsp)
	mov %rdi, 56(%rsp)
	mov %r8, 64(%rsp)
	mov %r9, 72(%rsp)
	mov %r10, 80(%rsp)
	mov %r11, 88(%rsp)
	mov %r12, 96(%rsp)
	mov %r13, 104(%rsp)
	mov %r14, 112(%rsp)
	mov %r15, 120(%rsp)
.endm

	.globl vmm_entry
	.type vmm_entry, @function
vmm_entry:
	lea -VMM_GAP(%rsp), %rsp	/* lea: the guest's flags are still live */
	pushfq
	lea -(FRAME - 8)(%rsp), %rsp
	SAVE_GPRS
	mov RET_SLOT(%rsp), %rax
	mov %rax, VMM_REGS_OFF_RIP(%rsp)	/* the return address; the dispatcher uses desc->site */
	lea GUEST_RSP(%rsp), %rax
	mov %rax, 32(%rsp)
	mov %rsp, %rdi
	mov DESC_SLOT(%rsp), %rsi	/* pushq $imm32 stored it sign-extended; 0 from the fast paths */
	mov %rsp, %rbx
	and $-16, %rsp
	cld
	call vmm_site_entry		/* returns if the guest resumes from the frame */
	mov %rbx, %rsp
	/* fall through */

/* Resumes the guest from the frame at %rsp. */
	.globl vmm_resume
vmm_resume:
	mov 32(%rsp), %rax		/* the guest's new %rsp */
	mov VMM_REGS_OFF_RIP(%rsp), %rcx
	mov %rcx, -8(%rax)		/* rip just below it, for the final ret */
	lea -8(%rax), %rax
	mov %rax, TARGET_SLOT(%rsp)
	mov 0(%rsp), %rax
	mov 8(%rsp), %rcx
	mov 16(%rsp), %rdx
	mov 24(%rsp), %rbx
	mov 40(%rsp), %rbp
	mov 48(%rsp), %rsi
	mov 56(%rsp), %rdi
	mov 64(%rsp), %r8
	mov 72(%rsp), %r9
	mov 80(%rsp), %r10
	mov 88(%rsp), %r11
	mov 96(%rsp), %r12
	mov 104(%rsp), %r13
	mov 112(%rsp), %r14
	mov 120(%rsp), %r15
	/* The exit tail: the labels let a backend that takes an event here find
	 * the guest's state (vmm_exit_fixup in vmm/exit_fixup.c). */
	.globl vmm_exit_lea, vmm_exit_popf, vmm_exit_mov, vmm_exit_ret
vmm_exit_lea:
	lea VMM_REGS_OFF_RFLAGS(%rsp), %rsp
vmm_exit_popf:
	popfq				/* arithmetic flags; IF/IOPL are not the guest's to set */
vmm_exit_mov:
	mov (%rsp), %rsp		/* = new %rsp - 8, holding rip */
vmm_exit_ret:
	ret
	.size vmm_entry, . - vmm_entry

/*
 * NOSTACK sites (swapgs at syscall entry, sysret/sysexit at the end of exit
 * paths): the thunk has saved %rsp in vmm_pcpu.nostack_rsp and switched to
 * vmm_nostack_stack_top, then pushed $desc.  Nothing touches the guest's
 * stack; the exit goes back with jmp through vmm_pcpu.nostack_rip.
 */
	.globl vmm_entry_nostack
	.type vmm_entry_nostack, @function
vmm_entry_nostack:
	pushfq
	lea -(FRAME - 8)(%rsp), %rsp
	SAVE_GPRS
	mov vmm_pcpu+VMM_PCPU_OFF_NOSTACK_RSP(%rip), %rax
	mov %rax, 32(%rsp)
	movq $0, VMM_REGS_OFF_RIP(%rsp)	/* the dispatcher uses desc->site */
	mov %rsp, %rdi
	mov FRAME(%rsp), %rsi
	mov %rsp, %rbx
	and $-16, %rsp
	cld
	call vmm_site_entry
	mov %rbx, %rsp
	mov 32(%rsp), %rax
	mov %rax, vmm_pcpu+VMM_PCPU_OFF_NOSTACK_RSP(%rip)
	mov VMM_REGS_OFF_RIP(%rsp), %rax
	mov %rax, vmm_pcpu+VMM_PCPU_OFF_NOSTACK_RIP(%rip)
	mov 0(%rsp), %rax
	mov 8(%rsp), %rcx
	mov 16(%rsp), %rdx
	mov 24(%rsp), %rbx
	mov 40(%rsp), %rbp
	mov 48(%rsp), %rsi
	mov 56(%rsp), %rdi
	mov 64(%rsp), %r8
	mov 72(%rsp), %r9
	mov 80(%rsp), %r10
	mov 88(%rsp), %r11
	mov 96(%rsp), %r12
	mov 104(%rsp), %r13
	mov 112(%rsp), %r14
	mov 120(%rsp), %r15
	lea VMM_REGS_OFF_RFLAGS(%rsp), %rsp
	popfq
	mov vmm_pcpu+VMM_PCPU_OFF_NOSTACK_RSP(%rip), %rsp
	jmp *vmm_pcpu+VMM_PCPU_OFF_NOSTACK_RIP(%rip)
	.size vmm_entry_nostack, . - vmm_entry_nostack

/*
 * The inline paths.  Sites call them and they run as guest code would (a
 * backend may deliver interrupts inside them, see the docs); none changes
 * the guest's arithmetic flags unless a popfq reloads them.  They share a
 * section aligned to VMM_PUSHF_TABLE_ALIGN that starts with the pushf
 * entries, so that vmm_pcpu.pushf_entry is the table's address plus
 * 256 * vif byte + mode byte (vmm_abi.h).
 */
	.section .text.vmm_fast_paths, "ax", @progbits
	.balign VMM_PUSHF_TABLE_ALIGN
	.globl vmm_pushf_table, vmm_fast_paths
vmm_fast_paths:
vmm_pushf_table:
/*
 * pushf: the site ran pushfq, then `call *vmm_pcpu(%rip)`: [rsp] = return
 * address (the site's end), [rsp+8] = the real flags, whose IF is 1 (the
 * guest runs deprivileged) and whose IOPL, NT, AC and ID are 0 (no popfq
 * here loads them).  IF clear, no system bit: take the real IF away.
 */
	xchg %rax, 8(%rsp)
	lea -0x200(%rax), %rax
	xchg %rax, 8(%rsp)
	ret
	.org vmm_pushf_table + VMM_MODE_SYS
	jmp vmm_pushf_sys
	.org vmm_pushf_table + 256 * VMM_VIF_ON
	ret				/* IF set, no system bit: the real flags are right */
	.org vmm_pushf_table + 256 * VMM_VIF_ON + VMM_MODE_SYS
	jmp vmm_pushf_sys

/* With system bits: real flags - real IF + 256 * vif byte + vflags_sys. */
vmm_pushf_sys:
	push %rcx
	push %rax
	mov 24(%rsp), %rax
	movzwl vmm_pcpu+VMM_PCPU_OFF_PUSHF_ENTRY(%rip), %ecx	/* 256 * vif + VMM_MODE_SYS */
	lea -0x200 - VMM_MODE_SYS(%rax,%rcx), %rax
	mov vmm_pcpu+VMM_PCPU_OFF_VFLAGS_SYS(%rip), %rcx
	lea (%rax,%rcx), %rax
	mov %rax, 24(%rsp)
	pop %rax
	pop %rcx
	ret

/*
 * sti: `call vmm_sti` + 3 NOPs.  Sets IF, then enters the VMM only if an
 * interrupt is pending.  No instruction here changes the arithmetic flags
 * (movb, push, movzbl, jrcxz, pop, ret).
 */
	.globl vmm_sti
	.type vmm_sti, @function
vmm_sti:				/* the call ends its site (NOPs come first) */
	movb $VMM_VIF_ON, vmm_pcpu+VMM_PCPU_OFF_VIF(%rip)
vmm_irq_check:
	push %rcx
	movzbl vmm_pcpu+VMM_PCPU_OFF_PENDING(%rip), %ecx
	jrcxz 1f
	pop %rcx
	pushq $0			/* no descriptor: deliver, resume at the return address */
	jmp vmm_entry
1:	pop %rcx
	ret
	.size vmm_sti, . - vmm_sti

/*
 * popf's slow path, for a value with IF or a system bit set: the site's
 * `call vmm_popf_slow`, guest kernel mode only (user mode goes through the
 * descriptor path, where IOPL decides).  [rsp] = return address, [rsp+8] =
 * the value; it returns VMM_POPF_SLOW_SKIP bytes past the call, to the
 * site's end.  Takes IF and the system bits from the value, loads the
 * arithmetic flags with a real popfq (the hypervisor keeps the real IF and
 * IOPL), then checks for a pending interrupt as sti does.
 */
	.globl vmm_popf_slow
	.type vmm_popf_slow, @function
vmm_popf_slow:
	addq $VMM_POPF_SLOW_SKIP, (%rsp)	/* flags are free: the popfq sets them */
	push %rax
	mov 16(%rsp), %rax
	and $0x200, %eax
	shr $8, %eax			/* 0 or VMM_VIF_ON */
	mov %al, vmm_pcpu+VMM_PCPU_OFF_VIF(%rip)
	mov 16(%rsp), %rax
	and $0x247000, %eax		/* IOPL, NT, AC, ID */
	mov %rax, vmm_pcpu+VMM_PCPU_OFF_VFLAGS_SYS(%rip)
	setnz %al			/* the mode byte after vflags_sys: see vmm.h */
	shl $7, %al
	mov %al, vmm_pcpu+VMM_PCPU_OFF_MODE(%rip)
	andq $~0x247000, 16(%rsp)	/* the real flags get none of them; their IF */
	pop %rax			/* the CPU ignores at the guest's real CPL */
	push 8(%rsp)			/* [value][return address][value] */
	popfq
	push %rcx			/* the pending check, as in vmm_sti, if IF is set */
	movzbl vmm_pcpu+VMM_PCPU_OFF_VIF(%rip), %ecx
	jrcxz 1f
	movzbl vmm_pcpu+VMM_PCPU_OFF_PENDING(%rip), %ecx
	jrcxz 1f
	pop %rcx
	popq (%rsp)			/* the return address where the value was */
	pushq $0
	jmp vmm_entry
1:	pop %rcx
	ret $8
	.size vmm_popf_slow, . - vmm_popf_slow
	.globl vmm_fast_paths_end
vmm_fast_paths_end:
	.text

	.data
	.balign 64
	.globl vmm_pcpu
	.type vmm_pcpu, @object
vmm_pcpu:
	.fill VMM_PCPU_SIZE, 1, 0
	.size vmm_pcpu, . - vmm_pcpu

	.bss
	.balign 16
vmm_nostack_stack:
	.fill 8192, 1, 0
	.globl vmm_nostack_stack_top
vmm_nostack_stack_top:

	.section .note.GNU-stack, "", @progbits
