// SPDX-License-Identifier: MIT
/*
 * Event delivery into the guest's own IDT and the return through iretq,
 * as a 64-bit CPU performs them (Intel SDM vol. 3, 6.12-6.15; AMD APM vol. 2,
 * 8.9).  Everything goes through the vCPU's virtual descriptor tables and the
 * guest-memory accessors, so this is pure logic: the backend only runs the
 * guest at the resulting rip/rsp (switching the hypervisor's kernel/user
 * address space when the CPL changed, see vcpu->mode_switch).
 */
#include "vmm/vmm.h"

#define DESC_S (1ULL << 44)
#define DESC_P (1ULL << 47)
#define DESC_CODE (1ULL << 43)
#define DESC_RW (1ULL << 41)
#define DESC_CONFORMING (1ULL << 42)
#define DESC_L (1ULL << 53)
#define DESC_DB (1ULL << 54)
#define DESC_DPL(d) ((unsigned)((d) >> 45) & 3)

enum exception_class { BENIGN, CONTRIBUTORY, PAGE_FAULT };

static enum exception_class classify(unsigned vector)
{
	switch (vector) {
	case X86_EXC_DE:
	case X86_EXC_TS:
	case X86_EXC_NP:
	case X86_EXC_SS:
	case X86_EXC_GP:
		return CONTRIBUTORY;
	case X86_EXC_PF:
		return PAGE_FAULT;
	default:
		return BENIGN;
	}
}

static void cache_code(struct vmm_segment *s, uint16_t sel, uint64_t d)
{
	s->sel = sel;
	s->attr = (uint16_t)((d >> 40) & 0xf0ff);
	s->limit = 0xffffffff;
	s->base = 0;
}

static enum vmm_status fail(struct vmm_fault *f, unsigned vector, uint32_t error)
{
	f->vector = (uint8_t)vector;
	f->has_error = 1;
	f->error = error;
	f->cr2 = 0;
	return VMM_FAULT;
}

static int read_sup(struct vmm_vcpu *v, uint64_t lin, void *buf, unsigned len,
		    struct vmm_fault *f)
{
	return v->mem->read(v->mem->ctx, lin, buf, len, 0, f);
}

