/* SPDX-License-Identifier: MIT */
/* Builds the two address spaces described in paging.h. */
#include "arch.h"
#include "paging.h"

#define TABLE ALIGNED(4096)
#define IDENTITY_END_2M 512 /* 2 MiB pages covering the first GiB */

u64 as_a_pml4[512] TABLE, as_b_pml4[512] TABLE;
static u64 pdpt_a[512] TABLE, pdpt_b[512] TABLE;
static u64 identity_pd[512] TABLE, identity_pt[512] TABLE;
static u64 test_pd_a[512] TABLE, test_pd_b[512] TABLE;
u64 test_pt_a[512] TABLE, test_pt_b[512] TABLE;
u64 frame_a[512] TABLE, frame_b[512] TABLE, frame_c[512] TABLE, frame_ro[512] TABLE;

extern char __user_start[], __user_end[];

static void fill(u64 *frame, u64 magic)
{
	for (int i = 0; i < 512; i++)
		frame[i] = magic;
}

void paging_init(void)
{
	/* Below 2 MiB: 4 KiB pages, page 0 left out so null pointers fault. */
	for (u64 i = 1; i < 512; i++) {
		u64 pa = i * PAGE_SIZE;
		u64 user = pa >= (u64)__user_start && pa < (u64)__user_end ? PTE_U : 0;
#ifdef GUEST_BROKEN_USER_PAGES
		user = PTE_U; /* deliberately wrong: test-guest must notice */
#endif
		identity_pt[i] = pa | PTE_P | PTE_W | user;
	}
	/* Upper levels allow everything; the leaves decide. */
	identity_pd[0] = (u64)identity_pt | PTE_P | PTE_W | PTE_U;
	for (u64 i = 1; i < IDENTITY_END_2M; i++)
		identity_pd[i] = (i << 21) | PTE_P | PTE_W | PTE_PS;

	fill(frame_a, FRAME_A_MAGIC);
	fill(frame_b, FRAME_B_MAGIC);
	fill(frame_c, FRAME_C_MAGIC);
	fill(frame_ro, FRAME_RO_MAGIC);
	test_pt_a[TEST_PAGE_SWITCH] = (u64)frame_a | PTE_P | PTE_W;
	test_pt_b[TEST_PAGE_SWITCH] = (u64)frame_b | PTE_P | PTE_W;
	test_pt_a[TEST_PAGE_READONLY] = (u64)frame_ro | PTE_P;
	test_pt_b[TEST_PAGE_READONLY] = (u64)frame_ro | PTE_P;
	test_pd_a[0] = (u64)test_pt_a | PTE_P | PTE_W | PTE_U;
	test_pd_b[0] = (u64)test_pt_b | PTE_P | PTE_W | PTE_U;

	pdpt_a[0] = (u64)identity_pd | PTE_P | PTE_W | PTE_U;
	pdpt_b[0] = (u64)identity_pd | PTE_P | PTE_W | PTE_U;
	pdpt_a[TEST_VA >> 30] = (u64)test_pd_a | PTE_P | PTE_W | PTE_U;
	pdpt_b[TEST_VA >> 30] = (u64)test_pd_b | PTE_P | PTE_W | PTE_U;
	as_a_pml4[0] = (u64)pdpt_a | PTE_P | PTE_W | PTE_U;
	as_b_pml4[0] = (u64)pdpt_b | PTE_P | PTE_W | PTE_U;

	write_cr3((u64)as_a_pml4);
	write_cr0(read_cr0() | X86_CR0_WP);
}
