/* SPDX-License-Identifier: MIT */
/*
 * The contract between a rewritten site and the in-place VMM, version 1.
 * elfrewrite includes this header to emit per-site descriptors and thunks;
 * the VMM reads them.  Freestanding C (also valid C++): only <stdint.h>.
 * The prose specification is docs/vmm-interface.md.
 *
 *   site (stack usable):   call thunk_N ; NOPs up to the site's end
 *                          (cli, sti, pushf, popf: the inline forms below)
 *   thunk_N:               pushq $desc_N ; jmp vmm_entry
 *   site (PV_SITE_NOSTACK): jmp thunk_N ; NOPs
 *   thunk_N:               mov %rsp, vmm_nostack_rsp(%rip)
 *                          lea vmm_nostack_stack_top(%rip), %rsp
 *                          pushq $desc_N ; jmp vmm_entry_nostack
 *
 * vmm_entry saves the guest's registers into a struct vmm_regs on the stack
 * it runs on, calls vmm_dispatch(regs, desc), and resumes the guest from
 * regs->rip / regs->rsp with every other register taken from the frame.
 */
#ifndef PREVIRT_VMM_ABI_H
#define PREVIRT_VMM_ABI_H

#define PREVIRT_VMM_ABI_VERSION 1

/* Layout constants, also for assembly (checked against the structs below). */
#define VMM_REGS_OFF_GPR(n) ((n) * 8)
#define VMM_REGS_OFF_RIP 128
#define VMM_REGS_OFF_RFLAGS 136
#define VMM_REGS_SIZE 144
#define VMM_SITE_DESC_SIZE 88
#define VMM_PCPU_OFF_PUSHF_ENTRY 0
#define VMM_PCPU_OFF_VIF 1        /* the vif byte: 0 (cli) or VMM_VIF_ON (sti) */
#define VMM_VIF_ON 2
#define VMM_PCPU_OFF_MODE 0       /* the mode byte: 0, or VMM_MODE_SYS */
#define VMM_MODE_SYS 0x80         /* vflags_sys holds bits the guest set */
#define VMM_PUSHF_TABLE_ALIGN 0x10000
#define VMM_PCPU_OFF_VFLAGS_SYS 8
#define VMM_PCPU_OFF_PENDING 16
#define VMM_PCPU_OFF_USER 17
#define VMM_PCPU_OFF_IN_VMM 18
#define VMM_PCPU_OFF_NOSTACK_RSP 24
#define VMM_PCPU_OFF_NOSTACK_RIP 32
#define VMM_PCPU_OFF_VCPU 40
#define VMM_PCPU_SIZE 48
/* An sti site is 8 bytes: a 3-byte NOP, then `call vmm_sti`. */
#define VMM_STI_SITE_LENGTH 8
/* A popf site (docs/vmm-interface.md): its call to vmm_popf_slow starts
 * this many bytes into the site and returns VMM_POPF_SLOW_SKIP bytes
 * further on, past the fast path's store and popfq, to the site's end. */
#define VMM_POPF_SITE_LENGTH 24
#define VMM_POPF_CALL_OFFSET 9
#define VMM_POPF_SLOW_SKIP 10
/* A pushf site: pushfq, then `call *vmm_pcpu(%rip)` (the pushf entry). */
#define VMM_PUSHF_SITE_LENGTH 7

#ifndef __ASSEMBLY__
#include <stdint.h>

/* General registers in x86 encoding order: gpr[n] is the register whose
 * ModRM/REX number is n, so a decoded operand indexes the frame directly. */
enum vmm_gpr {
	VMM_RAX, VMM_RCX, VMM_RDX, VMM_RBX, VMM_RSP, VMM_RBP, VMM_RSI, VMM_RDI,
	VMM_R8, VMM_R9, VMM_R10, VMM_R11, VMM_R12, VMM_R13, VMM_R14, VMM_R15,
	VMM_GPR_COUNT
};

/*
 * The guest's registers at a site, as vmm_entry saves them (lowest address
 * first).  gpr[VMM_RSP] is the guest's %rsp at the site (before the call
 * that entered the thunk), rip is the site's address on entry, rflags the
 * real flags at the site (arithmetic flags are the guest's; IF and IOPL are
 * the hypervisor's and are ignored).  The emulation may change any field;
 * vmm_entry resumes at rip with rsp = gpr[VMM_RSP] and the arithmetic flags
 * of rflags.
 */
