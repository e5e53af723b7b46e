// SPDX-License-Identifier: MIT
/*
 * Control registers, descriptor-table lookups, segment loads and cpuid of
 * the virtual CPU.  Writes get the checks a 64-bit CPU makes (reserved bits,
 * leaving long mode, PCID rules) and tell the backend what it must redo:
 * a new %cr3 flushes the shadow page tables' non-global translations, a
 * changed paging mode all of them.
 */
#include "vmm/vmm.h"

#define CR4_SUPPORTED (X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | \
		       X86_CR4_PGE | X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |       \
		       X86_CR4_UMIP | X86_CR4_FSGSBASE | X86_CR4_PCIDE | X86_CR4_OSXSAVE |      \
		       X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKS)
#define CR4_FLUSH_ALL (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | X86_CR4_SMEP | X86_CR4_SMAP | \
		       X86_CR4_PCIDE)
#define CR0_FLUSH_ALL (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE)

static void flush(struct vmm_vcpu *v, uint64_t va)
{
	if (v->backend && v->backend->tlb_flush)
		v->backend->tlb_flush(v->backend->ctx, v->cr3, va);
}

enum vmm_status vmm_cr_read(struct vmm_vcpu *v, unsigned cr, uint64_t *value)
{
	switch (cr) {
	case 0: *value = v->cr0; return VMM_DONE;
	case 2: *value = v->cr2; return VMM_DONE;
	case 3: *value = v->cr3; return VMM_DONE;
	case 4: *value = v->cr4; return VMM_DONE;
	case 8: *value = v->cr8; return VMM_DONE;
	default: return vmm_raise(v, X86_EXC_UD, 0, 0);
	}
}

enum vmm_status vmm_cr_write(struct vmm_vcpu *v, unsigned cr, uint64_t value)
{
	uint64_t changed;

	switch (cr) {
	case 0:
		if (value >> 32)
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		value |= X86_CR0_ET; /* hardwired */
		if ((value & X86_CR0_PG) && !(value & X86_CR0_PE))
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		if ((value & X86_CR0_NW) && !(value & X86_CR0_CD))
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		/* leaving paging from 64-bit code is #GP; the VMM runs long mode only */
		if (!(value & X86_CR0_PG))
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		changed = v->cr0 ^ value;
		v->cr0 = value;
		if (changed & CR0_FLUSH_ALL)
			flush(v, VMM_TLB_FLUSH_ALL);
		return VMM_DONE;
	case 2:
		v->cr2 = value;
		return VMM_DONE;
	case 3: {
		uint64_t addr = value & ~(1ULL << 63); /* bit 63: keep the PCID's TLB */

		if (!(v->cr4 & X86_CR4_PCIDE))
			addr &= ~0xfffULL;
		if (addr >> v->maxphyaddr)
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		v->cr3 = value & ~(1ULL << 63);
		flush(v, VMM_TLB_FLUSH_NONGLOBAL); /* global translations stay */
		return VMM_DONE;
	}
	case 4:
		if (value & ~CR4_SUPPORTED)
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		if (!(value & X86_CR4_PAE)) /* in long mode */
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		if ((value & X86_CR4_PCIDE) && !(v->cr4 & X86_CR4_PCIDE) && (v->cr3 & 0xfff))
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		changed = v->cr4 ^ value;
		v->cr4 = value;
		if (changed & CR4_FLUSH_ALL)
			flush(v, VMM_TLB_FLUSH_ALL);
		return VMM_DONE;
	case 8:
		if (value >> 4)
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		v->cr8 = value;
		return VMM_DONE;
	default:
		return vmm_raise(v, X86_EXC_UD, 0, 0);
	}
}

