// SPDX-License-Identifier: MIT
/*
 * Memory of the in-place VMM on Xen.
 *
 * A 64-bit PV guest's page tables hold machine frames, and Xen accepts a
 * frame as a page table only if no writable mapping of it exists.  The VMM
 * therefore keeps every table it builds in a pool of pages at the top of
 * the guest's memory (reserved in the guest's memory map) and maps the pool
 * read-only in its window onto the guest's memory, as it does the tables
 * Xen built at boot.  Table pages are written with mmu_update, which for a
 * frame not yet in use as a table is a plain checked write; Xen validates
 * the whole tree when a top-level table is pinned or loaded.  Pages are
 * cleared with MMUEXT_CLEAR_PAGE, so no temporary writable mapping is ever
 * needed.
 *
 * The window (XEN_VMM_PHYSMAP_BASE) maps pseudo-physical page n at
 * base + n * 4096 with 4 KiB entries; the region elfrewrite added (2 MiB
 * aligned) gets L1 tables of its own.  Both are linked into the kernel-mode
 * shadow table and survive its flushes (vmm_shadow_link).
 */
#include "vmm-xen.h"

#include "hypercall.h"
#include "vmm-image.h"
#include "xen-backend.h"

#define PTE_P  0x001ULL
#define PTE_W  0x002ULL
#define PTE_U  0x004ULL
#define PTE_A  0x020ULL
#define PTE_D  0x040ULL
#define PTE_NX (1ULL << 63)
#define TABLE_ENTRY (PTE_P | PTE_W | PTE_U | PTE_A)
#define PAGE 4096ULL

long xen_mmuext(unsigned int cmd, uint64_t arg)
{
	struct mmuext_op op = { .cmd = cmd };

	if (cmd == MMUEXT_INVLPG_LOCAL)
		op.arg1.linear_addr = arg;
	else
		op.arg1.mfn = arg;
	return xen_hypercall5(__HYPERVISOR_mmuext_op, (unsigned long)&op, 1, 0, DOMID_SELF, 0);
}

/* ---- batched page-table writes ------------------------------------------- */

static struct mmu_update batch[64];
static unsigned batched;

static long batch_flush(void)
{
	long rc = 0;

	if (batched)
		rc = xen_hypercall5(__HYPERVISOR_mmu_update, (unsigned long)batch, batched, 0,
				    DOMID_SELF, 0);
	batched = 0;
	return rc;
}

static long batch_write(uint64_t mfn, unsigned index, uint64_t entry)
{
	batch[batched].ptr = ((mfn << 12) + index * 8) | MMU_NORMAL_PT_UPDATE;
	batch[batched].val = entry;
	return ++batched == sizeof(batch) / sizeof(batch[0]) ? batch_flush() : 0;
}

/* ---- the pool --------------------------------------------------------------- */

static uint64_t pool_take(struct xen_vmm_memory *m)
{
	uint64_t mfn;

	if (m->nfree)
		mfn = m->free_mfns[--m->nfree];
	else if (m->pool_next < m->nr_pages)
		mfn = m->p2m[m->pool_next++];
	else
		return 0;
	return xen_mmuext(MMUEXT_CLEAR_PAGE, mfn) < 0 ? 0 : mfn;
}

static int is_table_pfn(const struct xen_vmm_memory *m, uint64_t pfn)
{
	return pfn >= m->pool_first || (pfn >= m->pt_first && pfn < m->pt_end);
}

/* ---- shadow operations --------------------------------------------------------- */

static uint64_t shadow_alloc(void *ctx)
{
	return pool_take(ctx);
}

static void shadow_release(void *ctx, uint64_t mfn)
{
	struct xen_vmm_memory *m = ctx;

	if (m->nfree < XEN_VMM_POOL_PAGES)
		m->free_mfns[m->nfree++] = mfn;
}

