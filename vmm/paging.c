// SPDX-License-Identifier: MIT
/*
 * A 4-level (IA-32e) page walk over guest-physical memory with the checks of
 * the hardware: present bits, reserved bits (above MAXPHYADDR, XD without
 * EFER.NXE, PS in a PML4E, the low bits of a large-page address), U/S and
 * R/W combined over all levels, CR0.WP, XD, SMEP and SMAP.  Accessed bits
 * are set on the entries a successful walk used and the dirty bit on the
 * leaf of a write, as the hardware does before it uses a translation.
 * Protection keys and PCID tagging are not modelled.
 */
#include "vmm/paging.h"
#include "vmm/shadow.h"

#define ADDR_MASK(maxphy) ((((1ULL << (maxphy)) - 1)) & ~0xfffULL)

void vmm_paging_from_vcpu(const struct vmm_vcpu *v, struct vmm_paging *p)
{
	p->cr3 = v->cr3;
	p->wp = (v->cr0 & X86_CR0_WP) != 0;
	p->nxe = (v->efer & X86_EFER_NXE) != 0;
	p->smep = (v->cr4 & X86_CR4_SMEP) != 0;
	p->smap = (v->cr4 & X86_CR4_SMAP) != 0;
	p->ac = (vmm_vflags_sys(v) & X86_FLAGS_AC) != 0;
	p->maxphyaddr = (uint8_t)v->maxphyaddr;
	p->pge = (v->cr4 & X86_CR4_PGE) != 0;
}

static int page_fault(struct vmm_walk_result *w, uint64_t va, uint32_t error)
{
	w->fault.vector = X86_EXC_PF;
	w->fault.has_error = 1;
	w->fault.error = error;
	w->fault.cr2 = va;
	return -1;
}

/* Reserved bits of an entry at level (4 = PML4E .. 1 = PTE). */
static int reserved(const struct vmm_paging *p, uint64_t e, unsigned level)
{
	uint64_t rsvd = ((1ULL << 52) - 1) & ~((1ULL << p->maxphyaddr) - 1);

	if (!p->nxe)
		rsvd |= X86_PTE_NX;
	if (level == 4)
		rsvd |= X86_PTE_PS;
	if (e & X86_PTE_PS) {
		if (level == 3)
			rsvd |= 0x3fffe000ULL; /* bits 29:13 of a 1 GiB page */
		else if (level == 2)
			rsvd |= 0x1fe000ULL;   /* bits 20:13 of a 2 MiB page */
	}
	return (e & rsvd) != 0;
}

int vmm_walk(const struct vmm_phys *m, const struct vmm_paging *p, uint64_t va,
	     unsigned access, struct vmm_walk_result *w)
{
	uint64_t table = p->cr3 & ADDR_MASK(p->maxphyaddr);
	uint64_t entries[4];
	int user = (access & VMM_ACCESS_USER) != 0;
	int write = (access & VMM_ACCESS_WRITE) != 0;
	int fetch = (access & VMM_ACCESS_FETCH) != 0;
	uint32_t error = (write ? X86_PF_W : 0) | (user ? X86_PF_U : 0) |
			 (fetch && (p->nxe || p->smep) ? X86_PF_I : 0);
	unsigned level, n = 0;

	w->levels = 0;
	w->writable = w->user = 1;
	w->nx = 0;
	if (!vmm_canonical(va)) {
		w->fault.vector = X86_EXC_GP;
		w->fault.has_error = 1;
		w->fault.error = 0;
		w->fault.cr2 = 0;
		return -1;
	}
	for (level = 4; level >= 1; level--) {
		uint64_t gpa = table + ((va >> (12 + 9 * (level - 1))) & 511) * 8;
		uint64_t e;

		if (m->read64(m->ctx, gpa, &e))
			return page_fault(w, va, error | X86_PF_P | X86_PF_RSVD);
		w->entry_gpa[n] = gpa;
		entries[n++] = e;
		w->levels = n;
		if (!(e & X86_PTE_P))
			return page_fault(w, va, error);
		if (reserved(p, e, level))
			return page_fault(w, va, error | X86_PF_P | X86_PF_RSVD);
		w->writable &= (e & X86_PTE_W) != 0;
		w->user &= (e & X86_PTE_U) != 0;
		if (p->nxe && (e & X86_PTE_NX))
			w->nx = 1;
		if (level == 1 || (e & X86_PTE_PS))
			break;
		table = e & ADDR_MASK(p->maxphyaddr);
	}
	w->page_size = 1ULL << (12 + 9 * (level - 1));

	/* permissions of the combined entries */
	error |= X86_PF_P;
	if (user) {
		if (!w->user || (write && !w->writable))
			return page_fault(w, va, error);
	} else {
		if (write && !w->writable && p->wp)
			return page_fault(w, va, error);
		if (w->user && fetch && p->smep)
			return page_fault(w, va, error);
		if (w->user && !fetch && p->smap && !(access & VMM_ACCESS_IMPLICIT) && !p->ac)
			return page_fault(w, va, error);
	}
	if (fetch && w->nx)
		return page_fault(w, va, error);

	/* accessed bits on every level, dirty on the leaf of a write */
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = entries[i] | X86_PTE_A;

		if (i == n - 1 && write)
			e |= X86_PTE_D;
		if (e != entries[i]) {
			m->write64(m->ctx, w->entry_gpa[i], e);
			entries[i] = e;
		}
	}
	w->leaf = entries[n - 1];
	w->gpa = (w->leaf & ADDR_MASK(p->maxphyaddr) & ~(w->page_size - 1)) |
		 (va & (w->page_size - 1));
	return 0;
}

uint64_t vmm_shadow_pte(const struct vmm_walk_result *w, const struct vmm_paging *p, uint64_t mfn,
			int user_table, int kernel_user_bit)
{
	uint64_t e = X86_PTE_P | X86_PTE_A | (mfn << 12);

	if (user_table && !w->user)
		return 0;
	if (user_table || w->user || kernel_user_bit)
		e |= X86_PTE_U;
	/* writable if the guest may write it here (CR0.WP = 0 lets the kernel
	 * write read-only pages) and the guest entry is already dirty */
	if ((w->writable || (!user_table && !p->wp)) && (w->leaf & X86_PTE_D))
		e |= X86_PTE_W | X86_PTE_D;
	if (w->nx)
		e |= X86_PTE_NX;
	e |= w->leaf & (X86_PTE_PWT | X86_PTE_PCD);
	/* G is bit 8 in a leaf of any size */
	if (p->pge && (w->leaf & X86_PTE_G))
		e |= VMM_SHADOW_GLOBAL;
	return e;
}