/* One delivery attempt; a fault it meets is returned in *f, not delivered. */
static enum vmm_status deliver_once(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned vector,
				    int kind, int has_error, uint32_t error, struct vmm_fault *f)
{
	uint32_t ext = kind == VMM_EVENT_SOFTWARE ? 0 : X86_ERR_EXT;
	uint32_t idt_error = vector * 8 + X86_ERR_IDT + ext;
	uint64_t gate[2], code, offset, rsp, frame[6];
	unsigned type, ist, new_cpl, n = 0;
	uint16_t sel;

	if (vector * 16 + 15 > v->idtr.limit)
		return fail(f, X86_EXC_GP, idt_error);
	if (read_sup(v, v->idtr.base + vector * 16, gate, 16, f))
		return VMM_FAULT;
	type = (unsigned)(gate[0] >> 40) & 0x1f; /* with S: a gate has S = 0 */
	if (type != X86_DESC_INTR_GATE && type != X86_DESC_TRAP_GATE)
		return fail(f, X86_EXC_GP, idt_error);
	if (kind == VMM_EVENT_SOFTWARE && DESC_DPL(gate[0]) < v->cpl)
		return fail(f, X86_EXC_GP, idt_error);
	if (!(gate[0] & DESC_P))
		return fail(f, X86_EXC_NP, idt_error);

	sel = (uint16_t)(gate[0] >> 16);
	offset = (gate[0] & 0xffff) | ((gate[0] >> 32) & 0xffff0000ULL) | (gate[1] << 32);
	ist = (unsigned)(gate[0] >> 32) & 7;
	if ((sel & ~3u) == 0)
		return fail(f, X86_EXC_GP, ext);
	{
		struct vmm_fault saved = v->fault;
		enum vmm_status s = vmm_read_descriptor(v, sel, &code, (sel & ~3u) + ext);

		if (s != VMM_DONE) {
			*f = v->fault;
			v->fault = saved;
			return VMM_FAULT;
		}
	}
	if (!(code & DESC_S) || !(code & DESC_CODE) || !(code & DESC_L) || (code & DESC_DB) ||
	    DESC_DPL(code) > v->cpl)
		return fail(f, X86_EXC_GP, (sel & ~3u) + ext);
	if (!(code & DESC_P))
		return fail(f, X86_EXC_NP, (sel & ~3u) + ext);
	new_cpl = (code & DESC_CONFORMING) ? v->cpl : DESC_DPL(code);
	if (!vmm_canonical(offset))
		return fail(f, X86_EXC_GP, ext);

	/* the stack: an IST slot always, else TSS.rsp[new CPL] on a CPL change */
	if (ist || new_cpl < v->cpl) {
		uint32_t slot = ist ? 0x24 + (ist - 1) * 8 : 4 + new_cpl * 8;

		if (slot + 7 > v->tr.limit)
			return fail(f, X86_EXC_TS, (v->tr.sel & ~3u) + ext);
		if (read_sup(v, v->tr.base + slot, &rsp, 8, f))
			return VMM_FAULT;
		if (!vmm_canonical(rsp))
			return fail(f, X86_EXC_SS, ext);
	} else {
		rsp = regs->gpr[VMM_RSP];
	}
	rsp &= ~0xfULL;

	/* lowest address first: [error,] rip, cs, rflags, rsp, ss */
	if (has_error)
		frame[n++] = error;
	frame[n++] = regs->rip;
	frame[n++] = v->seg[VMM_SEG_CS].sel;
	frame[n++] = vmm_guest_rflags(v, regs->rflags);
	frame[n++] = regs->gpr[VMM_RSP];
	frame[n++] = v->seg[VMM_SEG_SS].sel;
	rsp -= n * 8;
	if (!vmm_canonical(rsp))
		return fail(f, X86_EXC_SS, ext);
	if (v->mem->write(v->mem->ctx, rsp, frame, n * 8, new_cpl == 3, f)) {
		if (f->vector != X86_EXC_PF)
			return fail(f, X86_EXC_SS, ext);
		return VMM_FAULT;
	}

	/* commit */
	if (new_cpl != v->cpl) {
		v->seg[VMM_SEG_SS].sel = (uint16_t)new_cpl; /* null selector, RPL = CPL */
		v->seg[VMM_SEG_SS].attr = 0;
		v->seg[VMM_SEG_SS].base = 0;
		vmm_set_cpl(v, new_cpl);
		v->mode_switch = 1;
	}
	cache_code(&v->seg[VMM_SEG_CS], (uint16_t)((sel & ~3u) | new_cpl), code);
	regs->gpr[VMM_RSP] = rsp;
	regs->rip = offset;
	regs->rflags &= ~(uint64_t)X86_FLAGS_TF;
	vmm_set_vflags_sys(v, vmm_vflags_sys(v) & ~(uint64_t)X86_FLAGS_NT);
	if (type == X86_DESC_INTR_GATE)
		vmm_set_vif(v, 0);
	return VMM_DONE;
}

enum vmm_status vmm_deliver(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned vector,
			    int kind, int has_error, uint32_t error)
{
	struct vmm_fault f;

	for (;;) {
		enum exception_class first, second;

		if (deliver_once(v, regs, vector, kind, has_error, error, &f) == VMM_DONE)
			return VMM_DONE;
		if (vector == X86_EXC_DF) {
			/* a fault while delivering #DF: shutdown, as a triple fault */
			v->shutdown_status = 255;
			return VMM_SHUTDOWN;
		}
		first = kind == VMM_EVENT_EXCEPTION || kind == VMM_EVENT_EXTERNAL ? classify(vector)
										: BENIGN;
		if (kind == VMM_EVENT_EXTERNAL)
			first = BENIGN;
		second = classify(f.vector);
		if ((first == CONTRIBUTORY && second == CONTRIBUTORY) ||
		    (first == PAGE_FAULT && second != BENIGN)) {
			vector = X86_EXC_DF;
			has_error = 1;
			error = 0;
		} else {
			vector = f.vector;
			has_error = f.has_error;
			error = f.error;
		}
		if (f.vector == X86_EXC_PF && vector == X86_EXC_PF)
			v->cr2 = f.cr2;
		kind = VMM_EVENT_EXCEPTION;
	}
}