struct vmm_regs {
	uint64_t gpr[VMM_GPR_COUNT];
	uint64_t rip;
	uint64_t rflags;
};


/* Operand kinds (struct vmm_operand.kind). */
#define VMM_OP_NONE 0
#define VMM_OP_GPR 1   /* reg = 0..15; a legacy high byte (ah ch dh bh) is 16..19 */
#define VMM_OP_MEM 2   /* base, index, scale, disp, seg */
#define VMM_OP_IMM 3   /* imm */
#define VMM_OP_CR 4    /* reg = control register number */
#define VMM_OP_DR 5    /* reg = debug register number */
#define VMM_OP_SREG 6  /* reg = VMM_SEG_* */
#define VMM_OP_FAR 7   /* far pointer immediate: sel:imm */

#define VMM_REG_NONE 0xff /* no base / no index */
#define VMM_REG_RIP 0xfe  /* base of a RIP-relative operand: the end of the
			     original instruction (site + insn_length) */
#define VMM_GPR_HIGH_BYTE 16 /* reg 16 + n: high byte of gpr n (n = 0..3) */

/* Segment registers, in x86 encoding order. */
enum vmm_seg_reg {
	VMM_SEG_ES, VMM_SEG_CS, VMM_SEG_SS, VMM_SEG_DS, VMM_SEG_FS, VMM_SEG_GS,
	VMM_SEG_COUNT,
	VMM_SEG_DEFAULT = 0xff /* no override */
};

/* One operand of the original instruction, as decoded by elfrewrite. */
struct vmm_operand {
	uint8_t kind;  /* VMM_OP_* */
	uint8_t size;  /* bytes accessed: 1, 2, 4, 8, or 10 for a 64-bit
			  pseudo-descriptor / far pointer in memory */
	uint8_t reg;   /* GPR, CR, DR, SREG: the register number */
	uint8_t base;  /* MEM: gpr number, VMM_REG_RIP or VMM_REG_NONE */
	uint8_t index; /* MEM: gpr number or VMM_REG_NONE */
	uint8_t scale; /* MEM: 1, 2, 4 or 8 */
	uint8_t seg;   /* MEM: VMM_SEG_* override or VMM_SEG_DEFAULT */
	uint8_t reserved;
	uint16_t sel;  /* FAR: the selector */
	uint16_t reserved2;
	int32_t disp;  /* MEM: displacement */
	int64_t imm;   /* IMM, FAR: the (sign-extended) value or offset */
};

/* Prefix bits (struct vmm_site_desc.prefixes). */
#define VMM_PFX_REP 0x01
#define VMM_PFX_REPNE 0x02
#define VMM_PFX_LOCK 0x04
#define VMM_PFX_REX_W 0x08
#define VMM_PFX_OPSIZE 0x10  /* 0x66 */
#define VMM_PFX_ADDRSIZE 0x20 /* 0x67 */

/*
 * The per-site descriptor elfrewrite emits into the VMM region, 8-byte
 * aligned, one per rewritten site that enters the VMM.  Operands follow
 * Intel order: op[0] is the destination (or the only operand), op[1] the
 * source.  Implicit operands (the %rax/%rdx/%rcx of rdmsr, the stack of
 * pushf, the %dx of in/out without an immediate port) are not listed: the
 * emulation knows them from the class.  For in/out, op[0]/op[1] are the
 * port (IMM, or GPR %dx) and the accumulator (GPR 0 with its size), in
 * Intel order.
 */
struct vmm_site_desc {
	uint64_t site;         /* address of the site = rip of the original insn */
	uint64_t resume;       /* where execution continues: site + padded_length */
	uint8_t abi_version;   /* PREVIRT_VMM_ABI_VERSION */
	uint8_t insn_class;    /* enum previrt_class */
	uint8_t flags;         /* PV_SITE_* of the record */
	uint8_t insn_length;   /* bytes of the original instruction */
	uint8_t padded_length; /* bytes of the site */
	uint8_t opsize;        /* operand size in bytes (2, 4, 8) */
	uint8_t addrsize;      /* address size in bytes (4, 8) */
	uint8_t prefixes;      /* VMM_PFX_* */
	struct vmm_operand op[2];
	uint8_t bytes[15];     /* the original instruction, insn_length bytes */
	uint8_t next_hlt_length; /* sti only: the padded length of a hlt site
				    that starts at resume, else 0 (see the
				    interrupt shadow in docs/vmm-interface.md) */
};