enum vmm_status vmm_read_descriptor(struct vmm_vcpu *v, uint16_t sel, uint64_t *desc,
				    uint32_t error_if_bad)
{
	const struct vmm_dtr *table = &v->gdtr;
	struct vmm_dtr ldt;
	uint32_t offset = sel & ~7u;
	struct vmm_fault f;

	if (sel & X86_ERR_TI) {
		if (!v->ldtr.sel)
			return vmm_raise(v, X86_EXC_GP, 1, error_if_bad);
		ldt.base = v->ldtr.base;
		ldt.limit = (uint16_t)(v->ldtr.limit > 0xffff ? 0xffff : v->ldtr.limit);
		table = &ldt;
	}
	if (offset + 7 > table->limit)
		return vmm_raise(v, X86_EXC_GP, 1, error_if_bad);
	/* descriptor tables are read with supervisor rights at any CPL */
	if (v->mem->read(v->mem->ctx, table->base + offset, desc, 8, 0, &f)) {
		v->fault = f;
		return VMM_FAULT;
	}
	return VMM_DONE;
}

static void cache_descriptor(struct vmm_segment *s, uint16_t sel, uint64_t d)
{
	uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));

	s->sel = sel;
	s->attr = (uint16_t)((d >> 40) & 0xf0ff);
	s->limit = (d & (1ULL << 55)) ? (limit << 12) | 0xfff : limit;
	s->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
}

#define DESC_S (1ULL << 44)
#define DESC_P (1ULL << 47)
#define DESC_CODE (1ULL << 43)
#define DESC_RW (1ULL << 41)    /* data: writable; code: readable */
#define DESC_CONFORMING (1ULL << 42)
#define DESC_DPL(d) ((unsigned)((d) >> 45) & 3)

enum vmm_status vmm_load_segment(struct vmm_vcpu *v, unsigned sreg, uint16_t sel)
{
	unsigned rpl = sel & 3, dpl;
	uint64_t d;
	enum vmm_status s;
	struct vmm_segment *seg;

	if (sreg >= VMM_SEG_COUNT || sreg == VMM_SEG_CS)
		return vmm_raise(v, X86_EXC_UD, 0, 0);
	seg = &v->seg[sreg];
	if ((sel & ~3u) == 0) {
		/* a null selector: allowed for ss only below CPL 3 with RPL = CPL */
		if (sreg == VMM_SEG_SS && (v->cpl == 3 || rpl != v->cpl))
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		seg->sel = sel;
		seg->attr = 0;
		if (sreg == VMM_SEG_FS || sreg == VMM_SEG_GS) {
			/* the base is cleared, as Intel CPUs do */
			seg->base = 0;
			if (v->backend && v->backend->set_segment_base)
				v->backend->set_segment_base(v->backend->ctx, (int)sreg, 0);
		}
		return VMM_DONE;
	}
	s = vmm_read_descriptor(v, sel, &d, sel & ~3u);
	if (s != VMM_DONE)
		return s;
	dpl = DESC_DPL(d);
	if (!(d & DESC_S))
		return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
	if (sreg == VMM_SEG_SS) {
		if ((d & DESC_CODE) || !(d & DESC_RW) || rpl != v->cpl || dpl != v->cpl)
			return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
		if (!(d & DESC_P))
			return vmm_raise(v, X86_EXC_SS, 1, sel & ~3u);
	} else {
		if ((d & DESC_CODE) && !(d & DESC_RW))
			return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u); /* execute-only code */
		if ((!(d & DESC_CODE) || !(d & DESC_CONFORMING)) && (rpl > dpl || v->cpl > dpl))
			return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
		if (!(d & DESC_P))
			return vmm_raise(v, X86_EXC_NP, 1, sel & ~3u);
	}
	cache_descriptor(seg, sel, d);
	if (sreg == VMM_SEG_FS || sreg == VMM_SEG_GS) {
		if (v->backend && v->backend->set_segment_base)
			v->backend->set_segment_base(v->backend->ctx, (int)sreg, seg->base);
	} else {
		seg->base = 0; /* ignored in 64-bit mode */
	}
	return VMM_DONE;
}

/* Descriptor of a system segment (LDT, TSS): 16 bytes in long mode. */
static enum vmm_status load_system(struct vmm_vcpu *v, uint16_t sel, unsigned want,
				   struct vmm_segment *out)
{
	uint64_t lo, hi;
	enum vmm_status s;
	struct vmm_fault f;

