/* SPDX-License-Identifier: MIT */
/*
 * Test group 4: model-specific registers: EFER, the syscall MSRs and the
 * segment base MSRs written and read back, and swapgs exchanging the bases.
 */
#include "arch.h"
#include "desc.h"
#include "test.h"
#include "user.h"

static void expect_msr_roundtrip(struct test *t, const char *name, u32 msr, u64 value)
{
	u64 saved = rdmsr(msr);
	wrmsr(msr, value);
	u64 got = rdmsr(msr);
	wrmsr(msr, saved);
	if (got != value)
		test_fail(t, "%s: wrote 0x%lx, read 0x%lx", name, value, got);
}

void test_msrs(void)
{
	struct test t;

	test_begin(&t, "efer");
	{
		u64 efer = rdmsr(MSR_EFER);
		EXPECT_TRUE(&t, "EFER.LME is clear", efer & EFER_LME);
		EXPECT_TRUE(&t, "EFER.LMA is clear", efer & EFER_LMA);
		wrmsr(MSR_EFER, efer & ~EFER_SCE);
		EXPECT_EQ(&t, "efer with SCE clear", rdmsr(MSR_EFER), efer & ~EFER_SCE);
		wrmsr(MSR_EFER, efer | EFER_SCE);
		EXPECT_EQ(&t, "efer with SCE set", rdmsr(MSR_EFER), efer | EFER_SCE);
	}
	test_end(&t);

	test_begin(&t, "syscall-msrs");
	expect_msr_roundtrip(&t, "STAR", MSR_STAR, 0x0023001000080000UL);
	expect_msr_roundtrip(&t, "LSTAR", MSR_LSTAR, 0xffffffff81234560UL);
	expect_msr_roundtrip(&t, "SFMASK", MSR_SFMASK, 0x0000000000047700UL);
	test_end(&t);

	test_begin(&t, "base-msrs");
	expect_msr_roundtrip(&t, "FS_BASE", MSR_FS_BASE, 0x00007f0012345000UL);
	expect_msr_roundtrip(&t, "GS_BASE", MSR_GS_BASE, 0xffff888000001000UL);
	expect_msr_roundtrip(&t, "KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0x00007f00abcde000UL);
	/* The GS base is what %gs-relative loads use. */
	{
		static u64 slot[2] = { 0x1111, 0x2222 };
		u64 v;
		wrmsr(MSR_GS_BASE, (u64)slot);
		asm volatile("movq %%gs:8, %0" : "=r"(v));
		EXPECT_EQ(&t, "load through the GS base", v, 0x2222);
		percpu_load();
	}
	test_end(&t);

	test_begin(&t, "swapgs");
	{
		const u64 a = 0x0000111122220000UL, b = 0x0000333344440000UL;
		wrmsr(MSR_GS_BASE, a);
		wrmsr(MSR_KERNEL_GS_BASE, b);
		swapgs();
		EXPECT_EQ(&t, "GS_BASE after swapgs", rdmsr(MSR_GS_BASE), b);
		EXPECT_EQ(&t, "KERNEL_GS_BASE after swapgs", rdmsr(MSR_KERNEL_GS_BASE), a);
		swapgs();
		EXPECT_EQ(&t, "GS_BASE after a second swapgs", rdmsr(MSR_GS_BASE), a);
		EXPECT_EQ(&t, "KERNEL_GS_BASE after a second swapgs", rdmsr(MSR_KERNEL_GS_BASE), b);
		percpu_load();
	}
	test_end(&t);

	/* Leave the MSRs as the ring-3 tests need them. */
	user_setup();
}
