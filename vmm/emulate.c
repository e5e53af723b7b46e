// SPDX-License-Identifier: MIT
/*
 * One emulation routine per class of include/previrt/sensitive.def, and the
 * dispatcher that picks it by the class number of the site's descriptor.
 * The table below is generated from sensitive.def: a class added there
 * without a routine here does not compile.
 *
 * Every routine checks what the CPU would check for the virtual CPL (most
 * are CPL-0 only) and raises the same exception; the dispatcher delivers it
 * with rip = the site's address.  Implicit register operands come from the
 * frame, explicit ones from the descriptor's decoded operands.
 */
#include "vmm/vmm.h"
#include "vmm/devices.h"

#define EMULATE(NAME)                                                                              \
	static enum vmm_status emulate_##NAME(struct vmm_vcpu *v, struct vmm_regs *regs,           \
					      const struct vmm_site_desc *d)

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static unsigned iopl(const struct vmm_vcpu *v)
{
	return (unsigned)(vmm_vflags_sys(v) & X86_FLAGS_IOPL) >> X86_FLAGS_IOPL_SHIFT;
}

static enum vmm_status gp0(struct vmm_vcpu *v)
{
	return vmm_raise(v, X86_EXC_GP, 1, 0);
}

static enum vmm_status ud(struct vmm_vcpu *v)
{
	return vmm_raise(v, X86_EXC_UD, 0, 0);
}

#define REQUIRE_CPL0(v)                                                                            \
	do {                                                                                       \
		if ((v)->cpl != 0)                                                                 \
			return gp0(v);                                                             \
	} while (0)

static void set_edx_eax(struct vmm_regs *regs, uint64_t value)
{
	regs->gpr[VMM_RAX] = value & 0xffffffffULL;
	regs->gpr[VMM_RDX] = value >> 32;
}

static void set_zf(struct vmm_regs *regs, int on)
{
	if (on)
		regs->rflags |= X86_FLAGS_ZF;
	else
		regs->rflags &= ~(uint64_t)X86_FLAGS_ZF;
}

/* Stack accesses of the guest at its current CPL. */
static enum vmm_status push(struct vmm_vcpu *v, struct vmm_regs *regs, uint64_t value,
			    unsigned size)
{
	uint64_t rsp = regs->gpr[VMM_RSP] - size;

	if (!vmm_canonical(rsp))
		return vmm_raise(v, X86_EXC_SS, 1, 0);
	if (v->mem->write(v->mem->ctx, rsp, &value, size, v->cpl == 3, &v->fault))
		return VMM_FAULT;
	regs->gpr[VMM_RSP] = rsp;
	return VMM_DONE;
}

static enum vmm_status peek(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned offset,
			    uint64_t *value, unsigned size)
{
	uint64_t rsp = regs->gpr[VMM_RSP] + offset;

	*value = 0;
	if (!vmm_canonical(rsp))
		return vmm_raise(v, X86_EXC_SS, 1, 0);
	if (v->mem->read(v->mem->ctx, rsp, value, size, v->cpl == 3, &v->fault))
		return VMM_FAULT;
	return VMM_DONE;
}

/* ---- interrupt flag ------------------------------------------------------- */

EMULATE(CLI)
{
	if (v->cpl > iopl(v))
		return gp0(v);
	vmm_set_vif(v, 0);
	return VMM_DONE;
}

EMULATE(STI)
{
	if (v->cpl > iopl(v))
		return gp0(v);
	vmm_set_vif(v, 1);
	vmm_update_pending(v);
	/* sti's interrupt shadow covers the next instruction: in sti;hlt the
	 * interrupt that is already pending wakes the hlt, so the frame shows
	 * rip after the hlt (docs/vmm-interface.md, "interrupt shadow") */
	if (v->pcpu->pending && d->next_hlt_length)
		regs->rip = d->resume + d->next_hlt_length;
	return VMM_DONE;
}

EMULATE(PUSHF)
{
	uint64_t flags = vmm_guest_rflags(v, regs->rflags) & ~(uint64_t)(X86_FLAGS_RF | X86_FLAGS_VM);

	return push(v, regs, flags & mask_of(d->opsize), d->opsize);
}

EMULATE(POPF)
{
	uint64_t value;
	enum vmm_status s = peek(v, regs, 0, &value, d->opsize);

	if (s != VMM_DONE)
		return s;
	regs->rflags = vmm_load_rflags(v, value, regs->rflags, d->opsize) &
		       ~(uint64_t)(X86_FLAGS_RF | X86_FLAGS_VM);
	regs->gpr[VMM_RSP] += d->opsize;
	return VMM_DONE;
}

/* ---- port I/O -------------------------------------------------------------- */

/* The I/O permission check without a TSS I/O bitmap (none is modelled). */
static int io_allowed(const struct vmm_vcpu *v)
{
	return v->cpl <= iopl(v);
}

