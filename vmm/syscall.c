// SPDX-License-Identifier: MIT
/*
 * The fast system-call entries from guest user mode, as the CPU performs
 * them (Intel SDM vol. 2, SYSCALL and SYSENTER).  The hypervisor catches
 * the user's syscall/sysenter (under Xen PV it bounces them to the guest
 * kernel's registered callback, the backend); the backend hands the user
 * context here with regs->rip = the instruction after it, and resumes the
 * result through enter_mode.
 */
#include "vmm/vmm.h"

/* Both instructions load %cs with cs and %ss with cs + 8 as fixed flat
 * descriptors, not from the GDT, and run the kernel at CPL 0. */
static enum vmm_status enter_kernel(struct vmm_vcpu *v, uint16_t cs)
{
	v->seg[VMM_SEG_CS].sel = cs;
	v->seg[VMM_SEG_CS].attr = 0x209b; /* flat 64-bit code, DPL 0 */
	v->seg[VMM_SEG_SS].sel = (uint16_t)(cs + 8);
	v->seg[VMM_SEG_SS].attr = 0x0093;
	if (v->cpl != 0) {
		vmm_set_cpl(v, 0);
		v->mode_switch = 1;
	}
	return VMM_DONE;
}

enum vmm_status vmm_syscall(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned insn_length)
{
	uint64_t flags = vmm_guest_rflags(v, regs->rflags) & ~(uint64_t)X86_FLAGS_RF;
	uint16_t cs = (uint16_t)((v->star >> 32) & 0xfffc);

	if (!(v->efer & X86_EFER_SCE)) {
		regs->rip -= insn_length;
		return vmm_deliver(v, regs, X86_EXC_UD, VMM_EVENT_EXCEPTION, 0, 0);
	}
	regs->gpr[VMM_RCX] = regs->rip;
	regs->gpr[VMM_R11] = flags;
	flags &= ~(v->sfmask | X86_FLAGS_RF | X86_FLAGS_VM);
	vmm_set_vif(v, (flags & X86_FLAGS_IF) != 0);
	vmm_set_vflags_sys(v, flags & VMM_VFLAGS_SYS);
	regs->rflags = (regs->rflags & ~(uint64_t)X86_FLAGS_ARITH) | (flags & X86_FLAGS_ARITH);
	/* the user's mode decides the target: 64-bit code goes to LSTAR */
	regs->rip = (v->seg[VMM_SEG_CS].attr & 0x2000) ? v->lstar : v->cstar;
	return enter_kernel(v, cs);
}

enum vmm_status vmm_sysenter(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned insn_length)
{
	uint32_t id[4];
	uint16_t cs = (uint16_t)(v->sysenter_cs & 0xfffc);

	vmm_cpuid(v, 0, 0, id);
	/* AMD CPUs raise #UD for sysenter in long mode; Intel enters the kernel */
	if (id[1] == 0x68747541 /* "Auth" */ || id[1] == 0x6f677948 /* "Hygo" */) {
		regs->rip -= insn_length;
		return vmm_deliver(v, regs, X86_EXC_UD, VMM_EVENT_EXCEPTION, 0, 0);
	}
	if (!cs) {
		regs->rip -= insn_length;
		return vmm_deliver(v, regs, X86_EXC_GP, VMM_EVENT_EXCEPTION, 1, 0);
	}
	vmm_set_vif(v, 0);
	regs->rflags &= ~(uint64_t)(X86_FLAGS_RF | X86_FLAGS_VM);
	regs->rip = v->sysenter_eip;
	regs->gpr[VMM_RSP] = v->sysenter_esp;
	return enter_kernel(v, cs);
}