	if (sel & X86_ERR_TI)
		return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
	s = vmm_read_descriptor(v, sel, &lo, sel & ~3u);
	if (s != VMM_DONE)
		return s;
	if ((lo & DESC_S) || ((lo >> 40) & 0xf) != want)
		return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
	if (!(lo & DESC_P))
		return vmm_raise(v, X86_EXC_NP, 1, sel & ~3u);
	if ((sel & ~7u) + 15 > v->gdtr.limit)
		return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
	if (v->mem->read(v->mem->ctx, v->gdtr.base + (sel & ~7u) + 8, &hi, 8, 0, &f)) {
		v->fault = f;
		return VMM_FAULT;
	}
	cache_descriptor(out, sel, lo);
	out->base |= hi << 32;
	return VMM_DONE;
}

enum vmm_status vmm_load_ldt(struct vmm_vcpu *v, uint16_t sel)
{
	if ((sel & ~3u) == 0) {
		v->ldtr.sel = 0;
		v->ldtr.base = 0;
		v->ldtr.limit = 0;
		return VMM_DONE;
	}
	return load_system(v, sel, X86_DESC_LDT, &v->ldtr);
}

enum vmm_status vmm_load_tr(struct vmm_vcpu *v, uint16_t sel)
{
	uint64_t lo;
	enum vmm_status s;
	struct vmm_fault f;

	if ((sel & ~3u) == 0)
		return vmm_raise(v, X86_EXC_GP, 1, 0);
	s = load_system(v, sel, X86_DESC_TSS_AVAIL, &v->tr);
	if (s != VMM_DONE)
		return s;
	/* ltr marks the TSS busy in the guest's GDT, as the CPU does */
	lo = 0;
	if (v->mem->read(v->mem->ctx, v->gdtr.base + (sel & ~7u), &lo, 8, 0, &f) == 0) {
		lo |= 2ULL << 40;
		v->mem->write(v->mem->ctx, v->gdtr.base + (sel & ~7u), &lo, 8, 0, &f);
	}
	v->tr.attr |= 2;
	return VMM_DONE;
}

void vmm_cpuid(struct vmm_vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	/* No hypervisor is advertised: the guest must not take a paravirtual
	 * path (Xen's own leaves would send a Linux guest into Xen PV code). */
	if (leaf >= 0x40000000 && leaf <= 0x4fffffff)
		return;
	if (v->backend && v->backend->cpuid)
		v->backend->cpuid(v->backend->ctx, leaf, subleaf, out);
	switch (leaf) {
	case 1:
		out[1] &= 0x00ffffff;            /* initial APIC id 0 */
		/* MONITOR/MWAIT stay as offered: mwait is emulated as an
		 * immediate wake-up, which the architecture allows */
		out[2] &= ~((1u << 5) | (1u << 6) | /* VMX, SMX */
			    (1u << 15) |         /* PDCM: no perf capabilities MSR */
			    (1u << 21) |         /* x2APIC: no local APIC is modelled */
			    (1u << 24) |         /* TSC deadline: an APIC timer */
			    (1u << 27) |         /* OSXSAVE reflects the virtual CR4 */
			    (1u << 31));         /* hypervisor present */
		if (v->cr4 & X86_CR4_OSXSAVE)
			out[2] |= 1u << 27;
		out[3] &= ~((1u << 7) |          /* MCE */
			    (1u << 9) |          /* APIC */
			    (1u << 12) |         /* MTRR: no MTRR MSRs are emulated */
			    (1u << 14) |         /* MCA */
			    (1u << 22));         /* ACPI thermal MSRs */
		break;
	case 6:  /* thermal and power management */
	case 0xa: /* architectural performance monitoring */
		out[0] = out[1] = out[2] = out[3] = 0;
		break;
	case 7:
		if (subleaf == 0) {
			out[2] &= ~(1u << 4);    /* OSPKE: no user protection keys */
			out[3] &= ~0xfc000000u;  /* IBRS, STIBP, L1D_FLUSH, ARCH_CAPABILITIES,
						    CORE_CAPABILITIES, SSBD: their MSRs are not emulated */
		}
		break;
	case 0xd:
		if (subleaf == 1)
			out[0] &= ~(1u << 3); /* XSAVES: no supervisor state offered */
		break;
	case 0x80000008:
		out[1] &= ~0x07fff000u; /* AMD IBPB/IBRS/STIBP/SSBD and related MSR controls */
		break;
	}
}