static uint16_t port_of(const struct vmm_regs *regs, const struct vmm_operand *op)
{
	return op->kind == VMM_OP_IMM ? (uint16_t)op->imm : (uint16_t)regs->gpr[VMM_RDX];
}

static enum vmm_status io_done(struct vmm_vcpu *v)
{
	if (v->devices->exit_requested) {
		v->shutdown_status = v->devices->exit_status;
		return VMM_SHUTDOWN;
	}
	vmm_update_pending(v);
	return VMM_DONE;
}

EMULATE(IN)
{
	const struct vmm_operand *acc = &d->op[0];
	uint32_t value;

	if (!io_allowed(v))
		return gp0(v);
	value = vmm_io_read(v->devices, v->backend, port_of(regs, &d->op[1]), acc->size);
	vmm_operand_write(v, regs, d, acc, value);
	return io_done(v);
}

EMULATE(OUT)
{
	const struct vmm_operand *acc = &d->op[1];
	uint16_t port;

	if (!io_allowed(v))
		return gp0(v);
	port = port_of(regs, &d->op[0]);

	vmm_io_write(v->devices, v->backend, port, acc->size,
		     (uint32_t)(regs->gpr[VMM_RAX] & mask_of(acc->size)));
	if (port >= VMM_PORT_PIT && port <= VMM_PORT_PIT + 3)
		vmm_arm_timer(v);
	return io_done(v);
}

/* ins/outs with an optional rep prefix; each element is one port access. */
static enum vmm_status string_io(struct vmm_vcpu *v, struct vmm_regs *regs,
				 const struct vmm_site_desc *d, int input)
{
	unsigned size = input ? d->op[0].size : d->op[1].size;
	int rep = (d->prefixes & (VMM_PFX_REP | VMM_PFX_REPNE)) != 0;
	uint64_t amask = d->addrsize == 4 ? 0xffffffffULL : ~0ULL;
	int64_t step = (regs->rflags & X86_FLAGS_DF) ? -(int64_t)size : (int64_t)size;
	uint16_t port = (uint16_t)regs->gpr[VMM_RDX];
	unsigned reg = input ? VMM_RDI : VMM_RSI;
	const struct vmm_operand *mem = input ? &d->op[0] : &d->op[1];
	uint64_t seg_base = 0;

	if (!io_allowed(v))
		return gp0(v);
	if (!input && (mem->seg == VMM_SEG_FS || mem->seg == VMM_SEG_GS))
		seg_base = v->seg[mem->seg].base; /* ins always writes through es */
	if (size == 0 || size > 4)
		size = d->opsize > 4 ? 4 : d->opsize;
	while (!rep || (regs->gpr[VMM_RCX] & amask)) {
		uint64_t lin = ((regs->gpr[reg] & amask) + seg_base);
		uint32_t value = 0;

		if (!vmm_canonical(lin))
			return gp0(v);
		if (input) {
			value = vmm_io_read(v->devices, v->backend, port, size);
			if (v->mem->write(v->mem->ctx, lin, &value, size, v->cpl == 3, &v->fault))
				return VMM_FAULT;
		} else {
			if (v->mem->read(v->mem->ctx, lin, &value, size, v->cpl == 3, &v->fault))
				return VMM_FAULT;
			vmm_io_write(v->devices, v->backend, port, size, value);
		}
		regs->gpr[reg] = (regs->gpr[reg] & ~amask) | ((regs->gpr[reg] + (uint64_t)step) & amask);
		if (!rep)
			break;
		regs->gpr[VMM_RCX] = (regs->gpr[VMM_RCX] & ~amask) |
				     ((regs->gpr[VMM_RCX] - 1) & amask);
		if (v->devices->exit_requested)
			break;
	}
	return io_done(v);
}

EMULATE(INS) { return string_io(v, regs, d, 1); }
EMULATE(OUTS) { return string_io(v, regs, d, 0); }

/* ---- control and debug registers --------------------------------------------- */

EMULATE(MOV_TO_CR)
{
	REQUIRE_CPL0(v);
	return vmm_cr_write(v, d->op[0].reg, regs->gpr[d->op[1].reg & 15]);
}

EMULATE(MOV_FROM_CR)
{
	uint64_t value;
	enum vmm_status s;

	REQUIRE_CPL0(v);
	s = vmm_cr_read(v, d->op[1].reg, &value);
	if (s == VMM_DONE)
		regs->gpr[d->op[0].reg & 15] = value; /* always 64-bit in long mode */
	return s;
}

static int dr_number(const struct vmm_vcpu *v, unsigned dr)
{
	if (dr == 4 || dr == 5)
		return (v->cr4 & X86_CR4_DE) ? -1 : (int)dr + 2;
	return dr < 8 ? (int)dr : -1;
}

