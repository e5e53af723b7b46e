/* SPDX-License-Identifier: MIT */
/*
 * Shadow page tables: the 4-level tables the hypervisor really uses, filled
 * on demand from the guest's tables (vmm_walk) and dropped as a TLB is.
 * Two top-level tables, for guest kernel mode and guest user mode (Xen PV's
 * kernel and user base pointers).  Table pages come from the backend, which
 * also performs the entry writes (Xen: mmu_update, batched); the logic here
 * is pure and host-tested by walking the shadow it builds.
 */
#ifndef VMM_SHADOW_H
#define VMM_SHADOW_H

#include "vmm/paging.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmm_shadow_ops {
	void *ctx;
	/* A zeroed page for a shadow table; its machine frame, or 0 if none is
	 * left (the VMM then flushes and retries). */
	uint64_t (*alloc)(void *ctx);
	void (*release)(void *ctx, uint64_t mfn);
	int (*read)(void *ctx, uint64_t mfn, unsigned index, uint64_t *entry);
	int (*write)(void *ctx, uint64_t mfn, unsigned index, uint64_t entry);
	/* The machine frame behind a guest frame (Xen: the p2m list); ~0 if the
	 * guest frame is not the guest's RAM. */
	uint64_t (*p2m)(void *ctx, uint64_t gfn);
	/* Optional: the entry writes so far take effect (a backend may batch
	 * them); called at the end of every operation below.  No operation
	 * reads an entry it wrote before the commit. */
	void (*commit)(void *ctx);
};

#define VMM_SHADOW_MAX_PAGES 1024

/* Software bits of shadow entries (bits 9-11 are the software's on every
 * level; Xen PV accepts them in all its validated entries).  A leaf with
 * VMM_SHADOW_GLOBAL came from a guest entry with G = 1 while CR4.PGE = 1.
 * An intermediate entry says what its subtree may hold: VMM_SHADOW_GLOBAL
 * global leaves, VMM_SHADOW_LOCAL other leaves; a flush of the non-global
 * translations keeps a subtree with only the first, drops one with only the
 * second (or neither) and walks only those with both. */
#define VMM_SHADOW_GLOBAL 0x200ULL
#define VMM_SHADOW_LOCAL 0x400ULL

/* What a flush drops. */
enum vmm_shadow_flush_kind {
	VMM_SHADOW_FLUSH_NONGLOBAL, /* mov %cr3, invpcid 1 and 3: global leaves stay */
	VMM_SHADOW_FLUSH_ALL,       /* everything (CR4/CR0 paging changes, invpcid 2,
				       running out of pages) */
};

/* A table of the backend's own linked into the kernel-mode table, covering
 * the naturally aligned range of one entry at `level` (4: 512 GiB, 3:
 * 1 GiB, 2: 2 MiB): the VMM's region and its physical-memory window, which
 * must stay mapped whatever the guest does.  Flushes keep links, and the
 * guest's translations never replace them. */
#define VMM_SHADOW_MAX_LINKS 8
struct vmm_shadow_link {
	uint64_t va;
	uint64_t entry;
	unsigned level;
};

struct vmm_shadow {
	const struct vmm_shadow_ops *ops;
	uint64_t top[2];            /* kernel (0) and user (1) L4 machine frames */
	int kernel_user_bit;        /* the guest kernel runs where U must be set */
	unsigned npages;            /* lower-level pages in use */
	/* pages[0, nglobal) hang below entries marked VMM_SHADOW_GLOBAL (a
	 * non-global flush keeps them); pages[nglobal, npages) do not. */
	unsigned nglobal;
	uint64_t pages[VMM_SHADOW_MAX_PAGES];
	uint64_t fills, flushes;    /* statistics */
	struct vmm_shadow_link links[VMM_SHADOW_MAX_LINKS];
	unsigned nlinks;
	/* Top-level slots [foreign_first, foreign_end) belong to the hypervisor
	 * (Xen fills 256..271 of every 64-bit PV top-level table): the shadow
	 * never writes them.  Both 0 after vmm_shadow_init. */
	unsigned foreign_first, foreign_end;
};

/* Allocates the two top-level tables.  Returns 0 or -1. */
int vmm_shadow_init(struct vmm_shadow *s, const struct vmm_shadow_ops *ops, int kernel_user_bit);

/* Installs leaf (a 4 KiB shadow PTE, VMM_SHADOW_GLOBAL set if global) for
 * va in the table of user_table, creating intermediate tables and marking
 * the entries on its path.  Returns 0, or -1 if out of pages. */
int vmm_shadow_set(struct vmm_shadow *s, uint64_t va, int user_table, uint64_t leaf);

/* Links entry (a table of the backend's) at level 2..4 for va into the
 * kernel-mode table, now and after every flush.  Returns 0 or -1. */
int vmm_shadow_link(struct vmm_shadow *s, uint64_t va, unsigned level, uint64_t entry);
/* Whether va lies in a linked range (the kernel-mode table only). */
int vmm_shadow_linked(const struct vmm_shadow *s, uint64_t va);
/* Handles a shadow miss of the guest at va: walks the guest's tables and
 * installs the translation in the table of the current mode.  Returns 0
 * (restart the access), 1 (a guest fault: deliver w->fault), or -1 (no
 * shadow page left even after a flush, or no machine frame). */
int vmm_shadow_fault(struct vmm_shadow *s, const struct vmm_phys *guest, const struct vmm_paging *p,
		     uint64_t va, unsigned access, struct vmm_walk_result *w);

/* Drops the translations of kind in both tables; links and the
 * hypervisor's slots stay.  Tables that still hold global leaves stay in
 * use; the others go back to the backend. */
void vmm_shadow_flush(struct vmm_shadow *s, enum vmm_shadow_flush_kind kind);
/* Whether the table of user_table holds a translation for va. */
int vmm_shadow_mapped(const struct vmm_shadow *s, uint64_t va, int user_table);
/* Drops the translations of one page in both tables (invlpg). */
void vmm_shadow_invlpg(struct vmm_shadow *s, uint64_t va);

#ifdef __cplusplus
}
#endif

#endif
