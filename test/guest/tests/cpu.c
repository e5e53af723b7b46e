/* SPDX-License-Identifier: MIT */
/*
 * Test group 7: identification and housekeeping instructions: cpuid (sanity
 * only: nothing CPU-specific is printed), rdtsc, wbinvd/invd, CR0.TS with
 * clts/lmsw/smsw, xsetbv, and the debug registers.
 */
#include "arch.h"
#include "test.h"

#define CPUID_1_EDX_TSC (1u << 4)
#define CPUID_1_EDX_MSR (1u << 5)
#define CPUID_1_EDX_PAE (1u << 6)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_80000001_EDX_LM (1u << 29)

static int printable(u32 word)
{
	for (int i = 0; i < 4; i++, word >>= 8)
		if ((word & 0xff) < 0x20 || (word & 0xff) > 0x7e)
			return 0;
	return 1;
}

static u64 xgetbv(u32 index)
{
	u32 lo, hi;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((u64)hi << 32) | lo;
}

static void xsetbv(u32 index, u64 v)
{
	asm volatile("xsetbv" : : "c"(index), "a"((u32)v), "d"((u32)(v >> 32)));
}

void test_cpu(void)
{
	struct test t;

	test_begin(&t, "cpuid-leaf0");
	{
		struct cpuid_regs r = cpuid(0, 0);
		EXPECT_TRUE(&t, "highest basic leaf below 1", r.eax >= 1);
		EXPECT_TRUE(&t, "vendor string not printable", printable(r.ebx) && printable(r.edx) && printable(r.ecx));
	}
	test_end(&t);

	test_begin(&t, "cpuid-leaf1");
	{
		struct cpuid_regs r = cpuid(1, 0);
		u32 family = (r.eax >> 8) & 0xf;
		EXPECT_TRUE(&t, "family is 0", family != 0);
		EXPECT_TRUE(&t, "TSC feature missing", r.edx & CPUID_1_EDX_TSC);
		EXPECT_TRUE(&t, "MSR feature missing", r.edx & CPUID_1_EDX_MSR);
		EXPECT_TRUE(&t, "PAE feature missing", r.edx & CPUID_1_EDX_PAE);
		struct cpuid_regs e = cpuid(0x80000000, 0);
		EXPECT_TRUE(&t, "no extended leaf 0x80000001", e.eax >= 0x80000001);
		EXPECT_TRUE(&t, "long mode feature missing", cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_LM);
	}
	test_end(&t);

	test_begin(&t, "rdtsc-monotonic");
	{
		u64 first = rdtsc(), prev = first;
		int backwards = 0;
		for (int i = 0; i < 1000; i++) {
			u64 now = rdtsc();
			if (now < prev)
				backwards = 1;
			prev = now;
		}
		EXPECT_TRUE(&t, "rdtsc went backwards", !backwards);
		EXPECT_TRUE(&t, "rdtsc did not advance", prev > first);
	}
	test_end(&t);

	test_begin(&t, "wbinvd-invd");
	{
		static volatile u64 cell;
		cell = 0x1234;
		wbinvd();
		EXPECT_EQ(&t, "memory after wbinvd", cell, 0x1234);
		cell = 0x5678;
		/* invd right after wbinvd: nothing dirty is left to lose. */
		asm volatile("wbinvd\n\tinvd" : : : "memory");
		EXPECT_EQ(&t, "memory after wbinvd;invd", cell, 0x5678);
	}
	test_end(&t);

	test_begin(&t, "cr0-ts");
	{
		u64 cr0 = read_cr0();
		u16 msw;
		asm volatile("smsw %0" : "=r"(msw));
		EXPECT_EQ(&t, "smsw", msw, cr0 & 0xffff);
		write_cr0(cr0 | X86_CR0_TS);
		EXPECT_TRUE(&t, "mov to cr0 did not set TS", read_cr0() & X86_CR0_TS);
		clts();
		EXPECT_TRUE(&t, "clts did not clear TS", !(read_cr0() & X86_CR0_TS));
		asm volatile("lmsw %0" : : "r"((u16)(msw | X86_CR0_TS)));
		EXPECT_TRUE(&t, "lmsw did not set TS", read_cr0() & X86_CR0_TS);
		clts();
		EXPECT_EQ(&t, "cr0 afterwards", read_cr0(), cr0 & ~X86_CR0_TS);
	}
	test_end(&t);

	test_begin(&t, "xsetbv");
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
		test_skip(&t, "no XSAVE");
	} else {
		write_cr4(read_cr4() | X86_CR4_OSXSAVE);
		EXPECT_TRUE(&t, "XCR0.x87 is clear", xgetbv(0) & 1);
		xsetbv(0, 0x3); /* x87 and SSE state */
		EXPECT_EQ(&t, "xcr0 after xsetbv", xgetbv(0), 0x3);
		xsetbv(0, 0x1);
		EXPECT_EQ(&t, "xcr0 after the second xsetbv", xgetbv(0), 0x1);
	}
	test_end(&t);

	test_begin(&t, "debug-registers");
	{
		u64 dr0, dr7, dr6;
		asm volatile("movq %0, %%dr0" : : "r"(0x12345678UL));
		asm volatile("movq %%dr0, %0" : "=r"(dr0));
		asm volatile("movq %%dr7, %0" : "=r"(dr7));
		asm volatile("movq %%dr6, %0" : "=r"(dr6));
		EXPECT_EQ(&t, "dr0", dr0, 0x12345678);
		/* No breakpoint is enabled; bit 10 of DR7 always reads 1. */
		EXPECT_EQ(&t, "dr7", dr7 & 0xffffffff, 0x400);
		/* DR6 bits 4-11 and 16-31 are fixed to 1. */
		EXPECT_EQ(&t, "dr6 fixed bits", dr6 & 0xffff0ff0, 0xffff0ff0);
		asm volatile("movq %0, %%dr7" : : "r"(0x400UL));
		asm volatile("movq %0, %%dr0" : : "r"(0UL));
	}
	test_end(&t);
}