EMULATE(MOV_TO_DR)
{
	int n = dr_number(v, d->op[0].reg);
	uint64_t value = regs->gpr[d->op[1].reg & 15];

	REQUIRE_CPL0(v);
	if (n < 0)
		return ud(v);
	if ((n == 6 || n == 7) && (value >> 32))
		return gp0(v);
	if (n < 4 && !vmm_canonical(value))
		return gp0(v);
	if (n == 6)
		value = (value & 0x1e00f) | 0xffff0ff0; /* reserved bits read as 1 */
	else if (n == 7)
		value = (value & ~0x2c00ULL) | 0x400;
	v->dr[n] = value; /* breakpoints are not armed in the real CPU */
	return VMM_DONE;
}

EMULATE(MOV_FROM_DR)
{
	int n = dr_number(v, d->op[1].reg);

	REQUIRE_CPL0(v);
	if (n < 0)
		return ud(v);
	regs->gpr[d->op[0].reg & 15] = v->dr[n];
	return VMM_DONE;
}

EMULATE(CLTS)
{
	REQUIRE_CPL0(v);
	v->cr0 &= ~(uint64_t)X86_CR0_TS;
	return VMM_DONE;
}

EMULATE(LMSW)
{
	uint64_t value;
	enum vmm_status s;

	REQUIRE_CPL0(v);
	s = vmm_operand_read(v, regs, d, &d->op[0], &value);
	if (s != VMM_DONE)
		return s;
	/* lmsw sets PE but never clears it, and touches only MP, EM, TS */
	value = (v->cr0 & ~0xeULL) | (value & 0xf) | (v->cr0 & X86_CR0_PE);
	return vmm_cr_write(v, 0, value);
}

EMULATE(SMSW)
{
	struct vmm_operand op = d->op[0];

	if (v->cpl > 0 && (v->cr4 & X86_CR4_UMIP))
		return gp0(v);
	if (op.kind == VMM_OP_MEM)
		op.size = 2;
	return vmm_operand_write(v, regs, d, &op, v->cr0 & mask_of(op.size));
}

/* ---- descriptor tables ----------------------------------------------------------- */

static enum vmm_status load_dtr(struct vmm_vcpu *v, struct vmm_regs *regs,
				const struct vmm_site_desc *d, struct vmm_dtr *dtr)
{
	uint8_t raw[10];
	uint64_t base = 0;
	enum vmm_status s;

	REQUIRE_CPL0(v);
	s = vmm_operand_bytes(v, regs, d, &d->op[0], raw, sizeof(raw), 0);
	if (s != VMM_DONE)
		return s;
	for (int i = 0; i < 8; i++)
		base |= (uint64_t)raw[2 + i] << (8 * i);
	if (!vmm_canonical(base))
		return gp0(v);
	dtr->limit = (uint16_t)(raw[0] | (raw[1] << 8));
	dtr->base = base;
	return VMM_DONE;
}

static enum vmm_status store_dtr(struct vmm_vcpu *v, struct vmm_regs *regs,
				 const struct vmm_site_desc *d, const struct vmm_dtr *dtr)
{
	uint8_t raw[10];

	if (v->cpl > 0 && (v->cr4 & X86_CR4_UMIP))
		return gp0(v);
	raw[0] = (uint8_t)dtr->limit;
	raw[1] = (uint8_t)(dtr->limit >> 8);
	for (int i = 0; i < 8; i++)
		raw[2 + i] = (uint8_t)(dtr->base >> (8 * i));
	return vmm_operand_bytes(v, regs, d, &d->op[0], raw, sizeof(raw), 1);
}

EMULATE(LGDT) { return load_dtr(v, regs, d, &v->gdtr); }
EMULATE(LIDT) { return load_dtr(v, regs, d, &v->idtr); }
EMULATE(SGDT) { return store_dtr(v, regs, d, &v->gdtr); }
EMULATE(SIDT) { return store_dtr(v, regs, d, &v->idtr); }

static enum vmm_status selector_operand(struct vmm_vcpu *v, struct vmm_regs *regs,
					const struct vmm_site_desc *d, uint16_t *sel)
{
	struct vmm_operand op = d->op[0];
	uint64_t value;
	enum vmm_status s;

	op.size = 2;
	s = vmm_operand_read(v, regs, d, &op, &value);
	*sel = (uint16_t)value;
	return s;
}

EMULATE(LLDT)
{
	uint16_t sel;
	enum vmm_status s;

	REQUIRE_CPL0(v);
	s = selector_operand(v, regs, d, &sel);
	return s != VMM_DONE ? s : vmm_load_ldt(v, sel);
}

