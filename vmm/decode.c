// SPDX-License-Identifier: MIT
/*
 * A decoder for exactly the sensitive instructions of 64-bit code (Intel
 * SDM vol. 2, opcode maps; AMD APM vol. 3): legacy prefixes, REX, the
 * one- and two-byte maps and 0F 38 for invpcid, ModRM/SIB addressing with
 * RIP-relative and SIB-without-base forms.  Everything else is refused, so a
 * descriptor is never built from bytes that the emulation would misread.
 */
#include "previrt/vmm_decode.h"
#include "previrt/sites.h"

struct insn {
	const uint8_t *p, *end;
	unsigned rex, opsize_prefix, addr_prefix, rep, repne, lock, seg;
	unsigned modrm, mod, reg, rm;
	int has_modrm;
};

static int next(struct insn *x, uint8_t *b)
{
	if (x->p >= x->end)
		return -1;
	*b = *x->p++;
	return 0;
}

static void operand_none(struct vmm_operand *o)
{
	o->kind = VMM_OP_NONE;
	o->base = o->index = VMM_REG_NONE;
	o->seg = VMM_SEG_DEFAULT;
}

static int read_modrm(struct insn *x)
{
	uint8_t b;

	if (next(x, &b))
		return -1;
	x->modrm = b;
	x->mod = b >> 6;
	x->reg = ((b >> 3) & 7) | ((x->rex & 4) ? 8 : 0);
	x->rm = b & 7;
	x->has_modrm = 1;
	return 0;
}

static int read_le(struct insn *x, unsigned n, int64_t *v)
{
	uint64_t u = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b;

		if (next(x, &b))
			return -1;
		u |= (uint64_t)b << (8 * i);
	}
	if (n < 8 && (u >> (8 * n - 1)) & 1)
		u |= ~0ULL << (8 * n); /* sign-extend */
	*v = (int64_t)u;
	return 0;
}

static void gpr_operand(struct vmm_operand *o, unsigned reg, unsigned size, unsigned rex)
{
	operand_none(o);
	o->kind = VMM_OP_GPR;
	o->size = (uint8_t)size;
	/* without REX, byte registers 4..7 are ah, ch, dh, bh */
	o->reg = (uint8_t)(size == 1 && !rex && reg >= 4 && reg < 8 ? VMM_GPR_HIGH_BYTE + reg - 4 : reg);
}

/* The r/m operand: a register (mod 3) or memory. */
static int rm_operand(struct insn *x, struct vmm_operand *o, unsigned size)
{
	int64_t disp = 0;

	if (x->mod == 3) {
		gpr_operand(o, x->rm | ((x->rex & 1) ? 8 : 0), size, x->rex);
		return 0;
	}
	operand_none(o);
	o->kind = VMM_OP_MEM;
	o->size = (uint8_t)size;
	o->scale = 1;
	o->seg = (uint8_t)x->seg;
	if (x->rm == 4) {
		uint8_t sib;
		unsigned index, base;

		if (next(x, &sib))
			return -1;
		index = ((sib >> 3) & 7) | ((x->rex & 2) ? 8 : 0);
		base = (sib & 7) | ((x->rex & 1) ? 8 : 0);
		o->scale = (uint8_t)(1u << (sib >> 6));
		o->index = (uint8_t)(index == 4 ? VMM_REG_NONE : index);
		if ((sib & 7) == 5 && x->mod == 0) {
			o->base = VMM_REG_NONE;
			if (read_le(x, 4, &disp))
				return -1;
		} else {
			o->base = (uint8_t)base;
		}
	} else if (x->rm == 5 && x->mod == 0) {
		o->base = VMM_REG_RIP;
		if (read_le(x, 4, &disp))
			return -1;
	} else {
		o->base = (uint8_t)(x->rm | ((x->rex & 1) ? 8 : 0));
	}
	if (x->mod == 1 && read_le(x, 1, &disp))
		return -1;
	if (x->mod == 2 && read_le(x, 4, &disp))
		return -1;
	o->disp = (int32_t)disp;
	return 0;
}

