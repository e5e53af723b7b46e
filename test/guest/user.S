/* SPDX-License-Identifier: MIT */
/*
 * Ring 3 entry and exit, the syscall and sysenter kernel entries, and the
 * user programs (in .user.text, the only code mapped with the user bit).
 * User programs receive one argument in %rdi and end with SYS_EXIT; the
 * kernel entries clobber the caller-saved registers.
 */
#include "desc.h"
#include "user.h"

	.text
	.code64

/* u64 user_run(program %rdi, arg %rsi, rflags %rdx) */
	.globl user_run
user_run:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_return_rsp(%rip)
	pushq $(SEL_USER_DS | 3)
	leaq user_stack_top(%rip), %rax
	pushq %rax
	pushq %rdx
	pushq $(SEL_USER_CS | 3)
	pushq %rdi
	movq %rsi, %rdi
	swapgs
	iretq

/* void user_return(value %rdi): back to user_run's caller, from any kernel stack. */
	.globl user_return
user_return:
	movq %rdi, %rax
	movq user_return_rsp(%rip), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

/*
 * SYSCALL lands here with the user %rsp, user %rip in %rcx and user rflags
 * in %r11. Nothing may touch the stack before it is switched.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KERNEL_RSP, %rsp
	pushq %r11
	pushq %rcx
	/* syscall_dispatch(nr, arg, user_rip, user_rflags, kernel_rsp) */
	movq %rsp, %r8
	movq %r11, %r9
	movq %rcx, %rdx
	movq %r9, %rcx
	movq %rdi, %rsi
	movq %rax, %rdi
	call syscall_dispatch
	popq %rcx
	popq %r11
	movq %gs:PERCPU_USER_RSP, %rsp
	swapgs
	sysretq

/*
 * SYSENTER lands here on SYSENTER_ESP; the user passed its return %rip in
 * %rdx and %rsp in %rcx, which sysexitq uses unchanged.
 */
	.globl sysenter_entry
sysenter_entry:
	swapgs
	pushq %rdx
	pushq %rcx
	movq %rsp, %rdi
	call sysenter_dispatch
	popq %rcx
	popq %rdx
	swapgs
	movq $SYSENTER_MAGIC, %rax
	sysexitq

	.section .user.text, "ax", @progbits

/* Exits with (%cs << 16) | %ss as seen in ring 3. */
	.globl user_prog_segments
user_prog_segments:
	movw %cs, %di
	shll $16, %edi
	movw %ss, %di
	movl $SYS_EXIT, %eax
	syscall

	.globl user_prog_syscall, user_syscall_return
user_prog_syscall:
	movl $SYS_ECHO, %eax
	syscall
user_syscall_return:
	movq %rax, %rdi
	movl $SYS_EXIT, %eax
	syscall

	.globl user_prog_int80, user_int80_return
user_prog_int80:
	movl $SYS_ECHO, %eax
	int $0x80
user_int80_return:
	movq %rax, %rdi
	movl $SYS_EXIT, %eax
	int $0x80

/* Each of these faults once (#GP); the kernel resumes at the _after label. */
	.globl user_prog_cli, user_cli_insn, user_cli_after
user_prog_cli:
user_cli_insn:
	cli
user_cli_after:
	movl $7, %edi
	movl $SYS_EXIT, %eax
	syscall

	.globl user_prog_in, user_in_insn, user_in_after
user_prog_in:
user_in_insn:
	inb $0x21, %al
user_in_after:
	movl $7, %edi
	movl $SYS_EXIT, %eax
	syscall

	.globl user_prog_hlt, user_hlt_insn, user_hlt_after
user_prog_hlt:
user_hlt_insn:
	hlt
user_hlt_after:
	movl $7, %edi
	movl $SYS_EXIT, %eax
	syscall

	.globl user_prog_wrmsr, user_wrmsr_insn, user_wrmsr_after
user_prog_wrmsr:
	movl $0xc0000100, %ecx             /* FS_BASE */
	xorl %eax, %eax
	xorl %edx, %edx
user_wrmsr_insn:
	wrmsr
user_wrmsr_after:
	movl $7, %edi
	movl $SYS_EXIT, %eax
	syscall

	.globl user_prog_rdpmc, user_rdpmc_insn, user_rdpmc_after
user_prog_rdpmc:
	xorl %ecx, %ecx
user_rdpmc_insn:
	rdpmc
user_rdpmc_after:
	movl $7, %edi
	movl $SYS_EXIT, %eax
	syscall

/* Exits with 1 if two rdtsc reads do not go backwards. */
	.globl user_prog_rdtsc
user_prog_rdtsc:
	rdtsc
	shlq $32, %rdx
	orq %rax, %rdx
	movq %rdx, %rsi
	rdtsc
	shlq $32, %rdx
	orq %rax, %rdx
	xorl %edi, %edi
	cmpq %rsi, %rdx
	setae %dil
	movl $SYS_EXIT, %eax
	syscall

/* Reads the address in %rdi (a kernel page: #PF). */
	.globl user_prog_read, user_read_insn, user_read_after
user_prog_read:
user_read_insn:
	movq (%rdi), %rax
user_read_after:
	movl $7, %edi
	movl $SYS_EXIT, %eax
	syscall

/* Spins with interrupts on until a timer tick from ring 3 is seen (or gives up). */
	.globl user_prog_spin
user_prog_spin:
	movl $200000000, %ecx
1:	cmpq $0, user_tick_seen(%rip)
	jne 2f
	decl %ecx
	jnz 1b
2:	movq user_tick_seen(%rip), %rdi
	movl $SYS_EXIT, %eax
	syscall

	.globl user_prog_sysenter, user_sysenter_insn, user_sysenter_after
user_prog_sysenter:
	xorl %eax, %eax
	movq %rsp, %rcx
	leaq user_sysenter_after(%rip), %rdx
user_sysenter_insn:
	sysenter
user_sysenter_after:
	movq %rax, %rdi
	movl $SYS_EXIT, %eax
	syscall

/* %rdi round trips of syscall/sysretq, for the benchmark. */
	.globl user_prog_syscall_loop
user_prog_syscall_loop:
	movq %rdi, %rbx
1:	movl $SYS_NOP, %eax
	syscall
	decq %rbx
	jnz 1b
	xorl %edi, %edi
	movl $SYS_EXIT, %eax
	syscall

	.section .user.stack, "aw", @progbits
	.balign 4096
	.fill 8192, 1, 0
user_stack_top:

	.bss
	.balign 8
user_return_rsp:
	.quad 0
