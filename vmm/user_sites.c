// SPDX-License-Identifier: MIT
/*
 * Recovering a rewritten site from a user-mode fault on the VMM (see
 * vmm/include/vmm/user_sites.h).  The forms a site takes are fixed by
 * docs/vmm-interface.md, so the faulting rip says which one ran:
 *
 *   rip = vmm_sti                          `call` at the end of the site: the
 *                                          return address on the user stack is
 *                                          the site's end
 *   rip = vmm_popf_slow                    popf's call: the return address is
 *                                          VMM_POPF_SLOW_SKIP bytes before the
 *                                          site's end
 *   rip = the site's `ff 15 rel32`         pushf's `call *vmm_pcpu(%rip)`, its
 *         reading vmm_pcpu                 read faulted after the pushfq (which
 *                                          is undone)
 *   rip = the site's `66 c7 05 rel32 0 0`  popf's fast store to vmm_pcpu, the
 *         writing vmm_pcpu                 last instruction but the popfq
 *   rip = a thunk starting `68 imm32`      `call thunk`: imm32 is the descriptor
 *   rip = a thunk starting `48 89 25`      NOSTACK `jmp thunk`: the descriptor is
 *                                          the imm32 of the pushq at offset 14
 *   rip = the site, bytes `[3e..] c6 05 rel32 00`  the inline cli (DS prefixes
 *         writing vmm_pcpu + 1            fill its site), its store to the vif
 *                                          byte faulted
 *
 * A site's length is v->sites' if the site has a descriptor there, else the
 * form's own (VMM_*_SITE_LENGTH).  The VMM's own code and descriptors are read with supervisor rights (they
 * are in the kernel shadow only), the user stack with the user's.
 */
#include "vmm/user_sites.h"

static void synthesize(struct vmm_site_desc *d, unsigned cls, uint64_t site, unsigned padded)
{
	uint8_t *p = (uint8_t *)d;

	for (unsigned i = 0; i < sizeof(*d); i++)
		p[i] = 0;
	d->site = site;
	d->resume = site + padded;
	d->abi_version = PREVIRT_VMM_ABI_VERSION;
	d->insn_class = (uint8_t)cls;
	d->insn_length = 1;
	d->padded_length = (uint8_t)padded;
	d->opsize = 8;
	d->addrsize = 8;
}

static int read_sup(struct vmm_vcpu *v, uint64_t a, void *buf, unsigned len)
{
	struct vmm_fault f;

	return v->mem->read(v->mem->ctx, a, buf, len, 0, &f);
}

/* Pops the return address a site's call pushed on the user stack. */
static int pop_return(struct vmm_vcpu *v, struct vmm_regs *regs, uint64_t *ret)
{
	struct vmm_fault f;

	if (v->mem->read(v->mem->ctx, regs->gpr[VMM_RSP], ret, 8, 1, &f))
		return -1;
	regs->gpr[VMM_RSP] += 8;
	return 0;
}

/* The site that ends at `end`, of class cls and (without a descriptor) the
 * form's length. */
static const struct vmm_site_desc *ending_at(struct vmm_vcpu *v, unsigned cls, uint64_t end,
					     unsigned form_length, struct vmm_site_desc *scratch)
{
	const struct vmm_site_desc *site = vmm_site_lookup(v, end - 1);
	unsigned length = site && site->resume == end ? site->padded_length : form_length;

	synthesize(scratch, cls, end - length, length);
	return scratch;
}

/* A little-endian signed 32-bit field (a displacement or an immediate). */
static int32_t rel32(const uint8_t *p)
{
	return (int32_t)(p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24));
}

const struct vmm_site_desc *vmm_user_site_lookup(struct vmm_vcpu *v, struct vmm_regs *regs,
						 uint64_t fault_address,
						 const struct vmm_entry_points *ep,
						 struct vmm_site_desc *scratch)
{
	uint64_t rip = regs->rip, ret;
	uint8_t code[19];
	int32_t imm;

	if (rip == ep->sti) {
		if (pop_return(v, regs, &ret))
			return 0;
		return ending_at(v, PV_CLASS_STI, ret, VMM_STI_SITE_LENGTH, scratch);
	}
	if (rip == ep->popf_slow) {
		if (pop_return(v, regs, &ret))
			return 0;
		return ending_at(v, PV_CLASS_POPF, ret + VMM_POPF_SLOW_SKIP, VMM_POPF_SITE_LENGTH,
				 scratch);
	}
	if (fault_address == ep->pcpu + VMM_PCPU_OFF_PUSHF_ENTRY) {
		/* pushf's indirect call or popf's fast store, at the site itself */
		if (read_sup(v, rip, code, 9))
			return 0;
		if (code[0] == 0xff && code[1] == 0x15 &&
		    rip + 6 + (uint64_t)(int64_t)rel32(code + 2) == fault_address) {
			regs->gpr[VMM_RSP] += 8; /* the site's pushfq ran */
			return ending_at(v, PV_CLASS_PUSHF, rip + 6, VMM_PUSHF_SITE_LENGTH, scratch);
		}
		if (code[0] == 0x66 && code[1] == 0xc7 && code[2] == 0x05 &&
		    rip + 9 + (uint64_t)(int64_t)rel32(code + 3) == fault_address)
			return ending_at(v, PV_CLASS_POPF, rip + 10, VMM_POPF_SITE_LENGTH, scratch);
		return 0;
	}
	if (fault_address == ep->pcpu + VMM_PCPU_OFF_VIF) {
		/* the inline cli: movb $0, vmm_pcpu+1(%rip) at the site itself */
		/* DS prefixes (which change nothing in 64-bit code) fill the site */
		unsigned p = 0;

		if (read_sup(v, rip, code, 15))
			return 0;
		while (p < 8 && code[p] == 0x3e)
			p++;
		if (code[p] != 0xc6 || code[p + 1] != 0x05 || code[p + 6] != 0)
			return 0;
		imm = rel32(code + p + 2);
		if (rip + p + 7 + (uint64_t)(int64_t)imm != fault_address)
			return 0;
		synthesize(scratch, PV_CLASS_CLI, rip, p + 7 < 8 ? 8 : p + 7);
		return scratch;
	}
	if (fault_address != rip || read_sup(v, rip, code, sizeof(code)))
		return 0;
	if (code[0] == 0x68) {
		imm = rel32(code + 1);
		if (pop_return(v, regs, &ret))
			return 0;
	} else if (code[0] == 0x48 && code[1] == 0x89 && code[2] == 0x25 && code[14] == 0x68) {
		imm = rel32(code + 15);
	} else {
		return 0;
	}
	if (read_sup(v, (uint64_t)(int64_t)imm, scratch, sizeof(*scratch)))
		return 0;
	if (scratch->abi_version != PREVIRT_VMM_ABI_VERSION)
		return 0;
	return scratch;
}

int vmm_user_site_fault(struct vmm_vcpu *v, struct vmm_regs *regs, uint64_t fault_address,
			const struct vmm_entry_points *ep)
{
	struct vmm_site_desc scratch;
	uint64_t rsp = regs->gpr[VMM_RSP]; /* the lookup changes only %rsp */
	const struct vmm_site_desc *d;

	if (v->cpl != 3)
		return -1;
	d = vmm_user_site_lookup(v, regs, fault_address, ep, &scratch);
	if (!d) {
		regs->gpr[VMM_RSP] = rsp;
		return -1;
	}
	return (int)vmm_dispatch(v, regs, d);
}
