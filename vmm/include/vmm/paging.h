/* SPDX-License-Identifier: MIT */
/*
 * The guest's 4-level page tables as the VMM reads them: a walk over
 * guest-physical memory with the hardware's permission rules, and the
 * shadow entry a backend installs for a translation it found.
 */
#ifndef VMM_PAGING_H
#define VMM_PAGING_H

#include <stdint.h>

#include "vmm/vmm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Guest-physical memory, 8-byte entries.  Return 0, or nonzero if gpa is
 * not guest RAM (the walk then fails with a reserved-bit #PF). */
struct vmm_phys {
	void *ctx;
	int (*read64)(void *ctx, uint64_t gpa, uint64_t *value);
	int (*write64)(void *ctx, uint64_t gpa, uint64_t value);
};

/* The paging controls a walk depends on. */
struct vmm_paging {
	uint64_t cr3;
	uint8_t wp, nxe, smep, smap, ac;
	uint8_t maxphyaddr;
	uint8_t pge;            /* CR4.PGE: G = 1 leaves are global */
};

void vmm_paging_from_vcpu(const struct vmm_vcpu *v, struct vmm_paging *p);

/* Kinds of access (combine). */
#define VMM_ACCESS_READ 0
#define VMM_ACCESS_WRITE 1
#define VMM_ACCESS_USER 2      /* at CPL 3 */
#define VMM_ACCESS_FETCH 4
#define VMM_ACCESS_IMPLICIT 8  /* a supervisor access the CPU makes itself
				  (descriptor tables, TSS, the frame of an event
				  from user mode): SMAP does not apply */

struct vmm_walk_result {
	uint64_t gpa;           /* translation of the address walked */
	uint64_t page_size;     /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t leaf;          /* the leaf entry after A/D updates */
	uint64_t entry_gpa[4];  /* where the entries walked lie, top level first */
	unsigned levels;        /* entries walked */
	uint8_t writable;       /* the AND of every level's R/W */
	uint8_t user;           /* the AND of every level's U/S */
	uint8_t nx;             /* the OR of every level's XD (with EFER.NXE) */
	struct vmm_fault fault; /* #PF (with cr2) or #GP for a non-canonical address */
};

/* Translates va for the given access.  Returns 0 and fills w, setting the
 * accessed bits of the entries used and the dirty bit of the leaf on a
 * write; or returns nonzero with w->fault set and no bit changed. */
int vmm_walk(const struct vmm_phys *m, const struct vmm_paging *p, uint64_t va,
	     unsigned access, struct vmm_walk_result *w);

/* The shadow leaf entry (4 KiB) for the page of va, backed by machine frame
 * mfn, in the kernel-mode (user_table = 0) or user-mode (1) top-level table.
 * VMM_SHADOW_GLOBAL (vmm/shadow.h) is set for a global guest translation.
 * Returns 0 (not present) where that table must not map the page: a guest
 * supervisor page in the user-mode table.  A clean page is mapped read-only
 * so that its first write faults and the VMM can set the guest's D bit.
 * kernel_user_bit: the backend runs the guest kernel at a privilege that
 * needs U set on its pages (Xen PV: ring 3). */
uint64_t vmm_shadow_pte(const struct vmm_walk_result *w, const struct vmm_paging *p, uint64_t mfn,
			int user_table, int kernel_user_bit);

#ifdef __cplusplus
}
#endif

#endif