EMULATE(LTR)
{
	uint16_t sel;
	enum vmm_status s;

	REQUIRE_CPL0(v);
	s = selector_operand(v, regs, d, &sel);
	return s != VMM_DONE ? s : vmm_load_tr(v, sel);
}

/* sldt/str (and mov from a segment register): a register destination gets
 * the selector zero-extended, memory gets 16 bits. */
static enum vmm_status store_selector(struct vmm_vcpu *v, struct vmm_regs *regs,
				      const struct vmm_site_desc *d, uint16_t sel)
{
	struct vmm_operand op = d->op[0];

	if (op.kind == VMM_OP_MEM)
		op.size = 2;
	else if (op.size == 4 || op.size == 8)
		op.size = 8; /* upper bits are cleared */
	return vmm_operand_write(v, regs, d, &op, sel);
}

EMULATE(SLDT)
{
	if (v->cpl > 0 && (v->cr4 & X86_CR4_UMIP))
		return gp0(v);
	return store_selector(v, regs, d, v->ldtr.sel);
}

EMULATE(STR)
{
	if (v->cpl > 0 && (v->cr4 & X86_CR4_UMIP))
		return gp0(v);
	return store_selector(v, regs, d, v->tr.sel);
}

/* ---- MSRs, counters, identification -------------------------------------------- */

EMULATE(RDMSR)
{
	uint64_t value;
	enum vmm_status s;

	REQUIRE_CPL0(v);
	s = vmm_msr_read(v, (uint32_t)regs->gpr[VMM_RCX], &value);
	if (s == VMM_DONE)
		set_edx_eax(regs, value);
	return s;
}

EMULATE(WRMSR)
{
	REQUIRE_CPL0(v);
	return vmm_msr_write(v, (uint32_t)regs->gpr[VMM_RCX],
			     (regs->gpr[VMM_RDX] << 32) | (regs->gpr[VMM_RAX] & 0xffffffffULL));
}

EMULATE(RDPMC)
{
	return gp0(v); /* no performance counters are offered */
}

static uint64_t guest_tsc(struct vmm_vcpu *v)
{
	return v->backend->rdtsc(v->backend->ctx) + (uint64_t)v->tsc_offset;
}

EMULATE(RDTSC)
{
	if (v->cpl > 0 && (v->cr4 & X86_CR4_TSD))
		return gp0(v);
	set_edx_eax(regs, guest_tsc(v));
	return VMM_DONE;
}

EMULATE(RDTSCP)
{
	if (v->cpl > 0 && (v->cr4 & X86_CR4_TSD))
		return gp0(v);
	set_edx_eax(regs, guest_tsc(v));
	regs->gpr[VMM_RCX] = v->tsc_aux & 0xffffffffULL;
	return VMM_DONE;
}

EMULATE(CPUID)
{
	uint32_t out[4];

	vmm_cpuid(v, (uint32_t)regs->gpr[VMM_RAX], (uint32_t)regs->gpr[VMM_RCX], out);
	regs->gpr[VMM_RAX] = out[0];
	regs->gpr[VMM_RBX] = out[1];
	regs->gpr[VMM_RCX] = out[2];
	regs->gpr[VMM_RDX] = out[3];
	return VMM_DONE;
}

/* ---- caches and TLB --------------------------------------------------------------- */

static void tlb_flush(struct vmm_vcpu *v, uint64_t va)
{
	if (v->backend->tlb_flush)
		v->backend->tlb_flush(v->backend->ctx, v->cr3, va);
}

EMULATE(INVLPG)
{
	REQUIRE_CPL0(v);
	tlb_flush(v, vmm_operand_address(v, regs, d, &d->op[0]) & ~0xfffULL);
	return VMM_DONE;
}

EMULATE(INVPCID)
{
	uint64_t desc[2];
	uint64_t type;
	enum vmm_status s;

	REQUIRE_CPL0(v);
	/* Intel order: invpcid reg, mem -> op[0] = type register, op[1] = descriptor */
	type = regs->gpr[d->op[0].reg & 15];
	s = vmm_operand_bytes(v, regs, d, &d->op[1], desc, sizeof(desc), 0);
	if (s != VMM_DONE)
		return s;
	if (type > 3 || (desc[0] >> 12))
		return gp0(v);
	if (type == 0) {
		if (!vmm_canonical(desc[1]))
			return gp0(v);
		tlb_flush(v, desc[1] & ~0xfffULL);
	} else if (type == 2) {
		tlb_flush(v, VMM_TLB_FLUSH_ALL); /* every context, global entries too */
	} else {
		/* one context (without PCID tagging: all of them) or every
		 * context, global entries excepted */
		tlb_flush(v, VMM_TLB_FLUSH_NONGLOBAL);
	}
	return VMM_DONE;
}

EMULATE(WBINVD)
{
	REQUIRE_CPL0(v);
	return VMM_DONE; /* the hypervisor keeps guest memory coherent */
}

