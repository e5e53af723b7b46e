/* SPDX-License-Identifier: MIT */
/*
 * Test group 5: ring 3. iretq into user code on user pages, syscall/sysretq
 * and int $0x80 system calls, privileged instructions faulting at CPL 3,
 * rdtsc allowed at CPL 3 (CR4.TSD clear), and sysenter/sysexit.
 */
#include "arch.h"
#include "desc.h"
#include "paging.h"
#include "test.h"
#include "traps.h"
#include "user.h"

#define USER_CS (SEL_USER_CS | 3)
#define USER_SS (SEL_USER_DS | 3)

/* Arms trap_expect for a fault at insn in user code, resuming at after. */
static void arm_user_fault(const char *insn, const char *after)
{
	trap_reset();
	trap_expect.fault_rip = (u64)insn;
	trap_expect.resume = (u64)after;
	trap_expect.armed = 1;
}

static void expect_user_fault(struct test *t, u64 vector, u64 error)
{
	volatile struct trap_record *r = &trap_expect.seen;
	trap_expect.armed = 0;
	if (r->count != 1) {
		test_fail(t, "expected one exception (vector %lu), saw %lu", vector, r->count);
		return;
	}
	EXPECT_EQ(t, "vector", r->vector, vector);
	EXPECT_EQ(t, "error code", r->error, error);
	EXPECT_EQ(t, "saved rip", r->rip, trap_expect.fault_rip);
	EXPECT_EQ(t, "saved cs", r->cs, USER_CS);
	EXPECT_TRUE(t, "exception from ring 3 not taken on the rsp0 stack", ON_STACK(rsp0_stack, r->frame));
}

static void user_gp_test(const char *name, void (*prog)(void), const char *insn, const char *after)
{
	struct test t;
	test_begin(&t, name);
	arm_user_fault(insn, after);
	u64 ret = user_run(prog, 0, USER_RFLAGS);
	expect_user_fault(&t, VECTOR_GENERAL_PROTECTION, 0);
	EXPECT_EQ(&t, "exit value after the fault", ret, 7);
	test_end(&t);
}

void test_user(void)
{
	struct test t;

	test_begin(&t, "user-iret");
	{
		u64 ret = user_run(user_prog_segments, 0, USER_RFLAGS);
		EXPECT_EQ(&t, "cs:ss seen in ring 3", ret, (USER_CS << 16) | USER_SS);
		EXPECT_EQ(&t, "kernel cs after the return", read_cs(), SEL_KERNEL_CS);
	}
	test_end(&t);

	test_begin(&t, "user-syscall");
	{
		syscall_seen.count = 0;
		u64 ret = user_run(user_prog_syscall, 41, USER_RFLAGS);
		EXPECT_EQ(&t, "SYS_ECHO result after sysretq", ret, 42);
		EXPECT_EQ(&t, "SYS_ECHO calls seen", syscall_seen.count, 1);
		EXPECT_EQ(&t, "argument at entry", syscall_seen.arg, 41);
		EXPECT_EQ(&t, "rcx (user rip) at entry", syscall_seen.user_rip, (u64)user_syscall_return);
		EXPECT_EQ(&t, "kernel cs in the handler", syscall_seen.cs, SEL_KERNEL_CS);
		EXPECT_EQ(&t, "kernel ss in the handler", syscall_seen.ss, SEL_KERNEL_DS);
		EXPECT_TRUE(&t, "syscall entry did not switch to the kernel stack",
			    ON_STACK(syscall_stack, syscall_seen.kernel_rsp));
		EXPECT_EQ(&t, "r11 (user rflags) at entry", syscall_seen.user_rflags & 0xffff, USER_RFLAGS);
		EXPECT_EQ(&t, "GS_BASE back in kernel mode", rdmsr(MSR_GS_BASE), (u64)&percpu);
	}
	test_end(&t);

	test_begin(&t, "user-int80");
	{
		int80_seen.count = 0;
		u64 ret = user_run(user_prog_int80, 41, USER_RFLAGS);
		EXPECT_EQ(&t, "SYS_ECHO result after iretq", ret, 42);
		EXPECT_EQ(&t, "SYS_ECHO calls seen", int80_seen.count, 1);
		EXPECT_EQ(&t, "saved rip", int80_seen.user_rip, (u64)user_int80_return);
		EXPECT_TRUE(&t, "int $0x80 from ring 3 not taken on the rsp0 stack",
			    ON_STACK(rsp0_stack, int80_seen.kernel_rsp));
		EXPECT_EQ(&t, "GS_BASE back in kernel mode", rdmsr(MSR_GS_BASE), (u64)&percpu);
	}
	test_end(&t);

	user_gp_test("user-cli-gp", user_prog_cli, user_cli_insn, user_cli_after);
	user_gp_test("user-in-gp", user_prog_in, user_in_insn, user_in_after);
	user_gp_test("user-hlt-gp", user_prog_hlt, user_hlt_insn, user_hlt_after);
	user_gp_test("user-wrmsr-gp", user_prog_wrmsr, user_wrmsr_insn, user_wrmsr_after);
	/* With CR4.PCE clear, rdpmc at CPL 3 is #GP whether or not counters exist. */
	user_gp_test("user-rdpmc-gp", user_prog_rdpmc, user_rdpmc_insn, user_rdpmc_after);

	test_begin(&t, "user-rdtsc");
	EXPECT_TRUE(&t, "CR4.TSD is set", !(read_cr4() & X86_CR4_TSD));
	EXPECT_EQ(&t, "rdtsc in ring 3 (1: not going backwards)", user_run(user_prog_rdtsc, 0, USER_RFLAGS), 1);
	test_end(&t);

	test_begin(&t, "user-kernel-page");
	{
		arm_user_fault(user_read_insn, user_read_after);
		u64 ret = user_run(user_prog_read, (u64)&percpu, USER_RFLAGS);
		expect_user_fault(&t, VECTOR_PAGE_FAULT, PF_ERR_P | PF_ERR_U);
		EXPECT_EQ(&t, "cr2", trap_expect.seen.cr2, (u64)&percpu);
		EXPECT_EQ(&t, "exit value after the fault", ret, 7);
	}
	test_end(&t);

	/*
	 * SYSENTER/SYSEXIT in long mode exist on Intel CPUs; AMD CPUs raise #UD
	 * for SYSENTER there. Either is accepted, judged by the vendor (qemu's
	 * TCG follows the vendor of the CPU model).
	 */
	test_begin(&t, "user-sysenter");
	{
		struct cpuid_regs v = cpuid(0, 0);
		int amd = v.ebx == 0x68747541; /* "Auth"enticAMD */
		sysenter_seen.count = 0;
		arm_user_fault(user_sysenter_insn, user_sysenter_after);
		u64 ret = user_run(user_prog_sysenter, 0, USER_RFLAGS);
		trap_expect.armed = 0;
		if (trap_expect.seen.count) {
			EXPECT_TRUE(&t, "sysenter faulted on a CPU that is not AMD", amd);
			expect_user_fault(&t, VECTOR_INVALID_OPCODE, 0);
		} else {
			EXPECT_EQ(&t, "sysenter entries", sysenter_seen.count, 1);
			EXPECT_EQ(&t, "value from the kernel after sysexitq", ret, SYSENTER_MAGIC);
			EXPECT_EQ(&t, "return rip passed in rdx", sysenter_seen.user_rip, (u64)user_sysenter_after);
			EXPECT_TRUE(&t, "sysenter did not switch to SYSENTER_ESP",
				    ON_STACK(syscall_stack, sysenter_seen.kernel_rsp));
		}
	}
	test_end(&t);
}