static const uint64_t *table_in_window(const struct xen_vmm_memory *m, uint64_t mfn)
{
	const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
	uint64_t pfn = m2p[mfn];

	if (pfn >= m->nr_pages)
		return 0;
	return (const uint64_t *)(XEN_VMM_PHYSMAP_BASE + pfn * PAGE);
}

static int shadow_read(void *ctx, uint64_t mfn, unsigned index, uint64_t *entry)
{
	const uint64_t *t = table_in_window(ctx, mfn);

	if (!t)
		return -1;
	*entry = t[index];
	return 0;
}

/* Batched: one mmu_update per shadow operation (commit) in the common case. */
static int shadow_write(void *ctx, uint64_t mfn, unsigned index, uint64_t entry)
{
	(void)ctx;
	return batch_write(mfn, index, entry) < 0 ? -1 : 0;
}

static void shadow_commit(void *ctx)
{
	(void)ctx;
	if (batch_flush() < 0) /* names the first entry of the batch */
		xen_vmm_fatal("Xen refused an mmu_update of the shadow tables", batch[0].ptr);
}

static uint64_t shadow_p2m(void *ctx, uint64_t gfn)
{
	const struct xen_vmm_memory *m = ctx;

	return gfn < m->nr_pages && !is_table_pfn(m, gfn) ? m->p2m[gfn] : ~0ULL;
}

/* ---- guest-physical memory ------------------------------------------------------ */

static int phys_read64(void *ctx, uint64_t gpa, uint64_t *value)
{
	const struct xen_vmm_memory *m = ctx;

	if ((gpa & 7) || gpa >= m->nr_pages * PAGE)
		return -1;
	*value = *(const volatile uint64_t *)(XEN_VMM_PHYSMAP_BASE + gpa);
	return 0;
}

static int phys_write64(void *ctx, uint64_t gpa, uint64_t value)
{
	const struct xen_vmm_memory *m = ctx;

	if ((gpa & 7) || gpa >= m->nr_pages * PAGE || is_table_pfn(m, gpa / PAGE))
		return -1;
	*(volatile uint64_t *)(XEN_VMM_PHYSMAP_BASE + gpa) = value;
	return 0;
}

/* ---- building ----------------------------------------------------------------- */

uint64_t xen_vmm_region_frame(void *ctx, uint64_t va)
{
	const struct xen_vmm_memory *m = ctx;

	va &= ~(PAGE - 1);
	/* boot.c mapped shared_info over a page of the region */
	if (va == (uint64_t)(unsigned long)xen_shared_info)
		return xen_start_info->shared_info >> 12;
	return m->p2m[(va - m->virt_base) / PAGE];
}

static long build_window(struct xen_vmm_memory *m)
{
	uint64_t l2[8], l1;
	unsigned nl2 = (unsigned)((m->nr_pages + 512 * 512 - 1) / (512 * 512));
	long rc = 0;

	if (nl2 > 8)
		return -XEN_ENOMEM;
	m->physmap_l3 = pool_take(m);
	for (unsigned i = 0; i < nl2; i++) {
		l2[i] = pool_take(m);
		if (!l2[i])
			return -XEN_ENOMEM;
		if ((rc = batch_write(m->physmap_l3, i, (l2[i] << 12) | TABLE_ENTRY)) < 0)
			return rc;
	}
	for (uint64_t first = 0; first < m->nr_pages; first += 512) {
		if (!(l1 = pool_take(m)))
			return -XEN_ENOMEM;
		for (uint64_t pfn = first; pfn < first + 512 && pfn < m->nr_pages; pfn++) {
			uint64_t e = (m->p2m[pfn] << 12) | PTE_P | PTE_U | PTE_A | PTE_D | PTE_NX;

			if (!is_table_pfn(m, pfn))
				e |= PTE_W;
			if ((rc = batch_write(l1, (unsigned)(pfn % 512), e)) < 0)
				return rc;
		}
		rc = batch_write(l2[first / (512 * 512)], (unsigned)(first / 512 % 512),
				 (l1 << 12) | TABLE_ENTRY);
		if (rc < 0)
			return rc;
	}
	if ((rc = batch_flush()) < 0)
		return rc;
	/* The window in the tables Xen built too, so that the VMM can use it
	 * before it runs on tables of its own. */
	rc = batch_write(m->p2m[m->pt_first], (unsigned)((XEN_VMM_PHYSMAP_BASE >> 39) & 511),
			 (m->physmap_l3 << 12) | TABLE_ENTRY);
	return rc < 0 ? rc : batch_flush();
}