EMULATE(INVD)
{
	REQUIRE_CPL0(v);
	return VMM_DONE; /* dropping dirty lines would only lose data: done as wbinvd */
}

/* ---- halting ------------------------------------------------------------------------ */

EMULATE(HLT)
{
	REQUIRE_CPL0(v);
	return VMM_HALT;
}

EMULATE(MONITOR)
{
	REQUIRE_CPL0(v);
	return VMM_DONE;
}

EMULATE(MWAIT)
{
	REQUIRE_CPL0(v);
	return VMM_DONE; /* an immediate wake-up, which mwait is allowed to have */
}

/* ---- privilege transitions ------------------------------------------------------------ */

EMULATE(IRET)
{
	return vmm_iret(v, regs, d->opsize);
}

/* Far transfers to a code segment at the current privilege level (no call
 * gates, no task switches: a kernel uses them to reload %cs). */
static enum vmm_status far_target(struct vmm_vcpu *v, uint16_t sel, uint64_t *desc)
{
	enum vmm_status s;
	unsigned dpl;

	if ((sel & ~3u) == 0)
		return gp0(v);
	s = vmm_read_descriptor(v, sel, desc, sel & ~3u);
	if (s != VMM_DONE)
		return s;
	dpl = (unsigned)(*desc >> 45) & 3;
	if (!(*desc & (1ULL << 44)) || !(*desc & (1ULL << 43)))
		return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
	if ((*desc & (1ULL << 42)) ? dpl > v->cpl : (dpl != v->cpl || (sel & 3u) > v->cpl))
		return vmm_raise(v, X86_EXC_GP, 1, sel & ~3u);
	if (!(*desc & (1ULL << 47)))
		return vmm_raise(v, X86_EXC_NP, 1, sel & ~3u);
	return VMM_DONE;
}

static void load_cs(struct vmm_vcpu *v, uint16_t sel, uint64_t desc)
{
	v->seg[VMM_SEG_CS].sel = (uint16_t)((sel & ~3u) | v->cpl);
	v->seg[VMM_SEG_CS].attr = (uint16_t)((desc >> 40) & 0xf0ff);
}

/* Reads the far pointer of a jmp/call: m16:16/32/64 or ptr16:32. */
static enum vmm_status far_pointer(struct vmm_vcpu *v, struct vmm_regs *regs,
				   const struct vmm_site_desc *d, uint64_t *offset, uint16_t *sel)
{
	uint8_t raw[10];
	unsigned n = d->opsize;
	enum vmm_status s;

	if (d->op[0].kind == VMM_OP_FAR) {
		*offset = (uint64_t)d->op[0].imm & 0xffffffffULL;
		*sel = d->op[0].sel;
		return VMM_DONE;
	}
	s = vmm_operand_bytes(v, regs, d, &d->op[0], raw, n + 2, 0);
	if (s != VMM_DONE)
		return s;
	*offset = 0;
	for (unsigned i = 0; i < n; i++)
		*offset |= (uint64_t)raw[i] << (8 * i);
	*sel = (uint16_t)(raw[n] | (raw[n + 1] << 8));
	return VMM_DONE;
}

/*
 * The far transfer of ljmp and lcall: the pointer from the operand, its code
 * descriptor, and a canonical target offset, or the exception to raise.
 */
static enum vmm_status far_transfer(struct vmm_vcpu *v, struct vmm_regs *regs,
				    const struct vmm_site_desc *d, uint64_t *offset,
				    uint16_t *sel, uint64_t *desc)
{
	enum vmm_status s = far_pointer(v, regs, d, offset, sel);

	if (s == VMM_DONE)
		s = far_target(v, *sel, desc);
	if (s != VMM_DONE)
		return s;
	if (!vmm_canonical(*offset))
		return gp0(v);
	return VMM_DONE;
}

EMULATE(LJMP)
{
	uint64_t offset, desc;
	uint16_t sel;
	enum vmm_status s = far_transfer(v, regs, d, &offset, &sel, &desc);

	if (s != VMM_DONE)
		return s;
	load_cs(v, sel, desc);
	regs->rip = offset;
	return VMM_DONE;
}

EMULATE(LCALL)
{
	uint64_t offset, desc, rsp = regs->gpr[VMM_RSP];
	uint16_t sel;
	enum vmm_status s = far_transfer(v, regs, d, &offset, &sel, &desc);

	if (s != VMM_DONE)
		return s;
	s = push(v, regs, v->seg[VMM_SEG_CS].sel, d->opsize);
	if (s == VMM_DONE)
		s = push(v, regs, d->resume, d->opsize);
	if (s != VMM_DONE) {
		regs->gpr[VMM_RSP] = rsp;
		return s;
	}
	load_cs(v, sel, desc);
	regs->rip = offset;
	return VMM_DONE;
}

