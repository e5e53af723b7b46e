/* SPDX-License-Identifier: MIT */
/*
 * Test group 1: descriptor tables. Loads the GDT (reloading every segment
 * register, %cs through a far return), the LDT, the TSS and the IDT, then
 * reads all of it back with the store instructions and lar/lsl/verr/verw.
 */
#include "arch.h"
#include "desc.h"
#include "test.h"

struct far_ptr32 {
	u32 offset;
	u16 selector;
} PACKED;

/* Far transfers through m16:32 pointers (segments.S); return 1 and 2. */
u64 far_jump_test(void);
u64 far_call_test(void);

/* lar/lsl/verr/verw set ZF when the selector passes their checks. */
static int lar(u32 sel, u32 *rights)
{
	u8 ok;
	asm volatile("lar %2, %0\n\tsetz %1" : "=r"(*rights), "=q"(ok) : "r"(sel), "0"(0) : "cc");
	return ok;
}
static int lsl(u32 sel, u32 *limit)
{
	u8 ok;
	asm volatile("lsl %2, %0\n\tsetz %1" : "=r"(*limit), "=q"(ok) : "r"(sel), "0"(0) : "cc");
	return ok;
}
static int verr(u16 sel)
{
	u8 ok;
	asm volatile("verr %1\n\tsetz %0" : "=q"(ok) : "r"(sel) : "cc");
	return ok;
}
static int verw(u16 sel)
{
	u8 ok;
	asm volatile("verw %1\n\tsetz %0" : "=q"(ok) : "r"(sel) : "cc");
	return ok;
}

#define LAR_MASK 0x00f0ff00u
static u32 lar_of_desc(u64 desc) { return (u32)(desc >> 32) & LAR_MASK; }

static void expect_lar(struct test *t, const char *what, u32 sel, u32 want)
{
	u32 rights;
	if (!lar(sel, &rights))
		test_fail(t, "%s: lar refused selector 0x%x", what, sel);
	else
		EXPECT_EQ(t, what, rights & LAR_MASK, want);
}

