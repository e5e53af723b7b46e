/* SPDX-License-Identifier: MIT */
/* Kernel side of the system call paths. */
#include "arch.h"
#include "desc.h"
#include "traps.h"
#include "user.h"

volatile struct syscall_record syscall_seen, int80_seen, sysenter_seen;

void user_setup(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((u64)(SEL_USER_CS32 | 3) << 48) | ((u64)SEL_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	wrmsr(MSR_SFMASK, SYSCALL_MASK);
	wrmsr(MSR_SYSENTER_CS, SEL_KERNEL_CS);
	wrmsr(MSR_SYSENTER_ESP, STACK_TOP(syscall_stack));
	wrmsr(MSR_SYSENTER_EIP, (u64)sysenter_entry);
}

static u64 syscall_do(u64 nr, u64 arg)
{
	switch (nr) {
	case SYS_EXIT:
		user_return(arg);
	case SYS_ECHO:
#ifdef GUEST_BROKEN_ECHO
		return arg + 2; /* deliberately wrong: the test suite must notice */
#else
		return arg + 1;
#endif
	case SYS_NOP:
		return 0;
	default:
		return ~0UL;
	}
}

static void record(volatile struct syscall_record *r, u64 nr, u64 arg, u64 rip, u64 rflags, u64 rsp)
{
	r->count++;
	r->nr = nr;
	r->arg = arg;
	r->user_rip = rip;
	r->user_rflags = rflags;
	r->kernel_rsp = rsp;
	r->cs = read_cs();
	r->ss = read_ss();
}

u64 syscall_dispatch(u64 nr, u64 arg, u64 user_rip, u64 user_rflags, u64 kernel_rsp)
{
	if (nr == SYS_ECHO)
		record(&syscall_seen, nr, arg, user_rip, user_rflags, kernel_rsp);
	return syscall_do(nr, arg);
}

void syscall_int_handler(struct trap_frame *f)
{
	if (f->rax == SYS_ECHO)
		record(&int80_seen, f->rax, f->rdi, f->rip, f->rflags, (u64)f);
	f->rax = syscall_do(f->rax, f->rdi);
}

/* regs[0] = user %rsp (%rcx), regs[1] = return %rip (%rdx). */
void sysenter_dispatch(u64 *regs)
{
	record(&sysenter_seen, 0, 0, regs[1], read_flags(), (u64)regs);
}