static int imm_operand(struct insn *x, struct vmm_operand *o, unsigned size)
{
	operand_none(o);
	o->kind = VMM_OP_IMM;
	o->size = (uint8_t)size;
	return read_le(x, size, &o->imm);
}

static void reg_operand(struct vmm_operand *o, unsigned kind, unsigned reg, unsigned size)
{
	operand_none(o);
	o->kind = (uint8_t)kind;
	o->reg = (uint8_t)reg;
	o->size = (uint8_t)size;
}

/* The string operand of ins (es:rdi) or outs (seg:rsi). */
static void string_operand(struct vmm_operand *o, unsigned reg, unsigned size, unsigned seg)
{
	operand_none(o);
	o->kind = VMM_OP_MEM;
	o->size = (uint8_t)size;
	o->base = (uint8_t)reg;
	o->scale = 1;
	o->seg = (uint8_t)seg;
}

/* 0F 00 and 0F 01 groups, by ModRM.reg (and the whole ModRM for mod 3). */
static int group_0f01(struct insn *x, struct vmm_site_desc *d)
{
	static const struct { uint8_t modrm, cls; } regforms[] = {
		{0xc8, PV_CLASS_MONITOR}, {0xc9, PV_CLASS_MWAIT}, {0xca, PV_CLASS_CLAC},
		{0xcb, PV_CLASS_STAC},    {0xd1, PV_CLASS_XSETBV}, {0xf8, PV_CLASS_SWAPGS},
		{0xf9, PV_CLASS_RDTSCP},  {0xfa, PV_CLASS_MONITOR}, {0xfb, PV_CLASS_MWAIT},
	};

	if (read_modrm(x))
		return -1;
	if (x->mod == 3) {
		for (unsigned i = 0; i < sizeof(regforms) / sizeof(regforms[0]); i++)
			if (regforms[i].modrm == x->modrm) {
				d->insn_class = regforms[i].cls;
				return 0;
			}
		if ((x->modrm & 0x38) == 0x30) { /* lmsw r16 */
			d->insn_class = PV_CLASS_LMSW;
			return rm_operand(x, &d->op[0], 2);
		}
		if ((x->modrm & 0x38) == 0x20) { /* smsw r */
			d->insn_class = PV_CLASS_SMSW;
			return rm_operand(x, &d->op[0], d->opsize);
		}
		return -1;
	}
	switch (x->reg & 7) {
	case 0: d->insn_class = PV_CLASS_SGDT; return rm_operand(x, &d->op[0], 10);
	case 1: d->insn_class = PV_CLASS_SIDT; return rm_operand(x, &d->op[0], 10);
	case 2: d->insn_class = PV_CLASS_LGDT; return rm_operand(x, &d->op[0], 10);
	case 3: d->insn_class = PV_CLASS_LIDT; return rm_operand(x, &d->op[0], 10);
	case 4: d->insn_class = PV_CLASS_SMSW; return rm_operand(x, &d->op[0], 2);
	case 6: d->insn_class = PV_CLASS_LMSW; return rm_operand(x, &d->op[0], 2);
	case 7: d->insn_class = PV_CLASS_INVLPG; return rm_operand(x, &d->op[0], 1);
	default: return -1;
	}
}

static int group_0f00(struct insn *x, struct vmm_site_desc *d)
{
	static const uint8_t classes[8] = {PV_CLASS_SLDT, PV_CLASS_STR, PV_CLASS_LLDT, PV_CLASS_LTR,
					   PV_CLASS_VERR, PV_CLASS_VERW, 0, 0};
	unsigned cls;

	if (read_modrm(x))
		return -1;
	cls = classes[x->reg & 7];
	if (!cls)
		return -1;
	d->insn_class = (uint8_t)cls;
	/* sldt/str to a register store opsize bits; every other form is 16-bit */
	return rm_operand(x, &d->op[0],
			  (cls == PV_CLASS_SLDT || cls == PV_CLASS_STR) && x->mod == 3 ? d->opsize : 2);
}

