/* SPDX-License-Identifier: MIT */
/*
 * Test group 3: paging on the guest's own tables: %cr3 switches between two
 * address spaces, mapping and unmapping with invlpg, CR0.WP, and %cr4.
 */
#include "arch.h"
#include "paging.h"
#include "test.h"
#include "traps.h"

static u64 probe_read(volatile u64 *p)
{
	u64 v = 0;
	trap_reset();
	TRAP_PROBE("movq (%1), %0", : "+r"(v) : "r"(p) : "r11", "memory");
	return v;
}

static void probe_write(volatile u64 *p, u64 v)
{
	trap_reset();
	TRAP_PROBE("movq %1, (%0)", : : "r"(p), "r"(v) : "r11", "memory");
}

static void expect_page_fault(struct test *t, const char *what, volatile u64 *p, u64 error)
{
	if (trap_expect.seen.count != 1 || trap_expect.seen.vector != VECTOR_PAGE_FAULT) {
		test_fail(t, "%s: no page fault (%lu traps, vector %lu)", what, trap_expect.seen.count,
			  trap_expect.seen.vector);
		return;
	}
	EXPECT_EQ(t, what, trap_expect.seen.error, error);
	EXPECT_EQ(t, "cr2", trap_expect.seen.cr2, (u64)p);
	EXPECT_EQ(t, "saved rip", trap_expect.seen.rip, trap_expect.fault_rip);
}

static void expect_no_fault(struct test *t, const char *what)
{
	if (trap_expect.seen.count)
		test_fail(t, "%s: unexpected exception %lu error 0x%lx", what, trap_expect.seen.vector,
			  trap_expect.seen.error);
}

void test_paging(void)
{
	struct test t;
	volatile u64 *page = TEST_PAGE(TEST_PAGE_SWITCH);

	test_begin(&t, "cr3-switch");
	EXPECT_EQ(&t, "cr3", read_cr3(), (u64)as_a_pml4);
	EXPECT_EQ(&t, "page in address space A", *page, FRAME_A_MAGIC);
	write_cr3((u64)as_b_pml4);
	EXPECT_EQ(&t, "cr3 after switch", read_cr3(), (u64)as_b_pml4);
	EXPECT_EQ(&t, "page in address space B", *page, FRAME_B_MAGIC);
	write_cr3((u64)as_a_pml4);
	EXPECT_EQ(&t, "page back in address space A", *page, FRAME_A_MAGIC);
	test_end(&t);

	test_begin(&t, "map-unmap-invlpg");
	{
		volatile u64 *p = TEST_PAGE(TEST_PAGE_MAPPED);
		test_pt_a[TEST_PAGE_MAPPED] = (u64)frame_c | PTE_P | PTE_W;
		invlpg((const void *)p);
		EXPECT_EQ(&t, "mapped page", probe_read(p), FRAME_C_MAGIC);
		expect_no_fault(&t, "read of the mapped page");
		/* Remap to another frame: invlpg must drop the cached translation. */
		test_pt_a[TEST_PAGE_MAPPED] = (u64)frame_a | PTE_P | PTE_W;
		invlpg((const void *)p);
		EXPECT_EQ(&t, "remapped page", probe_read(p), FRAME_A_MAGIC);
		test_pt_a[TEST_PAGE_MAPPED] = 0;
		invlpg((const void *)p);
		probe_read(p);
		expect_page_fault(&t, "read after unmap: error code", p, 0);
	}
	test_end(&t);

	test_begin(&t, "write-protect");
	{
		volatile u64 *p = TEST_PAGE(TEST_PAGE_READONLY);
		EXPECT_TRUE(&t, "CR0.WP is clear", read_cr0() & X86_CR0_WP);
		probe_write(p, 1);
		expect_page_fault(&t, "supervisor write to a read-only page: error code", p, PF_ERR_P | PF_ERR_W);
		EXPECT_EQ(&t, "read-only page after the faulting write", *p, FRAME_RO_MAGIC);
		/* Without WP the same supervisor write goes through. */
		write_cr0(read_cr0() & ~X86_CR0_WP);
		probe_write(p, 1);
		expect_no_fault(&t, "write with CR0.WP clear");
		EXPECT_EQ(&t, "read-only page written with CR0.WP clear", *p, 1);
		*p = FRAME_RO_MAGIC;
		write_cr0(read_cr0() | X86_CR0_WP);
		EXPECT_TRUE(&t, "CR0.WP not restored", read_cr0() & X86_CR0_WP);
	}
	test_end(&t);

	test_begin(&t, "cr4");
	{
		u64 cr4 = read_cr4();
		EXPECT_TRUE(&t, "CR4.PAE is clear in long mode", cr4 & X86_CR4_PAE);
		write_cr4(cr4);
		EXPECT_EQ(&t, "cr4 written back", read_cr4(), cr4);
		write_cr4(cr4 | X86_CR4_PCE);
		EXPECT_EQ(&t, "cr4 with PCE set", read_cr4(), cr4 | X86_CR4_PCE);
		write_cr4(cr4 & ~X86_CR4_PCE);
		EXPECT_EQ(&t, "cr4 with PCE clear", read_cr4(), cr4 & ~X86_CR4_PCE);
		write_cr4(cr4);
	}
	test_end(&t);
}
