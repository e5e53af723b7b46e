/* SPDX-License-Identifier: MIT */
/*
 * Test group 8: instructions that depend on optional CPU features (each
 * line says skipped, and why, when the feature is absent) and string I/O.
 */
#include "arch.h"
#include "desc.h"
#include "paging.h"
#include "test.h"
#include "traps.h"

#define CPUID_7_EBX_FSGSBASE (1u << 0)
#define CPUID_7_EBX_INVPCID (1u << 10)
#define CPUID_7_EBX_SMAP (1u << 20)
#define CPUID_D1_EAX_XSAVES (1u << 3)
#define CPUID_80000001_EDX_RDTSCP (1u << 27)
#define CPUID_1_ECX_XSAVE (1u << 26)

#define PIC1_DATA 0x21

static u32 leaf7_ebx(void)
{
	return cpuid(0, 0).eax >= 7 ? cpuid(7, 0).ebx : 0;
}

static void test_string_io(void)
{
	struct test t;
	test_begin(&t, "string-io");
	{
		u8 saved = inb(PIC1_DATA);
		u8 out = 0xa5, in = 0;
		const u8 *src = &out;
		u8 *dst = &in;
		asm volatile("outsb" : "+S"(src) : "d"(PIC1_DATA), "m"(out));
		asm volatile("insb" : "+D"(dst), "=m"(in) : "d"(PIC1_DATA) : "memory");
		EXPECT_EQ(&t, "PIC mask written with outsb, read with insb", in, 0xa5);
		EXPECT_EQ(&t, "outsb advanced rsi", (u64)(src - &out), 1);
		EXPECT_EQ(&t, "insb advanced rdi", (u64)(dst - &in), 1);
		outb(PIC1_DATA, saved);
	}
	test_end(&t);
}

static void test_rdtscp(void)
{
	struct test t;
	test_begin(&t, "rdtscp");
	if (cpuid(0x80000000, 0).eax < 0x80000001 || !(cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_RDTSCP)) {
		test_skip(&t, "no RDTSCP");
	} else {
		u32 lo, hi, aux;
		wrmsr(MSR_TSC_AUX, 0x2a);
		asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		EXPECT_EQ(&t, "TSC_AUX from rdtscp", aux, 0x2a);
		u64 tsc = ((u64)hi << 32) | lo;
		EXPECT_TRUE(&t, "rdtscp behind rdtsc", rdtsc() >= tsc);
	}
	test_end(&t);
}

static void test_invpcid(void)
{
	struct test t;
	test_begin(&t, "invpcid");
	if (!(leaf7_ebx() & CPUID_7_EBX_INVPCID)) {
		test_skip(&t, "no INVPCID");
	} else {
		struct {
			u64 pcid, addr;
		} desc = { 0, 0 };
		volatile u64 *p = TEST_PAGE(TEST_PAGE_MAPPED);
		test_pt_a[TEST_PAGE_MAPPED] = (u64)frame_c | PTE_P | PTE_W;
		invlpg((const void *)p);
		EXPECT_EQ(&t, "mapped page", *p, FRAME_C_MAGIC);
		test_pt_a[TEST_PAGE_MAPPED] = (u64)frame_b | PTE_P | PTE_W;
		/* Type 2: all contexts, including global translations. */
		asm volatile("invpcid %0, %1" : : "m"(desc), "r"(2UL) : "memory");
		EXPECT_EQ(&t, "remapped page after invpcid", *p, FRAME_B_MAGIC);
		test_pt_a[TEST_PAGE_MAPPED] = 0;
		invlpg((const void *)p);
	}
	test_end(&t);
}

static void test_fsgsbase(void)
{
	struct test t;
	test_begin(&t, "fsgsbase");
	if (!(leaf7_ebx() & CPUID_7_EBX_FSGSBASE)) {
		test_skip(&t, "no FSGSBASE");
	} else {
		u64 cr4 = read_cr4(), v;
		write_cr4(cr4 | X86_CR4_FSGSBASE);
		asm volatile("wrfsbase %0" : : "r"(0x00007f0000001000UL));
		EXPECT_EQ(&t, "FS_BASE after wrfsbase", rdmsr(MSR_FS_BASE), 0x00007f0000001000UL);
		wrmsr(MSR_FS_BASE, 0x00007f0000002000UL);
		asm volatile("rdfsbase %0" : "=r"(v));
		EXPECT_EQ(&t, "rdfsbase", v, 0x00007f0000002000UL);
		asm volatile("wrgsbase %0" : : "r"(0x00007f0000003000UL));
		EXPECT_EQ(&t, "GS_BASE after wrgsbase", rdmsr(MSR_GS_BASE), 0x00007f0000003000UL);
		wrmsr(MSR_GS_BASE, 0x00007f0000004000UL);
		asm volatile("rdgsbase %0" : "=r"(v));
		EXPECT_EQ(&t, "rdgsbase", v, 0x00007f0000004000UL);
		wrmsr(MSR_FS_BASE, 0);
		percpu_load();
		write_cr4(cr4);
	}
	test_end(&t);
}

static void test_stac_clac(void)
{
	struct test t;
	test_begin(&t, "stac-clac");
	if (!(leaf7_ebx() & CPUID_7_EBX_SMAP)) {
		test_skip(&t, "no SMAP");
	} else {
		asm volatile("stac" : : : "cc");
		EXPECT_TRUE(&t, "stac did not set EFLAGS.AC", read_flags() & X86_EFLAGS_AC);
		asm volatile("clac" : : : "cc");
		EXPECT_TRUE(&t, "clac did not clear EFLAGS.AC", !(read_flags() & X86_EFLAGS_AC));
	}
	test_end(&t);
}

static void test_xsaves(void)
{
	struct test t;
	test_begin(&t, "xsaves-xrstors");
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) || cpuid(0, 0).eax < 0xd ||
	    !(cpuid(0xd, 1).eax & CPUID_D1_EAX_XSAVES)) {
		test_skip(&t, "no XSAVES");
	} else {
		static u8 area[4096] ALIGNED(64);
		write_cr4(read_cr4() | X86_CR4_OSXSAVE);
		wrmsr(MSR_XSS, 0);
		trap_reset();
		/* x87 state only (RFBM = 1). */
		TRAP_PROBE("xsaves64 (%0)", : : "r"(area), "a"(1), "d"(0) : "r11", "memory");
		EXPECT_EQ(&t, "exceptions in xsaves", trap_expect.seen.count, 0);
		u64 xcomp_bv = *(u64 *)(area + 512 + 8);
		EXPECT_TRUE(&t, "xsaves did not write the compacted format", xcomp_bv >> 63);
		trap_reset();
		TRAP_PROBE("xrstors64 (%0)", : : "r"(area), "a"(1), "d"(0) : "r11", "memory");
		EXPECT_EQ(&t, "exceptions in xrstors", trap_expect.seen.count, 0);
	}
	test_end(&t);
}

void test_extensions(void)
{
	test_string_io();
	test_rdtscp();
	test_invpcid();
	test_fsgsbase();
	test_stac_clac();
	test_xsaves();
}