static int two_byte(struct insn *x, struct vmm_site_desc *d)
{
	uint8_t op;

	if (next(x, &op))
		return -1;
	switch (op) {
	case 0x00: return group_0f00(x, d);
	case 0x01: return group_0f01(x, d);
	case 0x02:
	case 0x03:
		d->insn_class = op == 0x02 ? PV_CLASS_LAR : PV_CLASS_LSL;
		if (read_modrm(x))
			return -1;
		gpr_operand(&d->op[0], x->reg, d->opsize, x->rex);
		return rm_operand(x, &d->op[1], 2);
	case 0x06: d->insn_class = PV_CLASS_CLTS; return 0;
	case 0x07: d->insn_class = PV_CLASS_SYSRET; return 0;
	case 0x08: d->insn_class = PV_CLASS_INVD; return 0;
	case 0x09: d->insn_class = PV_CLASS_WBINVD; return 0;
	case 0x20:
	case 0x21:
	case 0x22:
	case 0x23: {
		unsigned kind = (op & 1) ? VMM_OP_DR : VMM_OP_CR;

		if (read_modrm(x))
			return -1;
		d->opsize = 8; /* always 64-bit registers in long mode */
		d->insn_class = op == 0x20 ? PV_CLASS_MOV_FROM_CR : op == 0x21 ? PV_CLASS_MOV_FROM_DR
			       : op == 0x22 ? PV_CLASS_MOV_TO_CR : PV_CLASS_MOV_TO_DR;
		if (op & 2) {
			reg_operand(&d->op[0], kind, x->reg, 8);
			gpr_operand(&d->op[1], x->rm | ((x->rex & 1) ? 8 : 0), 8, x->rex);
		} else {
			gpr_operand(&d->op[0], x->rm | ((x->rex & 1) ? 8 : 0), 8, x->rex);
			reg_operand(&d->op[1], kind, x->reg, 8);
		}
		return 0;
	}
	case 0x30: d->insn_class = PV_CLASS_WRMSR; return 0;
	case 0x31: d->insn_class = PV_CLASS_RDTSC; return 0;
	case 0x32: d->insn_class = PV_CLASS_RDMSR; return 0;
	case 0x33: d->insn_class = PV_CLASS_RDPMC; return 0;
	case 0x35: d->insn_class = PV_CLASS_SYSEXIT; return 0;
	case 0x38: {
		uint8_t op3;

		if (next(x, &op3) || op3 != 0x82 || !x->opsize_prefix)
			return -1;
		d->insn_class = PV_CLASS_INVPCID;
		if (read_modrm(x) || x->mod == 3)
			return -1;
		gpr_operand(&d->op[0], x->reg, 8, x->rex);
		return rm_operand(x, &d->op[1], 16);
	}
	case 0xa0:
	case 0xa8:
	case 0xa1:
	case 0xa9:
		d->insn_class = (op & 1) ? PV_CLASS_POP_SEG : PV_CLASS_PUSH_SEG;
		d->opsize = x->opsize_prefix ? 2 : 8;
		reg_operand(&d->op[0], VMM_OP_SREG, op >= 0xa8 ? VMM_SEG_GS : VMM_SEG_FS, 2);
		return 0;
	case 0xa2: d->insn_class = PV_CLASS_CPUID; return 0;
	case 0xae:
		if (!x->rep || read_modrm(x) || x->mod != 3 || (x->reg & 7) > 3)
			return -1;
		d->insn_class = (uint8_t)((const uint8_t[]){PV_CLASS_RDFSBASE, PV_CLASS_RDGSBASE,
							     PV_CLASS_WRFSBASE,
							     PV_CLASS_WRGSBASE})[x->reg & 7];
		d->prefixes &= (uint8_t)~VMM_PFX_REP; /* F3 is part of the opcode */
		return rm_operand(x, &d->op[0], (x->rex & 8) ? 8 : 4);
	case 0xb2:
	case 0xb4:
	case 0xb5:
		d->insn_class = PV_CLASS_LOAD_FAR_POINTER;
		if (read_modrm(x) || x->mod == 3)
			return -1;
		gpr_operand(&d->op[0], x->reg, d->opsize, x->rex);
		d->op[0].sel = op == 0xb2 ? VMM_SEG_SS : op == 0xb4 ? VMM_SEG_FS : VMM_SEG_GS;
		return rm_operand(x, &d->op[1], d->opsize + 2u);
	case 0xc7:
		if (read_modrm(x) || x->mod == 3)
			return -1;
		if ((x->reg & 7) == 5)
			d->insn_class = PV_CLASS_XSAVES;
		else if ((x->reg & 7) == 3)
			d->insn_class = PV_CLASS_XRSTORS;
		else
			return -1;
		return rm_operand(x, &d->op[0], 8);
	default:
		return -1;
	}
}

