// SPDX-License-Identifier: MIT
/*
 * The model-specific registers a 64-bit kernel uses, with the checks the
 * hardware makes on writes (reserved bits, canonical addresses, valid
 * memory types).  Any other MSR raises #GP(0), as an unimplemented MSR does
 * on hardware, so a kernel's rdmsr_safe/wrmsr_safe probes see the truth.
 * The segment-base MSRs are handed to the backend, which loads the real
 * ones; the rest is virtual state that only the guest reads back.
 */
#include "vmm/vmm.h"

#define EFER_WRITABLE (X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE)

static enum vmm_status gp0(struct vmm_vcpu *v)
{
	return vmm_raise(v, X86_EXC_GP, 1, 0);
}

static int valid_pat(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		unsigned type = (pat >> (8 * i)) & 0xff;

		if (type == 2 || type == 3 || type > 7)
			return 0;
	}
	return 1;
}

static void set_base(struct vmm_vcpu *v, int which, uint64_t base)
{
	if (v->backend && v->backend->set_segment_base)
		v->backend->set_segment_base(v->backend->ctx, which, base);
}

enum vmm_status vmm_msr_read(struct vmm_vcpu *v, uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case X86_MSR_TSC:
		*value = v->backend->rdtsc(v->backend->ctx) + (uint64_t)v->tsc_offset;
		return VMM_DONE;
	case X86_MSR_APIC_BASE: *value = v->apic_base; return VMM_DONE;
	case X86_MSR_MISC_ENABLE: *value = v->misc_enable; return VMM_DONE;
	case X86_MSR_SYSENTER_CS: *value = v->sysenter_cs; return VMM_DONE;
	case X86_MSR_SYSENTER_ESP: *value = v->sysenter_esp; return VMM_DONE;
	case X86_MSR_SYSENTER_EIP: *value = v->sysenter_eip; return VMM_DONE;
	case X86_MSR_PAT: *value = v->pat; return VMM_DONE;
	case X86_MSR_PKRS: *value = v->pkrs; return VMM_DONE;
	case X86_MSR_XSS: *value = v->xss; return VMM_DONE;
	case X86_MSR_EFER: *value = v->efer; return VMM_DONE;
	case X86_MSR_STAR: *value = v->star; return VMM_DONE;
	case X86_MSR_LSTAR: *value = v->lstar; return VMM_DONE;
	case X86_MSR_CSTAR: *value = v->cstar; return VMM_DONE;
	case X86_MSR_SFMASK: *value = v->sfmask; return VMM_DONE;
	case X86_MSR_FS_BASE: *value = v->seg[VMM_SEG_FS].base; return VMM_DONE;
	case X86_MSR_GS_BASE: *value = v->seg[VMM_SEG_GS].base; return VMM_DONE;
	case X86_MSR_KERNEL_GS_BASE: *value = v->kernel_gs_base; return VMM_DONE;
	case X86_MSR_TSC_AUX: *value = v->tsc_aux; return VMM_DONE;
	default:
		return gp0(v);
	}
}

enum vmm_status vmm_msr_write(struct vmm_vcpu *v, uint32_t msr, uint64_t value)
{
	switch (msr) {
	case X86_MSR_TSC:
		v->tsc_offset = (int64_t)(value - v->backend->rdtsc(v->backend->ctx));
		return VMM_DONE;
	case X86_MSR_APIC_BASE:
		if (value >> v->maxphyaddr)
			return gp0(v);
		v->apic_base = value; /* no local APIC is modelled: kept, not used */
		return VMM_DONE;
	case X86_MSR_MISC_ENABLE:
		v->misc_enable = value;
		return VMM_DONE;
	case X86_MSR_SYSENTER_CS:
		v->sysenter_cs = value & 0xffff;
		return VMM_DONE;
	case X86_MSR_SYSENTER_ESP:
	case X86_MSR_SYSENTER_EIP:
		if (!vmm_canonical(value))
			return gp0(v);
		*(msr == X86_MSR_SYSENTER_ESP ? &v->sysenter_esp : &v->sysenter_eip) = value;
		return VMM_DONE;
	case X86_MSR_PAT:
		if (!valid_pat(value))
			return gp0(v);
		v->pat = value;
		return VMM_DONE;
	case X86_MSR_PKRS:
		if (value >> 32)
			return gp0(v);
		v->pkrs = value;
		return VMM_DONE;
	case X86_MSR_XSS:
		if (value) /* no supervisor state component is offered */
			return gp0(v);
		v->xss = value;
		return VMM_DONE;
	case X86_MSR_EFER:
		if (value & ~(EFER_WRITABLE | X86_EFER_LMA))
			return gp0(v);
		/* LME cannot change while paging is on; LMA is read-only */
		if ((v->cr0 & X86_CR0_PG) && ((value ^ v->efer) & X86_EFER_LME))
			return gp0(v);
		v->efer = (value & EFER_WRITABLE) | (v->efer & X86_EFER_LMA);
		return VMM_DONE;
	case X86_MSR_STAR:
		v->star = value;
		return VMM_DONE;
	case X86_MSR_LSTAR:
	case X86_MSR_CSTAR:
		if (!vmm_canonical(value))
			return gp0(v);
		*(msr == X86_MSR_LSTAR ? &v->lstar : &v->cstar) = value;
		return VMM_DONE;
	case X86_MSR_SFMASK:
		if (value >> 32)
			return gp0(v);
		v->sfmask = value;
		return VMM_DONE;
	case X86_MSR_FS_BASE:
	case X86_MSR_GS_BASE:
	case X86_MSR_KERNEL_GS_BASE:
		if (!vmm_canonical(value))
			return gp0(v);
		if (msr == X86_MSR_FS_BASE) {
			v->seg[VMM_SEG_FS].base = value;
			set_base(v, VMM_SEG_FS, value);
		} else if (msr == X86_MSR_GS_BASE) {
			v->seg[VMM_SEG_GS].base = value;
			set_base(v, VMM_SEG_GS, value);
		} else {
			v->kernel_gs_base = value;
			set_base(v, VMM_BASE_KERNEL_GS, value);
		}
		return VMM_DONE;
	case X86_MSR_TSC_AUX:
		if (value >> 32)
			return gp0(v);
		v->tsc_aux = value;
		return VMM_DONE;
	default:
		return gp0(v);
	}
}
