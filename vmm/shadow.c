// SPDX-License-Identifier: MIT
/*
 * Shadow page tables as a software TLB (see vmm/include/vmm/shadow.h and
 * docs/vmm-interface.md, "Memory").  Only 4 KiB leaves are installed: a
 * guest 2 MiB or 1 GiB page is shadowed page by page as it is touched.
 * Intermediate entries are present, writable and user (rights are decided
 * at the leaf, where the guest's combined rights are), so one intermediate
 * table serves every leaf below it.
 *
 * Global translations survive a cr3 load as on hardware: their leaves and
 * the entries above them carry software marks (VMM_SHADOW_GLOBAL and
 * VMM_SHADOW_LOCAL in shadow.h), so a non-global flush clears a subtree
 * with one write, keeps a global one with none, and walks only subtrees
 * that hold both kinds.
 */
#include "vmm/shadow.h"

#define ENTRY_ADDR 0x000ffffffffff000ULL
#define INTERMEDIATE (X86_PTE_P | X86_PTE_W | X86_PTE_U | X86_PTE_A)

int vmm_shadow_init(struct vmm_shadow *s, const struct vmm_shadow_ops *ops, int kernel_user_bit)
{
	s->ops = ops;
	s->kernel_user_bit = kernel_user_bit;
	s->npages = s->nglobal = 0;
	s->fills = s->flushes = 0;
	s->nlinks = 0;
	s->foreign_first = s->foreign_end = 0;
	s->top[0] = ops->alloc(ops->ctx);
	s->top[1] = ops->alloc(ops->ctx);
	return s->top[0] && s->top[1] ? 0 : -1;
}