void test_descriptors(void)
{
	struct test t;
	struct desc_ptr p;

	test_begin(&t, "gdt-load");
	desc_load_gdt();
	desc_load_idt();
	asm volatile("sgdt %0" : "=m"(p));
	EXPECT_EQ(&t, "sgdt limit", p.limit, gdt_ptr.limit);
	EXPECT_EQ(&t, "sgdt base", p.base, gdt_ptr.base);
	test_end(&t);

	test_begin(&t, "idt-load");
	asm volatile("sidt %0" : "=m"(p));
	EXPECT_EQ(&t, "sidt limit", p.limit, idt_ptr.limit);
	EXPECT_EQ(&t, "sidt base", p.base, idt_ptr.base);
	test_end(&t);

	test_begin(&t, "segment-reload");
	EXPECT_EQ(&t, "cs", read_cs(), SEL_KERNEL_CS);
	EXPECT_EQ(&t, "ds", read_ds(), SEL_KERNEL_DS);
	EXPECT_EQ(&t, "es", read_es(), SEL_KERNEL_DS);
	EXPECT_EQ(&t, "ss", read_ss(), SEL_KERNEL_DS);
	EXPECT_EQ(&t, "fs", read_fs(), SEL_KERNEL_DS);
	EXPECT_EQ(&t, "gs", read_gs(), SEL_KERNEL_DS);
	/* A DPL 3 data segment may be loaded at CPL 0; push/pop keep the selector. */
	asm volatile("movw %w0, %%es" : : "r"(SEL_USER_DS | 3));
	EXPECT_EQ(&t, "es after loading the user data selector", read_es(), SEL_USER_DS | 3);
	asm volatile("movw %w0, %%es" : : "r"(SEL_KERNEL_DS));
	asm volatile("movw %w0, %%fs\n\t"
		     "pushq %%fs\n\t"
		     "movw %w1, %%fs\n\t"
		     "popq %%fs"
		     : : "r"(SEL_USER_DS | 3), "r"(SEL_KERNEL_DS) : "memory");
	EXPECT_EQ(&t, "fs after push/pop", read_fs(), SEL_USER_DS | 3);
	asm volatile("pushq %%gs\n\tpopq %%gs" : : : "memory");
	EXPECT_EQ(&t, "gs after push/pop", read_gs(), SEL_KERNEL_DS);
	test_end(&t);

	test_begin(&t, "far-pointer-loads");
	{
		struct far_ptr32 ptr = { 0x1234, SEL_USER_DS | 3 };
		u32 off_fs = 0, off_gs = 0, off_ss = 0;
		asm volatile("lfs %1, %0" : "=r"(off_fs) : "m"(ptr));
		asm volatile("lgs %1, %0" : "=r"(off_gs) : "m"(ptr));
		EXPECT_EQ(&t, "fs from lfs", read_fs(), SEL_USER_DS | 3);
		EXPECT_EQ(&t, "offset from lfs", off_fs, 0x1234);
		EXPECT_EQ(&t, "gs from lgs", read_gs(), SEL_USER_DS | 3);
		EXPECT_EQ(&t, "offset from lgs", off_gs, 0x1234);
		struct far_ptr32 ss_ptr = { 0x5678, SEL_KERNEL_DS };
		asm volatile("lss %1, %0" : "=r"(off_ss) : "m"(ss_ptr));
		EXPECT_EQ(&t, "ss from lss", read_ss(), SEL_KERNEL_DS);
		EXPECT_EQ(&t, "offset from lss", off_ss, 0x5678);
		asm volatile("movw %w0, %%fs\n\tmovw %w0, %%gs" : : "r"(SEL_KERNEL_DS));
	}
	test_end(&t);

	test_begin(&t, "far-jump-call");
	EXPECT_EQ(&t, "ljmp through m16:32", far_jump_test(), 1);
	EXPECT_EQ(&t, "lcall/lret through m16:32", far_call_test(), 2);
	EXPECT_EQ(&t, "cs afterwards", read_cs(), SEL_KERNEL_CS);
	test_end(&t);

	test_begin(&t, "ldt");
	{
		u16 sel;
		asm volatile("sldt %0" : "=r"(sel));
		EXPECT_EQ(&t, "sldt", sel, SEL_LDT);
		asm volatile("movw %w0, %%fs" : : "r"(SEL_LDT_DATA));
		EXPECT_EQ(&t, "fs loaded from the LDT", read_fs(), SEL_LDT_DATA);
		asm volatile("movw %w0, %%fs" : : "r"(SEL_KERNEL_DS));
		expect_lar(&t, "lar of the LDT data segment", SEL_LDT_DATA, lar_of_desc(DESC_KERNEL_DS));
	}
	test_end(&t);

	test_begin(&t, "tss");
	{
		u16 sel;
		u32 limit;
		asm volatile("str %0" : "=r"(sel));
		EXPECT_EQ(&t, "str", sel, SEL_TSS);
		/* ltr marks the descriptor busy: type 0xb. */
		expect_lar(&t, "lar of the TSS", SEL_TSS, 0x00008b00);
		EXPECT_TRUE(&t, "lsl refused the TSS", lsl(SEL_TSS, &limit));
		EXPECT_EQ(&t, "lsl of the TSS", limit, TSS_LIMIT);
		EXPECT_EQ(&t, "tss rsp0", tss.rsp[0], STACK_TOP(rsp0_stack));
		EXPECT_EQ(&t, "tss ist1", tss.ist[0], STACK_TOP(ist_df_stack));
	}
	test_end(&t);

	test_begin(&t, "lar-lsl");
	{
		u32 v;
		expect_lar(&t, "lar kernel cs", SEL_KERNEL_CS, lar_of_desc(DESC_KERNEL_CS));
		expect_lar(&t, "lar kernel ds", SEL_KERNEL_DS, lar_of_desc(DESC_KERNEL_DS));
		expect_lar(&t, "lar user cs", SEL_USER_CS | 3, lar_of_desc(DESC_USER_CS));
		expect_lar(&t, "lar user cs32", SEL_USER_CS32 | 3, lar_of_desc(DESC_USER_CS32));
		EXPECT_TRUE(&t, "lsl refused kernel ds", lsl(SEL_KERNEL_DS, &v));
		EXPECT_EQ(&t, "lsl kernel ds", v, 0xffffffffu);
		EXPECT_TRUE(&t, "lar accepted the null selector", !lar(0, &v));
		EXPECT_TRUE(&t, "lar accepted a selector past the GDT limit", !lar(GDT_ENTRIES * 8, &v));
		EXPECT_TRUE(&t, "lsl accepted a selector past the GDT limit", !lsl(GDT_ENTRIES * 8, &v));
	}
	test_end(&t);

	test_begin(&t, "verr-verw");
	EXPECT_TRUE(&t, "verr kernel cs (readable code)", verr(SEL_KERNEL_CS));
	EXPECT_TRUE(&t, "verw kernel cs (code is not writable)", !verw(SEL_KERNEL_CS));
	EXPECT_TRUE(&t, "verr kernel ds", verr(SEL_KERNEL_DS));
	EXPECT_TRUE(&t, "verw kernel ds", verw(SEL_KERNEL_DS));
	EXPECT_TRUE(&t, "verr tss (system segment)", !verr(SEL_TSS));
	test_end(&t);
}