EMULATE(LRET)
{
	uint64_t rip, cs, desc;
	unsigned n = d->opsize;
	uint64_t extra = d->op[0].kind == VMM_OP_IMM ? (uint64_t)d->op[0].imm & 0xffff : 0;
	enum vmm_status s = peek(v, regs, 0, &rip, n);

	if (s == VMM_DONE)
		s = peek(v, regs, n, &cs, n);
	if (s != VMM_DONE)
		return s;
	if ((cs & 3) != v->cpl)
		return vmm_raise(v, X86_EXC_GP, 1, (uint32_t)cs & ~3u); /* outer returns: not modelled */
	s = far_target(v, (uint16_t)cs, &desc);
	if (s != VMM_DONE)
		return s;
	if (!vmm_canonical(rip))
		return gp0(v);
	load_cs(v, (uint16_t)cs, desc);
	regs->rip = rip;
	regs->gpr[VMM_RSP] += 2 * n + extra;
	return VMM_DONE;
}

static void enter_user(struct vmm_vcpu *v, uint16_t cs, uint16_t ss, uint16_t cs_attr)
{
	v->seg[VMM_SEG_CS].sel = (uint16_t)(cs | 3);
	v->seg[VMM_SEG_CS].attr = cs_attr;
	v->seg[VMM_SEG_SS].sel = (uint16_t)(ss | 3);
	v->seg[VMM_SEG_SS].attr = 0x00f3;
	vmm_set_cpl(v, 3);
	v->mode_switch = 1;
}

EMULATE(SYSRET)
{
	int to64 = d->opsize == 8;
	uint16_t base = (uint16_t)(v->star >> 48);

	if (!(v->efer & X86_EFER_SCE))
		return ud(v);
	REQUIRE_CPL0(v);
	if (to64 && !vmm_canonical(regs->gpr[VMM_RCX]))
		return gp0(v);
	regs->rflags = vmm_load_rflags(v, (regs->gpr[VMM_R11] & 0x3c7fd7) | X86_FLAGS_FIXED,
				       regs->rflags, 8);
	regs->rip = to64 ? regs->gpr[VMM_RCX] : regs->gpr[VMM_RCX] & 0xffffffffULL;
	enter_user(v, (uint16_t)(to64 ? base + 16 : base), (uint16_t)(base + 8),
		   to64 ? 0x20fb : 0x40fb);
	return VMM_DONE;
}

EMULATE(SYSEXIT)
{
	int to64 = (d->prefixes & VMM_PFX_REX_W) != 0;
	uint16_t base = (uint16_t)v->sysenter_cs;

	REQUIRE_CPL0(v);
	if ((base & ~3u) == 0)
		return gp0(v);
	if (to64 && (!vmm_canonical(regs->gpr[VMM_RDX]) || !vmm_canonical(regs->gpr[VMM_RCX])))
		return gp0(v);
	regs->rip = to64 ? regs->gpr[VMM_RDX] : regs->gpr[VMM_RDX] & 0xffffffffULL;
	regs->gpr[VMM_RSP] = to64 ? regs->gpr[VMM_RCX] : regs->gpr[VMM_RCX] & 0xffffffffULL;
	enter_user(v, (uint16_t)(base + (to64 ? 32 : 16)), (uint16_t)(base + (to64 ? 40 : 24)),
		   to64 ? 0x20fb : 0x40fb);
	return VMM_DONE;
}

EMULATE(SWAPGS)
{
	uint64_t gs;

	if (v->cpl != 0)
		return ud(v);
	gs = v->seg[VMM_SEG_GS].base;
	v->seg[VMM_SEG_GS].base = v->kernel_gs_base;
	v->kernel_gs_base = gs;
	if (v->backend->set_segment_base) {
		v->backend->set_segment_base(v->backend->ctx, VMM_SEG_GS, v->seg[VMM_SEG_GS].base);
		v->backend->set_segment_base(v->backend->ctx, VMM_BASE_KERNEL_GS, v->kernel_gs_base);
	}
	return VMM_DONE;
}

EMULATE(XSETBV)
{
	uint32_t leaf[4];
	uint64_t value = (regs->gpr[VMM_RDX] << 32) | (regs->gpr[VMM_RAX] & 0xffffffffULL);
	uint64_t supported;

	if (!(v->cr4 & X86_CR4_OSXSAVE))
		return ud(v);
	REQUIRE_CPL0(v);
	vmm_cpuid(v, 0xd, 0, leaf);
	supported = ((uint64_t)leaf[3] << 32) | leaf[0];
	if ((uint32_t)regs->gpr[VMM_RCX] != 0 || !(value & 1) || (value & ~supported) ||
	    ((value & 4) && !(value & 2)))
		return gp0(v);
	v->xcr0 = value;
	if (v->backend->set_xcr0)
		v->backend->set_xcr0(v->backend->ctx, value);
	return VMM_DONE;
}