int vmm_decode(const uint8_t *bytes, unsigned len, struct vmm_site_desc *d)
{
	struct insn x;
	uint8_t op, *out = (uint8_t *)d, flags = d->flags, padded = d->padded_length;
	unsigned i;

	/* everything from abi_version on is decoded; site, resume, flags and
	 * padded_length are the caller's */
	for (i = 16; i < sizeof(*d); i++)
		out[i] = 0;
	d->flags = flags;
	d->padded_length = padded;
	out = (uint8_t *)&x;
	for (i = 0; i < sizeof(x); i++)
		out[i] = 0;
	operand_none(&d->op[0]);
	operand_none(&d->op[1]);
	x.p = bytes;
	x.end = bytes + (len > 15 ? 15 : len);
	x.seg = VMM_SEG_DEFAULT;

	/* legacy prefixes, then at most one REX immediately before the opcode */
	for (;;) {
		if (next(&x, &op))
			return -1;
		switch (op) {
		case 0x66: x.opsize_prefix = 1; continue;
		case 0x67: x.addr_prefix = 1; continue;
		case 0xf3: x.rep = 1; continue;
		case 0xf2: x.repne = 1; continue;
		case 0xf0: x.lock = 1; continue;
		case 0x26: x.seg = VMM_SEG_ES; continue;
		case 0x2e: x.seg = VMM_SEG_CS; continue;
		case 0x36: x.seg = VMM_SEG_SS; continue;
		case 0x3e: x.seg = VMM_SEG_DS; continue;
		case 0x64: x.seg = VMM_SEG_FS; continue;
		case 0x65: x.seg = VMM_SEG_GS; continue;
		default: break;
		}
		break;
	}
	if ((op & 0xf0) == 0x40) {
		x.rex = op;
		if (next(&x, &op))
			return -1;
	}
	d->abi_version = PREVIRT_VMM_ABI_VERSION;
	d->addrsize = x.addr_prefix ? 4 : 8;
	d->opsize = (x.rex & 8) ? 8 : x.opsize_prefix ? 2 : 4;
	d->prefixes = (uint8_t)((x.rep ? VMM_PFX_REP : 0) | (x.repne ? VMM_PFX_REPNE : 0) |
				(x.lock ? VMM_PFX_LOCK : 0) | ((x.rex & 8) ? VMM_PFX_REX_W : 0) |
				(x.opsize_prefix ? VMM_PFX_OPSIZE : 0) |
				(x.addr_prefix ? VMM_PFX_ADDRSIZE : 0));

	switch (op) {
	case 0x0f:
		if (two_byte(&x, d))
			return -1;
		break;
	case 0xfa: d->insn_class = PV_CLASS_CLI; break;
	case 0xfb: d->insn_class = PV_CLASS_STI; break;
	case 0x9c:
	case 0x9d:
		d->insn_class = op == 0x9c ? PV_CLASS_PUSHF : PV_CLASS_POPF;
		d->opsize = x.opsize_prefix ? 2 : 8; /* 64-bit by default */
		break;
	case 0xe4: case 0xe5: case 0xec: case 0xed: { /* in */
		unsigned size = (op & 1) ? (x.opsize_prefix ? 2 : 4) : 1;

		d->insn_class = PV_CLASS_IN;
		gpr_operand(&d->op[0], VMM_RAX, size, 1);
		if (op & 8)
			gpr_operand(&d->op[1], VMM_RDX, 2, 1);
		else if (imm_operand(&x, &d->op[1], 1))
			return -1;
		d->op[1].imm &= 0xff;
		break;
	}
	case 0xe6: case 0xe7: case 0xee: case 0xef: { /* out */
		unsigned size = (op & 1) ? (x.opsize_prefix ? 2 : 4) : 1;

		d->insn_class = PV_CLASS_OUT;
		if (op & 8)
			gpr_operand(&d->op[0], VMM_RDX, 2, 1);
		else if (imm_operand(&x, &d->op[0], 1))
			return -1;
		d->op[0].imm &= 0xff;
		gpr_operand(&d->op[1], VMM_RAX, size, 1);
		break;
	}
	case 0x6c: case 0x6d: case 0x6e: case 0x6f: {
		unsigned size = (op & 1) ? (x.opsize_prefix ? 2 : 4) : 1;

		if (op < 0x6e) {
			d->insn_class = PV_CLASS_INS;
			string_operand(&d->op[0], VMM_RDI, size, VMM_SEG_ES);
			gpr_operand(&d->op[1], VMM_RDX, 2, 1);
		} else {
			d->insn_class = PV_CLASS_OUTS;
			gpr_operand(&d->op[0], VMM_RDX, 2, 1);
			string_operand(&d->op[1], VMM_RSI, size, x.seg);
		}
		break;
	}
	case 0xf4: d->insn_class = PV_CLASS_HLT; break;
	case 0xcf: d->insn_class = PV_CLASS_IRET; break;
	case 0xca:
	case 0xcb:
		d->insn_class = PV_CLASS_LRET;
		if (op == 0xca && imm_operand(&x, &d->op[0], 2))
			return -1;
		break;
	case 0x8e:
	case 0x8c:
		if (read_modrm(&x) || (x.reg & 7) > 5)
			return -1;
		if (op == 0x8e) {
			if ((x.reg & 7) == VMM_SEG_CS)
				return -1; /* mov to %cs does not exist */
			d->insn_class = PV_CLASS_MOV_TO_SEG;
			reg_operand(&d->op[0], VMM_OP_SREG, x.reg & 7, 2);
			if (rm_operand(&x, &d->op[1], 2))
				return -1;
		} else {
			d->insn_class = PV_CLASS_MOV_FROM_SEG;
			if (rm_operand(&x, &d->op[0], x.mod == 3 ? d->opsize : 2))
				return -1;
			reg_operand(&d->op[1], VMM_OP_SREG, x.reg & 7, 2);
		}
		break;
	case 0xff:
		if (read_modrm(&x) || x.mod == 3 || ((x.reg & 7) != 3 && (x.reg & 7) != 5))
			return -1;
		d->insn_class = (x.reg & 7) == 3 ? PV_CLASS_LCALL : PV_CLASS_LJMP;
		if (rm_operand(&x, &d->op[0], d->opsize + 2u))
			return -1;
		break;
	default:
		return -1;
	}
	d->insn_length = (uint8_t)(x.p - bytes);
	for (i = 0; i < d->insn_length; i++)
		d->bytes[i] = bytes[i];
	return 0;
}
