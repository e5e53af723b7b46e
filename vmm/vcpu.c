// SPDX-License-Identifier: MIT
/*
 * The virtual CPU: its reset state and the split of RFLAGS between the real
 * CPU (arithmetic flags, which the guest's code changes directly) and the
 * virtual one (IF in the per-vCPU byte the inline sequences use; IOPL, NT,
 * AC and ID here).
 */
#include "vmm/vmm.h"
#include "vmm/devices.h"

static void zero(void *p, unsigned long n)
{
	volatile uint8_t *b = (volatile uint8_t *)p; /* volatile: no call to memset */

	while (n--)
		*b++ = 0;
}

void vmm_vcpu_init(struct vmm_vcpu *v, struct vmm_pcpu *pcpu, const struct vmm_backend *b,
		   const struct vmm_mem *mem, struct vmm_devices *devices)
{
	zero(v, sizeof(*v));
	v->pcpu = pcpu;
	v->backend = b;
	v->mem = mem;
	v->devices = devices;
	pcpu->pushf_entry = (uint64_t)(unsigned long)vmm_pushf_table; /* IF 0, mode 0 */
	pcpu->vflags_sys = 0;
	pcpu->pending = 0;
	pcpu->user = 0;
	pcpu->in_vmm = 0;
	pcpu->vcpu = (uint64_t)(unsigned long)v;

	v->cpl = 0;
	v->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	v->cr4 = X86_CR4_PAE;
	v->efer = X86_EFER_LME | X86_EFER_LMA;
	v->xcr0 = 1; /* x87 state, always enabled */
	v->pat = 0x0007040600070406ULL; /* the architectural reset value */
	v->apic_base = 0xfee00000ULL | 0x900; /* enabled, BSP */
	v->misc_enable = 1; /* fast strings */
	v->dr[6] = 0xffff0ff0;
	v->dr[7] = 0x400;
	v->maxphyaddr = 46;
	v->gdtr.limit = 0xffff;
	v->idtr.limit = 0xffff;
	/* a 64-bit code segment, flat data segments (attr: type, S, DPL, P, L) */
	v->seg[VMM_SEG_CS].attr = 0x209b;
	for (int i = 0; i < VMM_SEG_COUNT; i++) {
		if (i != VMM_SEG_CS)
			v->seg[i].attr = 0x0093;
		v->seg[i].limit = 0xffffffff;
	}
	v->tr.attr = 0x008b;
	v->tr.limit = 0xffff;
	v->ldtr.attr = 0x0082;
}

uint64_t vmm_guest_rflags(const struct vmm_vcpu *v, uint64_t real)
{
	return (real & X86_FLAGS_ARITH) | X86_FLAGS_FIXED | (v->pcpu->pushf_entry & X86_FLAGS_IF) |
	       vmm_vflags_sys(v);
}

uint64_t vmm_load_rflags(struct vmm_vcpu *v, uint64_t value, uint64_t real, int opsize)
{
	uint64_t old = vmm_guest_rflags(v, real);
	uint64_t iopl = (vmm_vflags_sys(v) & X86_FLAGS_IOPL) >> X86_FLAGS_IOPL_SHIFT;
	uint64_t changeable = X86_FLAGS_ARITH | X86_FLAGS_NT | X86_FLAGS_AC | X86_FLAGS_ID;
	uint64_t now;

	if (v->cpl == 0)
		changeable |= X86_FLAGS_IOPL | X86_FLAGS_IF;
	else if (v->cpl <= iopl)
		changeable |= X86_FLAGS_IF; /* IOPL stays; at CPL > IOPL IF is kept silently */
	if (opsize == 2)
		changeable &= 0xffff;
	now = (old & ~changeable) | (value & changeable);
	vmm_set_vif(v, (now & X86_FLAGS_IF) != 0);
	vmm_set_vflags_sys(v, now & VMM_VFLAGS_SYS);
	return (real & ~X86_FLAGS_ARITH) | (now & X86_FLAGS_ARITH);
}

enum vmm_status vmm_raise(struct vmm_vcpu *v, unsigned vector, int has_error, uint32_t error)
{
	v->fault.vector = (uint8_t)vector;
	v->fault.has_error = (uint8_t)(has_error ? 1 : 0);
	v->fault.error = error;
	v->fault.cr2 = 0;
	return VMM_FAULT;
}

void vmm_set_cpl(struct vmm_vcpu *v, unsigned cpl)
{
	v->cpl = (uint8_t)cpl;
	v->pcpu->user = cpl == 3;
}

int vmm_canonical(uint64_t addr)
{
	uint64_t top = addr >> 47;

	return top == 0 || top == 0x1ffff;
}

const struct vmm_site_desc *vmm_site_lookup(const struct vmm_vcpu *v, uint64_t addr)
{
	const struct vmm_site_desc *lo = v->sites, *hi = v->sites_end;

	if (!lo || lo == hi)
		return 0;
	while (hi - lo > 1) { /* lo: the last site that starts at or below addr */
		const struct vmm_site_desc *mid = lo + (hi - lo) / 2;

		if (mid->site <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo->site <= addr && addr < lo->resume ? lo : 0;
}

const struct vmm_site_desc *vmm_site_as_run(const struct vmm_site_desc *d, uint64_t ret,
					    struct vmm_site_desc *copy)
{
	uint64_t at = ret - VMM_SITE_CALL_LENGTH;

	if (!d || !ret || at == d->site)
		return d;
	*copy = *d;
	copy->site = at;
	copy->resume = at + (d->resume - d->site);
	return copy;
}
