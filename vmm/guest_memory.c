// SPDX-License-Identifier: MIT
/*
 * Guest linear memory through the guest's own page tables: the struct
 * vmm_mem a backend gives the VMM when the guest's virtual addresses are not
 * directly usable (always, under shadow paging: the shadow may not map the
 * page yet).  Each access walks the guest's tables for every page it
 * touches, so permissions, accessed/dirty bits and fault addresses are
 * exactly the hardware's; a write checks every page before it stores
 * anything, so a fault leaves memory unchanged.
 */
#include "vmm/guest_memory.h"

static int copy_phys(const struct vmm_phys *m, uint64_t gpa, uint8_t *buf, unsigned len, int write)
{
	while (len) {
		uint64_t aligned = gpa & ~7ULL, word;
		unsigned off = (unsigned)(gpa & 7), n = 8 - off < len ? 8 - off : len;

		if (m->read64(m->ctx, aligned, &word))
			return -1;
		for (unsigned i = 0; i < n; i++) {
			unsigned shift = 8 * (off + i);

			if (write)
				word = (word & ~(0xffULL << shift)) | ((uint64_t)buf[i] << shift);
			else
				buf[i] = (uint8_t)(word >> shift);
		}
		if (write && m->write64(m->ctx, aligned, word))
			return -1;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int access(struct vmm_paged_mem *pm, uint64_t lin, uint8_t *buf, unsigned len, int user,
		  int write, struct vmm_fault *fault)
{
	struct vmm_paging p;
	struct vmm_walk_result w;
	unsigned flags = (user ? VMM_ACCESS_USER : 0) | (write ? VMM_ACCESS_WRITE : 0);
	uint64_t gpa[2] = {0, 0};
	unsigned pages = 0;

	if (len == 0)
		return 0;
	if (len > 4096)
		len = 4096; /* callers access at most a page (a 16-byte gate, a frame) */
	if (lin + len - 1 < lin) {
		/* wrapping around the top of the address space: refused as #GP(0) */
		fault->vector = X86_EXC_GP;
		fault->has_error = 1;
		fault->error = 0;
		fault->cr2 = 0;
		return -1;
	}
	vmm_paging_from_vcpu(pm->vcpu, &p);
	/* translate every page first: at most two for len <= 4096 (the last
	 * byte, not lin + len, bounds the loop: the access may end at 2^64) */
	for (uint64_t at = lin;; at = (at & ~0xfffULL) + 0x1000) {
		if (vmm_walk(pm->phys, &p, at, flags, &w)) {
			*fault = w.fault;
			return -1;
		}
		gpa[pages++] = w.gpa;
		if ((at & ~0xfffULL) == ((lin + len - 1) & ~0xfffULL))
			break;
	}
	{
		unsigned first = (unsigned)(0x1000 - (lin & 0xfff));

		if (first > len)
			first = len;
		if (copy_phys(pm->phys, gpa[0], buf, first, write))
			goto bad;
		if (pages > 1 && copy_phys(pm->phys, gpa[1], buf + first, len - first, write))
			goto bad;
	}
	return 0;
bad:
	/* a guest-physical address that is not RAM behind a valid PTE */
	fault->vector = X86_EXC_PF;
	fault->has_error = 1;
	fault->error = X86_PF_P | X86_PF_RSVD | (write ? X86_PF_W : 0) | (user ? X86_PF_U : 0);
	fault->cr2 = lin;
	return -1;
}

static int paged_read(void *ctx, uint64_t lin, void *buf, unsigned len, int user,
		      struct vmm_fault *fault)
{
	return access((struct vmm_paged_mem *)ctx, lin, (uint8_t *)buf, len, user, 0, fault);
}

static int paged_write(void *ctx, uint64_t lin, const void *buf, unsigned len, int user,
		       struct vmm_fault *fault)
{
	return access((struct vmm_paged_mem *)ctx, lin, (uint8_t *)(unsigned long)buf, len, user, 1,
		      fault);
}

void vmm_paged_mem_init(struct vmm_paged_mem *pm, const struct vmm_vcpu *v,
			const struct vmm_phys *phys)
{
	pm->mem.ctx = pm;
	pm->mem.read = paged_read;
	pm->mem.write = paged_write;
	pm->vcpu = v;
	pm->phys = phys;
}