#ifdef __cplusplus
static_assert(sizeof(struct vmm_regs) == VMM_REGS_SIZE, "vmm_regs layout");
static_assert(sizeof(struct vmm_operand) == 24, "vmm_operand layout");
static_assert(sizeof(struct vmm_site_desc) == VMM_SITE_DESC_SIZE, "vmm_site_desc layout");
#else
_Static_assert(sizeof(struct vmm_regs) == VMM_REGS_SIZE, "vmm_regs layout");
_Static_assert(sizeof(struct vmm_operand) == 24, "vmm_operand layout");
_Static_assert(sizeof(struct vmm_site_desc) == VMM_SITE_DESC_SIZE, "vmm_site_desc layout");
#endif

/*
 * The VMM's per-vCPU area, at a fixed link-time address that sites and the
 * VMM's entry code reach RIP-relatively (the VMM is linked within +-2 GiB of
 * the kernel).  Its first word is laid out so that the inline sequences
 * leave the arithmetic flags as the original instruction does and pushf
 * takes no branch on the guest's IF:
 *
 *   pushf_entry  the address `pushf` calls: vmm_pushf_table (aligned to
 *                VMM_PUSHF_TABLE_ALIGN) + 256 * vif byte + mode byte.
 *                Byte 1 is the "vif byte", RFLAGS.IF as bit 9 of this
 *                word: 0 or VMM_VIF_ON; byte 0 is the "mode byte": 0, or
 *                VMM_MODE_SYS while vflags_sys is nonzero.  So
 *     cli   ->  movb $0, vmm_pcpu+1(%rip)                  (7 bytes) + 1 NOP
 *     sti   ->  call vmm_sti                               (5 bytes) + 3 NOPs
 *     pushf ->  pushfq; call *vmm_pcpu(%rip)               (7 bytes)
 *               lands on the table entry for the state: with IF set and no
 *               system bit it is `ret` (the real flags are the guest's);
 *               with IF clear it takes 0x200 off the pushed word with lea.
 *     popf  ->  testl $IF|IOPL|NT|AC|ID, (%rsp); jz fast;
 *               call vmm_popf_slow; fast: movw $0, vmm_pcpu(%rip); popfq
 *               (24 bytes): a value with none of those bits needs only IF
 *               and the mode cleared, one store; the rest take the call.
 *   vflags_sys   IOPL, NT, AC and ID of the guest's RFLAGS, valid while the
 *                mode byte is VMM_MODE_SYS (else they are all 0: the fast
 *                popf clears the mode byte alone).  Read and write them with
 *                vmm_vflags_sys/vmm_set_vflags_sys (vmm/vmm.h).
 *
 * pending is nonzero when a virtual interrupt waits for IF (set by the
 * backend's interrupt path and the device models, cleared when the VMM
 * delivers); sti and popf check it after setting IF.
 */
struct vmm_pcpu {
	uint64_t pushf_entry;     /* table + 256 * vif byte + mode byte */
	uint64_t vflags_sys;      /* guest RFLAGS.IOPL|NT|AC|ID (mode VMM_MODE_SYS) */
	uint8_t pending;          /* a virtual interrupt is deliverable once IF = 1 */
	uint8_t user;             /* the guest runs in user mode (CPL 3) */
	uint8_t in_vmm;           /* nonzero while VMM code runs for this vCPU */
	uint8_t reserved[5];
	uint64_t nostack_rsp;     /* guest %rsp saved by a NOSTACK thunk */
	uint64_t nostack_rip;     /* resume address of a NOSTACK exit (jmp *) */
	uint64_t vcpu;            /* struct vmm_vcpu * of this vCPU */
};

