/* SPDX-License-Identifier: MIT */
/*
 * Memory of the in-place VMM on Xen (vmm-memory.c): the page pool the
 * shadow tables come from, the window through which the VMM reaches all of
 * the guest's pseudo-physical memory, the page tables of the VMM's own
 * region, and the shadow operations over mmu_update.
 */
#ifndef PREVIRT_XEN_VMM_MEMORY_H
#define PREVIRT_XEN_VMM_MEMORY_H

#include "xen-public.h"
#include "vmm/paging.h"
#include "vmm/shadow.h"

/* The physical-memory window: L4 slot 509, an unused hole in Linux's
 * x86-64 layout (between cpu_entry_area and the %esp fixup stacks) and
 * far from anything the test guest maps. */
#define XEN_VMM_PHYSMAP_BASE 0xfffffe8000000000ULL

/* Pages at the top of the guest's memory kept for the VMM's tables. */
#define XEN_VMM_POOL_PAGES (VMM_SHADOW_MAX_PAGES + 96)

struct xen_vmm_memory {
	uint64_t nr_pages;          /* the guest's pseudo-physical pages */
	uint64_t virt_base;         /* virtual address of pseudo-physical 0 */
	const uint64_t *p2m;        /* pseudo-physical -> machine frame */
	uint64_t pool_first, pool_next; /* pfns: [pool_first, nr_pages) is the pool */
	uint64_t pt_first, pt_end;  /* pfns of the page tables Xen built for us */
	uint64_t free_mfns[XEN_VMM_POOL_PAGES];
	unsigned nfree;
	uint64_t physmap_l3;        /* machine frame of the window's L3 */
	uint64_t region_l1[4];      /* machine frames of the region's L1s */
	unsigned region_l1_count;
	struct vmm_phys phys;       /* guest-physical memory through the window */
	struct vmm_shadow_ops shadow_ops;
};

/* Builds the pool and the window's and region's tables (not yet used by
 * any top-level table).  Returns 0 or a negative Xen error. */
long xen_vmm_memory_init(struct xen_vmm_memory *m, const start_info_t *si);
/* Links the window and the region into a shadow's kernel-mode table. */
int xen_vmm_memory_link(struct xen_vmm_memory *m, struct vmm_shadow *s);
/* The machine frame behind a page of the VMM's region. */
uint64_t xen_vmm_region_frame(void *ctx, uint64_t va);

/* mmuext_op with one mfn or linear-address argument. */
long xen_mmuext(unsigned int cmd, uint64_t arg);

#endif
