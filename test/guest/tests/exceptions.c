/* SPDX-License-Identifier: MIT */
/*
 * Test group 2: exceptions through the guest's own IDT. Each probe checks
 * the vector, the error code and the saved %rip the handler saw, and that
 * the handler's iretq brought execution back.
 */
#include "arch.h"
#include "desc.h"
#include "paging.h"
#include "test.h"
#include "traps.h"

static void expect_trap(struct test *t, u64 vector, u64 error, u64 rip)
{
	volatile struct trap_record *r = &trap_expect.seen;
	if (r->count != 1) {
		test_fail(t, "expected one exception (vector %lu), saw %lu", vector, r->count);
		return;
	}
	EXPECT_EQ(t, "vector", r->vector, vector);
	EXPECT_EQ(t, "error code", r->error, error);
	EXPECT_EQ(t, "saved rip", r->rip, rip);
	EXPECT_EQ(t, "saved cs", r->cs, SEL_KERNEL_CS);
}

#define MSR_IA32_PKRS 0x6e1

void test_exceptions(void)
{
	struct test t;

	test_begin(&t, "divide-error");
	trap_reset();
	{
		u32 lo = 1, hi = 0, divisor = 0;
		TRAP_PROBE("divl %2", : "+a"(lo), "+d"(hi) : "r"(divisor) : "r11", "memory", "cc");
	}
	expect_trap(&t, VECTOR_DIVIDE, 0, trap_expect.fault_rip);
	test_end(&t);

	test_begin(&t, "breakpoint");
	trap_reset();
	TRAP_PROBE("int3", : : : "r11", "memory");
	/* #BP is a trap: the saved rip is the next instruction. */
	expect_trap(&t, VECTOR_BREAKPOINT, 0, trap_expect.resume);
	test_end(&t);

	test_begin(&t, "invalid-opcode");
	trap_reset();
	TRAP_PROBE("ud2", : : : "r11", "memory");
	expect_trap(&t, VECTOR_INVALID_OPCODE, 0, trap_expect.fault_rip);
	test_end(&t);

	/*
	 * wrmsr with a value the MSR cannot hold: IA32_PKRS (0x6e1) has bits
	 * 63:32 reserved, and CPUs without protection keys for supervisor pages
	 * have no such MSR at all; #GP(0) either way. (An MSR number no vendor
	 * defines is no good probe: qemu's TCG ignores writes to those.)
	 */
	test_begin(&t, "gp-wrmsr");
	trap_reset();
	{
		u64 efer = rdmsr(MSR_EFER);
		TRAP_PROBE("wrmsr", : : "c"(MSR_IA32_PKRS), "a"(0), "d"(1) : "r11", "memory");
		expect_trap(&t, VECTOR_GENERAL_PROTECTION, 0, trap_expect.fault_rip);
		EXPECT_EQ(&t, "efer afterwards", rdmsr(MSR_EFER), efer);
	}
	test_end(&t);

	test_begin(&t, "gp-noncanonical");
	trap_reset();
	{
		u64 addr = 0x8000000000000000UL, v = 0;
		TRAP_PROBE("movq (%1), %0", : "+r"(v) : "r"(addr) : "r11", "memory");
	}
	expect_trap(&t, VECTOR_GENERAL_PROTECTION, 0, trap_expect.fault_rip);
	test_end(&t);

	test_begin(&t, "page-fault-read");
	trap_reset();
	{
		volatile u64 *p = TEST_PAGE(TEST_PAGE_UNMAPPED);
		u64 v = 0;
		TRAP_PROBE("movq (%1), %0", : "+r"(v) : "r"(p) : "r11", "memory");
		expect_trap(&t, VECTOR_PAGE_FAULT, 0, trap_expect.fault_rip);
		EXPECT_EQ(&t, "cr2", trap_expect.seen.cr2, (u64)p);
	}
	test_end(&t);

	test_begin(&t, "page-fault-write");
	trap_reset();
	{
		volatile u64 *p = TEST_PAGE(TEST_PAGE_UNMAPPED) + 3;
		TRAP_PROBE("movq $1, (%0)", : : "r"(p) : "r11", "memory");
		expect_trap(&t, VECTOR_PAGE_FAULT, PF_ERR_W, trap_expect.fault_rip);
		EXPECT_EQ(&t, "cr2", trap_expect.seen.cr2, (u64)p);
	}
	test_end(&t);

	/*
	 * Double fault: with %rsp on an unmapped page, delivering #UD faults
	 * (#PF) and delivering that #PF faults again, which is a #DF. Only its
	 * IST stack lets the handler run; it resumes on the saved good stack.
	 * The SDM leaves the saved %rip of a #DF undefined; qemu reports the
	 * instruction whose delivery failed, and the check holds a VMM to that.
	 */
	test_begin(&t, "double-fault-ist");
	trap_reset();
	{
		u64 bad_rsp = (u64)TEST_PAGE(TEST_PAGE_UNMAPPED) + PAGE_SIZE;
		asm volatile("movq %%rsp, " TRAP_EXPECT(EXPECT_NEW_RSP) "\n\t"
			     "leaq 1f(%%rip), %%r11\n\t"
			     "movq %%r11, " TRAP_EXPECT(EXPECT_FAULT_RIP) "\n\t"
			     "leaq 2f(%%rip), %%r11\n\t"
			     "movq %%r11, " TRAP_EXPECT(EXPECT_RESUME) "\n\t"
			     "movq $1, " TRAP_EXPECT(EXPECT_ARMED) "\n\t"
			     "movq %0, %%rsp\n"
			     "1:\n\t"
			     "ud2\n"
			     "2:\n\t"
			     "movq $0, " TRAP_EXPECT(EXPECT_ARMED)
			     : : "r"(bad_rsp) : "r11", "memory");
		expect_trap(&t, VECTOR_DOUBLE_FAULT, 0, trap_expect.fault_rip);
		EXPECT_TRUE(&t, "handler did not run on the IST stack", ON_STACK(ist_df_stack, trap_expect.seen.frame));
		EXPECT_EQ(&t, "saved rsp", trap_expect.seen.rsp, bad_rsp);
	}
	test_end(&t);
}
