// SPDX-License-Identifier: MIT
/*
 * Recovering a rewritten site from a user-mode fault on the VMM (see
 * vmm/include/vmm/user_sites.h).  The forms a site takes are fixed by
 * docs/vmm-interface.md, so the faulting rip says which one ran:
 *
 *   rip = vmm_sti / vmm_pushf / vmm_popf   `call` at the end of the site: the
 *                                          return address on the user stack is
 *                                          the site's end (8 bytes for sti, 5
 *                                          for pushf and popf, or as v->sites
 *                                          says)
 *   rip = a thunk starting `68 imm32`      `call thunk`: imm32 is the descriptor
 *   rip = a thunk starting `48 89 25`      NOSTACK `jmp thunk`: the descriptor is
 *                                          the imm32 of the pushq at offset 14
 *   rip = the site, bytes `[3e..] c6 05 rel32 00`  the inline cli (DS prefixes
 *         writing vmm_pcpu + 1            fill its site), its store to the vif
 *                                          byte faulted
 *
 * The VMM's own code and descriptors are read with supervisor rights (they
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

const struct vmm_site_desc *vmm_user_site_lookup(struct vmm_vcpu *v, struct vmm_regs *regs,
						 uint64_t fault_address,
						 const struct vmm_entry_points *ep,
						 struct vmm_site_desc *scratch)
{
	uint64_t rip = regs->rip, ret;
	uint8_t code[19];
	int32_t imm;

	if (rip == ep->sti || rip == ep->pushf || rip == ep->popf) {
		if (pop_return(v, regs, &ret))
			return 0;
		const struct vmm_site_desc *site = vmm_site_lookup(v, ret - 1);
		unsigned length = site && site->resume == ret ? site->padded_length
				  : rip == ep->sti ? VMM_STI_SITE_LENGTH : 5;

		synthesize(scratch, rip == ep->sti ? PV_CLASS_STI
				    : rip == ep->pushf ? PV_CLASS_PUSHF : PV_CLASS_POPF,
			   ret - length, length);
		return scratch;
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
		imm = (int32_t)(code[p + 2] | (code[p + 3] << 8) | (code[p + 4] << 16) |
				((uint32_t)code[p + 5] << 24));
		if (rip + p + 7 + (uint64_t)(int64_t)imm != fault_address)
			return 0;
		synthesize(scratch, PV_CLASS_CLI, rip, p + 7 < 8 ? 8 : p + 7);
		return scratch;
	}
	if (fault_address != rip || read_sup(v, rip, code, sizeof(code)))
		return 0;
	if (code[0] == 0x68) {
		imm = (int32_t)(code[1] | (code[2] << 8) | (code[3] << 16) | ((uint32_t)code[4] << 24));
		if (pop_return(v, regs, &ret))
			return 0;
	} else if (code[0] == 0x48 && code[1] == 0x89 && code[2] == 0x25 && code[14] == 0x68) {
		imm = (int32_t)(code[15] | (code[16] << 8) | (code[17] << 16) |
				((uint32_t)code[18] << 24));
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
