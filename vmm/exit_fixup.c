// SPDX-License-Identifier: MIT
/*
 * The guest's state at each point of vmm_entry's exit tail (entry.S).  The
 * tail only ever needs memory at or above %rsp, and so does this fixup: the
 * hypervisor may have pushed the event's own frame below the interrupted
 * %rsp (Xen does, in guest kernel mode).
 *
 *   [vmm_resume, vmm_exit_lea]  %rsp = the register frame, complete: the
 *                               guest's state is the frame
 *   vmm_exit_popf               every general register is reloaded; [%rsp]
 *                               = the flags to load, [%rsp + 8] = the
 *                               guest's %rsp - 8, which holds its rip
 *   vmm_exit_mov                registers and flags are the guest's; [%rsp]
 *                               = its %rsp - 8, which holds its rip
 *   vmm_exit_ret                everything but rip is the guest's, with
 *                               %rsp 8 lower; [%rsp] = its rip
 */
#include "vmm/exit_fixup.h"

static int read64(const struct vmm_mem *mem, uint64_t a, uint64_t *v)
{
	struct vmm_fault f;

	return mem->read(mem->ctx, a, v, 8, 0, &f);
}

int vmm_exit_fixup(struct vmm_regs *r, const struct vmm_exit_labels *l, const struct vmm_mem *mem)
{
	uint64_t rip = r->rip, sp = r->gpr[VMM_RSP], target, value;

	if (rip >= l->resume && rip <= l->lea) {
		/* the frame is at %rsp and complete */
		struct vmm_fault f;

		return mem->read(mem->ctx, sp, r, sizeof(*r), 0, &f) ? -1 : 1;
	}
	if (rip == l->popf) {
		/* the registers are loaded; the flags to load are at [%rsp], the
		 * exit's target slot (new %rsp - 8, holding rip) at [%rsp + 8] */
		if (read64(mem, sp, &value) || read64(mem, sp + 8, &target) ||
		    read64(mem, target, &r->rip))
			return -1;
		r->rflags = value;
		r->gpr[VMM_RSP] = target + 8;
		return 1;
	}
	if (rip == l->mov) {
		if (read64(mem, sp, &target) || read64(mem, target, &r->rip))
			return -1;
		r->gpr[VMM_RSP] = target + 8;
		return 1;
	}
	if (rip == l->ret) {
		if (read64(mem, sp, &r->rip))
			return -1;
		r->gpr[VMM_RSP] = sp + 8;
		return 1;
	}
	return 0;
}
