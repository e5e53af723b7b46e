// SPDX-License-Identifier: MIT
/*
 * Operands of an emulated instruction, from the decoded form elfrewrite put
 * in the site descriptor: registers in the saved frame, memory through the
 * backend's guest-memory accessors, immediates from the descriptor.
 */
#include "vmm/vmm.h"

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

uint64_t vmm_operand_address(const struct vmm_vcpu *v, const struct vmm_regs *regs,
			     const struct vmm_site_desc *d, const struct vmm_operand *op)
{
	uint64_t a = (uint64_t)(int64_t)op->disp;

	if (op->base == VMM_REG_RIP)
		a += d->site + d->insn_length;
	else if (op->base < VMM_GPR_COUNT)
		a += regs->gpr[op->base];
	if (op->index < VMM_GPR_COUNT)
		a += regs->gpr[op->index] * (op->scale ? op->scale : 1);
	if (d->addrsize == 4)
		a &= 0xffffffffULL;
	/* in 64-bit mode only fs and gs have a base */
	if (op->seg == VMM_SEG_FS || op->seg == VMM_SEG_GS)
		a += v->seg[op->seg].base;
	return a;
}

static int stack_relative(const struct vmm_operand *op)
{
	return op->seg == VMM_SEG_SS ||
	       (op->seg == VMM_SEG_DEFAULT && (op->base == VMM_RSP || op->base == VMM_RBP));
}

enum vmm_status vmm_operand_bytes(struct vmm_vcpu *v, const struct vmm_regs *regs,
				  const struct vmm_site_desc *d, const struct vmm_operand *op,
				  void *buf, unsigned len, int write)
{
	uint64_t lin;
	int ok;

	if (op->kind != VMM_OP_MEM)
		return vmm_raise(v, X86_EXC_UD, 0, 0);
	lin = vmm_operand_address(v, regs, d, op);
	if (!vmm_canonical(lin) || !vmm_canonical(lin + len - 1))
		return vmm_raise(v, stack_relative(op) ? X86_EXC_SS : X86_EXC_GP, 1, 0);
	ok = write ? v->mem->write(v->mem->ctx, lin, buf, len, v->cpl == 3, &v->fault)
		   : v->mem->read(v->mem->ctx, lin, buf, len, v->cpl == 3, &v->fault);
	return ok == 0 ? VMM_DONE : VMM_FAULT;
}

enum vmm_status vmm_operand_read(struct vmm_vcpu *v, const struct vmm_regs *regs,
				 const struct vmm_site_desc *d, const struct vmm_operand *op,
				 uint64_t *value)
{
	uint8_t bytes[8];
	enum vmm_status s;

	switch (op->kind) {
	case VMM_OP_GPR:
		if (op->reg >= VMM_GPR_HIGH_BYTE)
			*value = (regs->gpr[op->reg - VMM_GPR_HIGH_BYTE] >> 8) & 0xff;
		else
			*value = regs->gpr[op->reg & 15] & size_mask(op->size);
		return VMM_DONE;
	case VMM_OP_IMM:
		*value = (uint64_t)op->imm & size_mask(op->size);
		return VMM_DONE;
	case VMM_OP_MEM:
		if (op->size > 8)
			return vmm_raise(v, X86_EXC_UD, 0, 0);
		s = vmm_operand_bytes(v, regs, d, op, bytes, op->size, 0);
		if (s != VMM_DONE)
			return s;
		*value = 0;
		for (unsigned i = 0; i < op->size; i++)
			*value |= (uint64_t)bytes[i] << (8 * i);
		return VMM_DONE;
	default:
		return vmm_raise(v, X86_EXC_UD, 0, 0);
	}
}

enum vmm_status vmm_operand_write(struct vmm_vcpu *v, struct vmm_regs *regs,
				  const struct vmm_site_desc *d, const struct vmm_operand *op,
				  uint64_t value)
{
	uint8_t bytes[8];
	uint64_t *r;

	switch (op->kind) {
	case VMM_OP_GPR:
		if (op->reg >= VMM_GPR_HIGH_BYTE) {
			r = &regs->gpr[op->reg - VMM_GPR_HIGH_BYTE];
			*r = (*r & ~0xff00ULL) | ((value & 0xff) << 8);
		} else {
			r = &regs->gpr[op->reg & 15];
			if (op->size >= 4) /* a 32-bit write zero-extends */
				*r = value & size_mask(op->size);
			else
				*r = (*r & ~size_mask(op->size)) | (value & size_mask(op->size));
		}
		return VMM_DONE;
	case VMM_OP_MEM:
		if (op->size > 8)
			return vmm_raise(v, X86_EXC_UD, 0, 0);
		for (unsigned i = 0; i < op->size; i++)
			bytes[i] = (uint8_t)(value >> (8 * i));
		return vmm_operand_bytes(v, regs, d, op, bytes, op->size, 1);
	default:
		return vmm_raise(v, X86_EXC_UD, 0, 0);
	}
}