/* Symbols the VMM object exports for rewritten sites. */
#define VMM_SYM_ENTRY "vmm_entry"
#define VMM_SYM_ENTRY_NOSTACK "vmm_entry_nostack"
#define VMM_SYM_STI "vmm_sti"
#define VMM_SYM_POPF_SLOW "vmm_popf_slow"
#define VMM_SYM_PCPU "vmm_pcpu"
#define VMM_SYM_NOSTACK_STACK_TOP "vmm_nostack_stack_top"

/*
 * Symbols elfrewrite defines when it links a target's VMM object into an
 * image (absolute values; the object refers to them as undefined symbols):
 *
 *   previrt_guest_entry       e_entry of the annotated image
 *   previrt_image_start/_end  the annotated image's loadable extent, page
 *                             aligned (lowest PT_LOAD p_vaddr rounded down,
 *                             highest p_vaddr + p_memsz rounded up)
 *   previrt_region_start/_end the region elfrewrite adds (the VMM object,
 *                             thunks, descriptors), page aligned; a target
 *                             may ask for a larger start alignment (xen:
 *                             2 MiB, so that the region has page tables of
 *                             its own)
 *   previrt_virt_base         virtual address of guest-physical 0 in the
 *                             image's layout (p_vaddr - p_paddr of its
 *                             PT_LOADs; 0 for an image linked 1:1)
 *   previrt_site_descs/_end   every site's struct vmm_site_desc (inline
 *                             forms included), sorted by site address, so
 *                             that the VMM can identify any address that
 *                             lies inside a site
 *   previrt_boot_protocol     how the VMM boots the guest: VMM_BOOT_PROTOCOL_
 *                             LINUX if the annotated image has an ELF note
 *                             of owner "Linux" (every vmlinux does: the
 *                             build salt note of <linux/elfnote.h>), else
 *                             VMM_BOOT_PROTOCOL_PGBT (docs/guest-boot.md)
 */
#define VMM_SYM_GUEST_ENTRY "previrt_guest_entry"
#define VMM_SYM_IMAGE_START "previrt_image_start"
#define VMM_SYM_IMAGE_END "previrt_image_end"
#define VMM_SYM_REGION_START "previrt_region_start"
#define VMM_SYM_REGION_END "previrt_region_end"
#define VMM_SYM_VIRT_BASE "previrt_virt_base"
#define VMM_SYM_SITE_DESCS "previrt_site_descs"
#define VMM_SYM_SITE_DESCS_END "previrt_site_descs_end"
#define VMM_SYM_BOOT_PROTOCOL "previrt_boot_protocol"

/* Values of previrt_boot_protocol. */
#define VMM_BOOT_PROTOCOL_PGBT 0  /* docs/guest-boot.md: "pgbt" boot info */
#define VMM_BOOT_PROTOCOL_LINUX 1 /* Linux's 64-bit boot protocol: zero page */
#define VMM_LINUX_NOTE_OWNER "Linux"

#ifdef __cplusplus
#define VMM_ABI_ASSERT(c, m) static_assert(c, m)
#else
#define VMM_ABI_ASSERT(c, m) _Static_assert(c, m)
#endif
VMM_ABI_ASSERT(sizeof(struct vmm_pcpu) == VMM_PCPU_SIZE, "vmm_pcpu layout");
VMM_ABI_ASSERT(__builtin_offsetof(struct vmm_pcpu, pending) == VMM_PCPU_OFF_PENDING, "pending");
VMM_ABI_ASSERT(__builtin_offsetof(struct vmm_pcpu, nostack_rsp) == VMM_PCPU_OFF_NOSTACK_RSP,
	       "nostack_rsp");
VMM_ABI_ASSERT(__builtin_offsetof(struct vmm_pcpu, vcpu) == VMM_PCPU_OFF_VCPU, "vcpu");
VMM_ABI_ASSERT(__builtin_offsetof(struct vmm_regs, rip) == VMM_REGS_OFF_RIP, "rip");
VMM_ABI_ASSERT(__builtin_offsetof(struct vmm_regs, rflags) == VMM_REGS_OFF_RFLAGS, "rflags");
VMM_ABI_ASSERT(__builtin_offsetof(struct vmm_site_desc, op) == 24, "op");

#endif /* !__ASSEMBLY__ */

#endif /* PREVIRT_VMM_ABI_H */