static long build_region_tables(struct xen_vmm_memory *m)
{
	uint64_t start = VMM_IMAGE_VALUE(previrt_region_start);
	uint64_t end = VMM_IMAGE_VALUE(previrt_region_end);
	long rc;

	if (start & ((2ULL << 20) - 1))
		return -XEN_EINVAL; /* elfrewrite aligns the region to 2 MiB */
	m->region_l1_count = (unsigned)((end - start + (2ULL << 20) - 1) >> 21);
	if (m->region_l1_count > sizeof(m->region_l1) / sizeof(m->region_l1[0]))
		return -XEN_ENOMEM;
	for (unsigned i = 0; i < m->region_l1_count; i++)
		if (!(m->region_l1[i] = pool_take(m)))
			return -XEN_ENOMEM;
	for (uint64_t va = start; va < end; va += PAGE) {
		uint64_t e = (xen_vmm_region_frame(m, va) << 12) | PTE_P | PTE_W | PTE_U | PTE_A | PTE_D;

		rc = batch_write(m->region_l1[(va - start) >> 21], (unsigned)((va >> 12) & 511), e);
		if (rc < 0)
			return rc;
	}
	return batch_flush();
}

long xen_vmm_memory_init(struct xen_vmm_memory *m, const start_info_t *si)
{
	long rc;

	m->nr_pages = si->nr_pages;
	m->virt_base = VMM_IMAGE_VALUE(previrt_virt_base);
	m->p2m = (const uint64_t *)si->mfn_list;
	if (m->nr_pages < 2 * XEN_VMM_POOL_PAGES)
		return -XEN_ENOMEM;
	m->pool_first = m->pool_next = m->nr_pages - XEN_VMM_POOL_PAGES;
	m->pt_first = (si->pt_base - m->virt_base) / PAGE;
	m->pt_end = m->pt_first + si->nr_pt_frames;
	m->nfree = 0;
	m->phys = (struct vmm_phys){ .ctx = m, .read64 = phys_read64, .write64 = phys_write64 };
	m->shadow_ops = (struct vmm_shadow_ops){
		.ctx = m, .alloc = shadow_alloc, .release = shadow_release,
		.read = shadow_read, .write = shadow_write, .p2m = shadow_p2m,
		.commit = shadow_commit,
	};
	if ((rc = build_window(m)) < 0 || (rc = build_region_tables(m)) < 0)
		return rc;
	/* From here on the p2m list is read through the window: Xen's initial
	 * mapping of it goes away with Xen's tables. */
	m->p2m = (const uint64_t *)(XEN_VMM_PHYSMAP_BASE + (si->mfn_list - m->virt_base));
	return 0;
}

int xen_vmm_memory_link(struct xen_vmm_memory *m, struct vmm_shadow *s)
{
	uint64_t start = VMM_IMAGE_VALUE(previrt_region_start);

	if (vmm_shadow_link(s, XEN_VMM_PHYSMAP_BASE, 4, (m->physmap_l3 << 12) | TABLE_ENTRY))
		return -1;
	for (unsigned i = 0; i < m->region_l1_count; i++)
		if (vmm_shadow_link(s, start + ((uint64_t)i << 21), 2,
				    (m->region_l1[i] << 12) | TABLE_ENTRY))
			return -1;
	return 0;
}