/* ---- segmentation --------------------------------------------------------------------- */

EMULATE(MOV_TO_SEG)
{
	struct vmm_operand src = d->op[1];
	uint64_t sel;
	enum vmm_status s;

	src.size = 2;
	s = vmm_operand_read(v, regs, d, &src, &sel);
	return s != VMM_DONE ? s : vmm_load_segment(v, d->op[0].reg, (uint16_t)sel);
}

EMULATE(MOV_FROM_SEG)
{
	unsigned sreg = d->op[1].reg;

	if (sreg >= VMM_SEG_COUNT)
		return ud(v);
	return store_selector(v, regs, d, v->seg[sreg].sel);
}

EMULATE(PUSH_SEG)
{
	unsigned sreg = d->op[0].reg;

	if (sreg != VMM_SEG_FS && sreg != VMM_SEG_GS)
		return ud(v); /* push es/cs/ss/ds do not exist in 64-bit code */
	return push(v, regs, v->seg[sreg].sel, d->opsize);
}

EMULATE(POP_SEG)
{
	unsigned sreg = d->op[0].reg;
	uint64_t sel;
	enum vmm_status s;

	if (sreg != VMM_SEG_FS && sreg != VMM_SEG_GS)
		return ud(v);
	s = peek(v, regs, 0, &sel, d->opsize);
	if (s == VMM_DONE)
		s = vmm_load_segment(v, sreg, (uint16_t)sel);
	if (s == VMM_DONE)
		regs->gpr[VMM_RSP] += d->opsize;
	return s;
}

EMULATE(LOAD_FAR_POINTER)
{
	/* lfs/lgs/lss: op[0] = destination register, op[1] = m16:opsize;
	 * the segment comes from the opcode, which elfrewrite puts in op[0].sel */
	uint8_t raw[10];
	unsigned n = d->opsize;
	uint64_t offset = 0;
	enum vmm_status s = vmm_operand_bytes(v, regs, d, &d->op[1], raw, n + 2, 0);

	if (s != VMM_DONE)
		return s;
	for (unsigned i = 0; i < n; i++)
		offset |= (uint64_t)raw[i] << (8 * i);
	s = vmm_load_segment(v, d->op[0].sel, (uint16_t)(raw[n] | (raw[n + 1] << 8)));
	if (s != VMM_DONE)
		return s;
	return vmm_operand_write(v, regs, d, &d->op[0], offset);
}

/* lar, lsl, verr, verw: a descriptor the current privilege may see sets ZF,
 * anything else clears it; they never fault on a bad selector. */
static int visible_descriptor(struct vmm_vcpu *v, uint16_t sel, uint64_t *desc)
{
	struct vmm_fault saved = v->fault;
	unsigned dpl;

	if ((sel & ~3u) == 0 || vmm_read_descriptor(v, sel, desc, 0) != VMM_DONE) {
		v->fault = saved;
		return 0;
	}
	dpl = (unsigned)(*desc >> 45) & 3;
	/* conforming code is visible at any privilege */
	if ((*desc & (1ULL << 44)) && (*desc & (3ULL << 42)) == (3ULL << 42))
		return 1;
	return dpl >= v->cpl && dpl >= (sel & 3u);
}

static enum vmm_status check_selector(struct vmm_vcpu *v, struct vmm_regs *regs,
				      const struct vmm_site_desc *d, int what)
{
	struct vmm_operand src = what >= 2 ? d->op[0] : d->op[1];
	uint64_t sel, desc;
	enum vmm_status s;
	int ok;

	src.size = 2;
	s = vmm_operand_read(v, regs, d, &src, &sel);
	if (s != VMM_DONE)
		return s;
	ok = visible_descriptor(v, (uint16_t)sel, &desc);
	if (ok && !(desc & (1ULL << 44))) {
		unsigned type = (unsigned)(desc >> 40) & 0xf;

		/* system descriptors lar/lsl accept in long mode: LDT, TSS */
		ok = what < 2 && (type == X86_DESC_LDT || type == X86_DESC_TSS_AVAIL ||
				  type == X86_DESC_TSS_BUSY);
	} else if (ok && what == 2) { /* verr: data, or readable code */
		ok = !(desc & (1ULL << 43)) || (desc & (1ULL << 41));
	} else if (ok && what == 3) { /* verw: writable data */
		ok = !(desc & (1ULL << 43)) && (desc & (1ULL << 41));
	}
	set_zf(regs, ok);
	if (!ok || what >= 2)
		return VMM_DONE;
	if (what == 0) {
		s = vmm_operand_write(v, regs, d, &d->op[0], (desc >> 32) & 0x00f0ff00ULL);
	} else {
		uint64_t limit = (desc & 0xffff) | ((desc >> 32) & 0xf0000);

		if (desc & (1ULL << 55))
			limit = (limit << 12) | 0xfff;
		s = vmm_operand_write(v, regs, d, &d->op[0], limit);
	}
	return s;
}