enum vmm_status vmm_deliver_fault(struct vmm_vcpu *v, struct vmm_regs *regs)
{
	if (v->fault.vector == X86_EXC_PF)
		v->cr2 = v->fault.cr2;
	return vmm_deliver(v, regs, v->fault.vector, VMM_EVENT_EXCEPTION, v->fault.has_error,
			   v->fault.error);
}

enum vmm_status vmm_iret(struct vmm_vcpu *v, struct vmm_regs *regs, int opsize)
{
	uint64_t frame[5], code, data;
	unsigned rpl;
	uint16_t cs, ss;
	enum vmm_status s;

	if (vmm_vflags_sys(v) & X86_FLAGS_NT) /* no task return in long mode */
		return vmm_raise(v, X86_EXC_GP, 1, 0);
	if (opsize != 8) /* iretl/iretw in 64-bit code: not used by 64-bit kernels */
		return vmm_raise(v, X86_EXC_UD, 0, 0);
	if (v->mem->read(v->mem->ctx, regs->gpr[VMM_RSP], frame, sizeof(frame), v->cpl == 3,
			 &v->fault))
		return VMM_FAULT;
	cs = (uint16_t)frame[1];
	ss = (uint16_t)frame[4];
	rpl = cs & 3;
	if ((cs & ~3u) == 0)
		return vmm_raise(v, X86_EXC_GP, 1, 0);
	if (rpl < v->cpl)
		return vmm_raise(v, X86_EXC_GP, 1, cs & ~3u);
	s = vmm_read_descriptor(v, cs, &code, cs & ~3u);
	if (s != VMM_DONE)
		return s;
	if (!(code & DESC_S) || !(code & DESC_CODE))
		return vmm_raise(v, X86_EXC_GP, 1, cs & ~3u);
	if ((code & DESC_CONFORMING) ? DESC_DPL(code) > rpl : DESC_DPL(code) != rpl)
		return vmm_raise(v, X86_EXC_GP, 1, cs & ~3u);
	if (!(code & DESC_P))
		return vmm_raise(v, X86_EXC_NP, 1, cs & ~3u);
	if ((code & DESC_L) && !vmm_canonical(frame[0]))
		return vmm_raise(v, X86_EXC_GP, 1, 0);

	if ((ss & ~3u) == 0) {
		/* a null ss is allowed when staying below CPL 3 in 64-bit code */
		if (rpl == 3 || !(code & DESC_L))
			return vmm_raise(v, X86_EXC_GP, 1, 0);
		data = 0;
	} else {
		if ((ss & 3) != rpl)
			return vmm_raise(v, X86_EXC_GP, 1, ss & ~3u);
		s = vmm_read_descriptor(v, ss, &data, ss & ~3u);
		if (s != VMM_DONE)
			return s;
		if (!(data & DESC_S) || (data & DESC_CODE) || !(data & DESC_RW) ||
		    DESC_DPL(data) != rpl)
			return vmm_raise(v, X86_EXC_GP, 1, ss & ~3u);
		if (!(data & DESC_P))
			return vmm_raise(v, X86_EXC_SS, 1, ss & ~3u);
	}

	/* commit: flags with the privilege of the iret, then the new CPL */
	regs->rflags = vmm_load_rflags(v, frame[2], regs->rflags, 8) &
		       ~(uint64_t)(X86_FLAGS_RF | X86_FLAGS_VM);
	cache_code(&v->seg[VMM_SEG_CS], cs, code);
	v->seg[VMM_SEG_SS].sel = ss;
	v->seg[VMM_SEG_SS].attr = (uint16_t)((data >> 40) & 0xf0ff);
	regs->rip = (code & DESC_L) ? frame[0] : frame[0] & 0xffffffffULL;
	regs->gpr[VMM_RSP] = frame[3];
	if (rpl != v->cpl) {
		vmm_set_cpl(v, rpl);
		v->mode_switch = 1;
	}
	return VMM_DONE;
}