static unsigned index_of(uint64_t va, unsigned level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

static int commit(const struct vmm_shadow *s, int result)
{
	if (s->ops->commit)
		s->ops->commit(s->ops->ctx);
	return result;
}

static uint64_t link_span(unsigned level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/* Whether a and b lie in the range of one entry at `level`. */
static int same_entry(uint64_t a, uint64_t b, unsigned level)
{
	return ((a ^ b) & ~(link_span(level) - 1)) == 0;
}

/* Whether top-level slot i is the hypervisor's. */
static int foreign_slot(const struct vmm_shadow *s, unsigned i)
{
	return i >= s->foreign_first && i < s->foreign_end;
}

int vmm_shadow_linked(const struct vmm_shadow *s, uint64_t va)
{
	for (unsigned i = 0; i < s->nlinks; i++)
		if (same_entry(va, s->links[i].va, s->links[i].level))
			return 1;
	return 0;
}

/* Whether the entry at `level` for va in the kernel-mode table lies on the
 * path to a link (above it): flushes always walk those, so they carry no
 * marks and fills never rewrite them. */
static int on_link_path(const struct vmm_shadow *s, uint64_t va, unsigned level)
{
	for (unsigned k = 0; k < s->nlinks; k++)
		if (s->links[k].level < level && same_entry(s->links[k].va, va, level))
			return 1;
	return 0;
}

/* The pool page mfn now hangs below an entry marked global: moves it into
 * pages[0, nglobal) (rare: once per table between flushes). */
static void page_turns_global(struct vmm_shadow *s, uint64_t mfn)
{
	for (unsigned i = s->nglobal; i < s->npages; i++) {
		if (s->pages[i] != mfn)
			continue;
		s->pages[i] = s->pages[s->nglobal];
		s->pages[s->nglobal++] = mfn;
		return;
	}
}

/* Writes entry at `level` for va in table top, creating the tables above it
 * and marking the entries on the way with mark (VMM_SHADOW_GLOBAL or
 * VMM_SHADOW_LOCAL; 0 for a link).  Tables created for a link are not the
 * pool's: flushes keep them (they are on the path to the link) and only
 * clear the guest's entries in them. */
static int install(struct vmm_shadow *s, int user_table, uint64_t va, unsigned bottom,
		   uint64_t entry, uint64_t mark)
{
	const struct vmm_shadow_ops *o = s->ops;
	uint64_t table = s->top[user_table ? 1 : 0];
	int for_link = mark == 0;

	if (foreign_slot(s, index_of(va, 4)))
		return -1; /* the hypervisor's */
	for (unsigned level = 4; level > bottom; level--) {
		unsigned i = index_of(va, level);
		uint64_t e, want = mark;

		if (o->read(o->ctx, table, i, &e))
			return -1;
		/* an entry on a link's path is always present (flushes keep it) */
		if ((e & X86_PTE_P) && (e & want) != want && !user_table &&
		    on_link_path(s, va, level))
			want = 0;
		if (!(e & X86_PTE_P)) {
			uint64_t page;

			if (!for_link && s->npages == VMM_SHADOW_MAX_PAGES)
				return -1;
			page = o->alloc(o->ctx);
			if (!page)
				return -1;
			if (!for_link) {
				s->pages[s->npages++] = page;
				if (want & VMM_SHADOW_GLOBAL)
					page_turns_global(s, page);
			}
			e = (page << 12) | INTERMEDIATE | want;
			if (o->write(o->ctx, table, i, e))
				return -1;
		} else if ((e & want) != want) {
			if (want & VMM_SHADOW_GLOBAL && !(e & VMM_SHADOW_GLOBAL))
				page_turns_global(s, (e & ENTRY_ADDR) >> 12);
			e |= want;
			if (o->write(o->ctx, table, i, e))
				return -1;
		}
		table = (e & ENTRY_ADDR) >> 12;
	}
	return o->write(o->ctx, table, index_of(va, bottom), entry);
}

int vmm_shadow_set(struct vmm_shadow *s, uint64_t va, int user_table, uint64_t leaf)
{
	if (!user_table && vmm_shadow_linked(s, va))
		return 0; /* the backend's own mapping stays */
	s->fills++;
	return commit(s, install(s, user_table, va, 1, leaf,
				 leaf & VMM_SHADOW_GLOBAL ? VMM_SHADOW_GLOBAL : VMM_SHADOW_LOCAL));
}

int vmm_shadow_link(struct vmm_shadow *s, uint64_t va, unsigned level, uint64_t entry)
{
	if (s->nlinks == VMM_SHADOW_MAX_LINKS || level < 2 || level > 4)
		return -1;
	s->links[s->nlinks].va = va & ~(link_span(level) - 1);
	s->links[s->nlinks].level = level;
	s->links[s->nlinks].entry = entry;
	s->nlinks++;
	return commit(s, install(s, 0, va, level, entry, 0));
}

/* Virtual address of entry i of a table at `level` whose first entry maps
 * base (canonical: the upper half is sign-extended). */
static uint64_t entry_va(uint64_t base, unsigned i, unsigned level)
{
	uint64_t va = base + (uint64_t)i * link_span(level);

	return (va & (1ULL << 47)) ? va | 0xffff000000000000ULL : va;
}

/* Drops the translations of kind from table at `level` whose first entry
 * maps base.  In the kernel-mode table (links set) the links and the
 * tables on their paths stay (the VMM runs on them while it flushes). */
static void flush_table(struct vmm_shadow *s, uint64_t table, unsigned level, uint64_t base,
			enum vmm_shadow_flush_kind kind, int links)
{
	const struct vmm_shadow_ops *o = s->ops;
	int keep_global = kind == VMM_SHADOW_FLUSH_NONGLOBAL;

	for (unsigned i = 0; i < 512; i++) {
		uint64_t e, va;
		int keep = 0, descend = 0;

		if (level == 4 && foreign_slot(s, i))
			continue;
		/* most entries are empty: this loop is the cost of every flush */
		if (o->read(o->ctx, table, i, &e) || !(e & X86_PTE_P))
			continue;
		va = entry_va(base, i, level);
		for (unsigned k = 0; links && k < s->nlinks; k++) {
			if (!same_entry(s->links[k].va, va, level))
				continue;
			keep |= s->links[k].level == level;
			descend |= s->links[k].level < level;
		}
		if (keep)
			continue;
		if (descend) {
			flush_table(s, (e & ENTRY_ADDR) >> 12, level - 1, va, kind, links);
		} else if (!keep_global || !(e & VMM_SHADOW_GLOBAL)) {
			o->write(o->ctx, table, i, 0);
		} else if (level > 1 && (e & VMM_SHADOW_LOCAL)) {
			/* both kinds below: only the global leaves remain */
			flush_table(s, (e & ENTRY_ADDR) >> 12, level - 1, va, kind, 0);
			o->write(o->ctx, table, i, e & ~VMM_SHADOW_LOCAL);
		}
		/* else: only global leaves below, or a global leaf: it stays */
	}
}

void vmm_shadow_flush(struct vmm_shadow *s, enum vmm_shadow_flush_kind kind)
{
	const struct vmm_shadow_ops *o = s->ops;
	unsigned kept = kind == VMM_SHADOW_FLUSH_NONGLOBAL ? s->nglobal : 0;

	flush_table(s, s->top[0], 4, 0, kind, 1);
	flush_table(s, s->top[1], 4, 0, kind, 0);
	commit(s, 0); /* before the pages can be handed out again */
	for (unsigned i = kept; i < s->npages; i++)
		o->release(o->ctx, s->pages[i]);
	s->npages = s->nglobal = kept;
	s->flushes++;
}

int vmm_shadow_mapped(const struct vmm_shadow *s, uint64_t va, int user_table)
{
	const struct vmm_shadow_ops *o = s->ops;
	uint64_t table = s->top[user_table ? 1 : 0], e = 0;

	for (unsigned level = 4; level >= 1; level--) {
		if (o->read(o->ctx, table, index_of(va, level), &e) || !(e & X86_PTE_P))
			return 0;
		if (level > 1 && (e & X86_PTE_PS))
			return 1; /* a link's large page */
		table = (e & ENTRY_ADDR) >> 12;
	}
	return 1;
}

void vmm_shadow_invlpg(struct vmm_shadow *s, uint64_t va)
{
	const struct vmm_shadow_ops *o = s->ops;

	for (unsigned t = 0; t < 2; t++) {
		uint64_t table = s->top[t], e = 0;
		unsigned level;

		if (t == 0 && vmm_shadow_linked(s, va))
			continue; /* not the guest's translation */

		for (level = 4; level > 1; level--) {
			if (o->read(o->ctx, table, index_of(va, level), &e) || !(e & X86_PTE_P))
				break;
			table = (e & ENTRY_ADDR) >> 12;
		}
		if (level == 1)
			o->write(o->ctx, table, index_of(va, 1), 0);
	}
	commit(s, 0);
}

int vmm_shadow_fault(struct vmm_shadow *s, const struct vmm_phys *guest, const struct vmm_paging *p,
		     uint64_t va, unsigned access, struct vmm_walk_result *w)
{
	int user = (access & VMM_ACCESS_USER) != 0;
	uint64_t mfn, leaf;

	if (vmm_walk(guest, p, va, access, w))
		return 1;
	mfn = s->ops->p2m(s->ops->ctx, w->gpa >> 12);
	if (mfn == ~0ULL)
		return -1;
	leaf = vmm_shadow_pte(w, p, mfn, user, s->kernel_user_bit);
	if (vmm_shadow_set(s, va, user, leaf) == 0)
		return 0;
	/* out of shadow pages: start over, as a full TLB would evict */
	vmm_shadow_flush(s, VMM_SHADOW_FLUSH_ALL);
	return vmm_shadow_set(s, va, user, leaf) == 0 ? 0 : -1;
}