EMULATE(LAR) { return check_selector(v, regs, d, 0); }
EMULATE(LSL) { return check_selector(v, regs, d, 1); }
EMULATE(VERR) { return check_selector(v, regs, d, 2); }
EMULATE(VERW) { return check_selector(v, regs, d, 3); }

static enum vmm_status write_base(struct vmm_vcpu *v, struct vmm_regs *regs,
				  const struct vmm_site_desc *d, unsigned sreg)
{
	uint64_t base = regs->gpr[d->op[0].reg & 15];

	if (!(v->cr4 & X86_CR4_FSGSBASE))
		return ud(v);
	if (d->op[0].size == 4)
		base &= 0xffffffffULL;
	if (!vmm_canonical(base))
		return gp0(v);
	v->seg[sreg].base = base;
	if (v->backend->set_segment_base)
		v->backend->set_segment_base(v->backend->ctx, (int)sreg, base);
	return VMM_DONE;
}

static enum vmm_status read_base(struct vmm_vcpu *v, struct vmm_regs *regs,
				 const struct vmm_site_desc *d, unsigned sreg)
{
	if (!(v->cr4 & X86_CR4_FSGSBASE))
		return ud(v);
	return vmm_operand_write(v, regs, d, &d->op[0], v->seg[sreg].base);
}

EMULATE(WRFSBASE) { return write_base(v, regs, d, VMM_SEG_FS); }
EMULATE(WRGSBASE) { return write_base(v, regs, d, VMM_SEG_GS); }
EMULATE(RDFSBASE) { return read_base(v, regs, d, VMM_SEG_FS); }
EMULATE(RDGSBASE) { return read_base(v, regs, d, VMM_SEG_GS); }

/* ---- supervisor-only extensions ---------------------------------------------------------- */

EMULATE(STAC)
{
	if (v->cpl != 0)
		return ud(v);
	vmm_set_vflags_sys(v, vmm_vflags_sys(v) | X86_FLAGS_AC);
	return VMM_DONE;
}

EMULATE(CLAC)
{
	if (v->cpl != 0)
		return ud(v);
	vmm_set_vflags_sys(v, vmm_vflags_sys(v) & ~(uint64_t)X86_FLAGS_AC);
	return VMM_DONE;
}

/* XSAVES is not offered in cpuid (no supervisor state components). */
EMULATE(XSAVES) { return ud(v); }
EMULATE(XRSTORS) { return ud(v); }

/* ---- dispatch ------------------------------------------------------------------------------ */

static const vmm_emulate_fn emulators[PV_CLASS_LIMIT] = {
#define PV_CLASS(NAME, id, modes, attrs, pad, why) [id] = emulate_##NAME,
#include "previrt/sensitive.def"
};

vmm_emulate_fn vmm_emulator(unsigned insn_class)
{
	return insn_class < PV_CLASS_LIMIT ? emulators[insn_class] : 0;
}

enum vmm_status vmm_dispatch(struct vmm_vcpu *v, struct vmm_regs *regs,
			     const struct vmm_site_desc *d)
{
	vmm_emulate_fn fn = d ? vmm_emulator(d->insn_class) : 0;
	enum vmm_status s;

	if (!d) {
		/* the inline sti/popf found an interrupt pending: regs->rip, the
		 * call's return address, is where the guest continues.  That can
		 * lie inside the site's NOPs (sti: call + 3 NOPs); the site's end
		 * is the same instruction boundary, and the one the guest knows. */
		const struct vmm_site_desc *site = vmm_site_lookup(v, regs->rip - 1);

		if (site && regs->rip < site->resume)
			regs->rip = site->resume;
		s = VMM_DONE;
	} else if (!fn || d->abi_version != PREVIRT_VMM_ABI_VERSION) {
		regs->rip = d->site;
		s = ud(v); /* a descriptor this VMM cannot read: the guest sees #UD */
	} else {
		regs->rip = d->site;
		s = fn(v, regs, d);
		if (s != VMM_FAULT && regs->rip == d->site)
			regs->rip = d->resume;
	}
	switch (s) {
	case VMM_FAULT:
		s = vmm_deliver_fault(v, regs);
		break;
	case VMM_HALT:
		s = vmm_halt(v, regs);
		break;
	default:
		break;
	}
	if (s == VMM_SHUTDOWN) {
		vmm_uart_flush(&v->devices->com1, v->backend);
		return s;
	}
	if (s == VMM_DONE && vmm_vif(v))
		s = vmm_deliver_pending(v, regs);
	return s;
}
