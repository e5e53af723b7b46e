/* SPDX-License-Identifier: MIT */
/*
 * The guest's own 4-level page tables: two address spaces, A and B, that
 * share an identity map of the first GiB (4 KiB pages below 2 MiB, page 0
 * unmapped, only the .user pages with the user bit) and differ at TEST_VA,
 * a 2 MiB window at 1 GiB that tests map and unmap pages in.
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H
#include "types.h"

#define PTE_P 0x001UL
#define PTE_W 0x002UL
#define PTE_U 0x004UL
#define PTE_PS 0x080UL

#define PF_ERR_P 0x1
#define PF_ERR_W 0x2
#define PF_ERR_U 0x4

#define TEST_VA 0x40000000UL
/* Pages of the window (TEST_VA + n * PAGE_SIZE). */
#define TEST_PAGE_SWITCH 0   /* frame_a in A, frame_b in B */
#define TEST_PAGE_MAPPED 1   /* mapped and unmapped by tests */
#define TEST_PAGE_READONLY 2 /* frame_ro, no write bit */
#define TEST_PAGE_UNMAPPED 3 /* never mapped */
#define TEST_PAGE(n) ((volatile u64 *)(TEST_VA + (n) * PAGE_SIZE))

#define FRAME_A_MAGIC 0xa5a5a5a5aaaaaaaaUL
#define FRAME_B_MAGIC 0x5b5b5b5bbbbbbbbbUL
#define FRAME_C_MAGIC 0xc3c3c3c3ccccccccUL
#define FRAME_RO_MAGIC 0x0e0e0e0e0eeeeeeeUL

extern u64 frame_a[512], frame_b[512], frame_c[512], frame_ro[512];
extern u64 as_a_pml4[512], as_b_pml4[512];
/* Page-table entries of the test window in address space A and B. */
extern u64 test_pt_a[512], test_pt_b[512];

/* Builds both address spaces and switches to A with CR0.WP set. */
void paging_init(void);

#endif
