// SPDX-License-Identifier: MIT
/*
 * The C side of vmm_entry (entry.S): finds this vCPU, dispatches the site
 * and lets the backend take over when the guest cannot simply resume from
 * the frame on the current stack (a CPL change, a shutdown, a dead halt).
 * Built only into the freestanding object; host tests call vmm_dispatch.
 */
#include "vmm/vmm.h"

extern struct vmm_pcpu vmm_pcpu;

void vmm_site_entry(struct vmm_regs *regs, const struct vmm_site_desc *d);

void vmm_site_entry(struct vmm_regs *regs, const struct vmm_site_desc *d)
{
	struct vmm_vcpu *v = (struct vmm_vcpu *)(unsigned long)vmm_pcpu.vcpu;
	const struct vmm_backend *b = v->backend;
	struct vmm_site_desc alias;
	enum vmm_status s;

	if (b->vmm_entered)
		b->vmm_entered(b->ctx);
	vmm_pcpu.in_vmm = 1;
	/* regs->rip: the return address of the site's call, 0 from a jmp */
	s = vmm_dispatch(v, regs, vmm_site_as_run(d, regs->rip, &alias));
	if (s == VMM_SHUTDOWN)
		b->shutdown(b->ctx, v->shutdown_status);
	if (s == VMM_HALT)
		b->shutdown(b->ctx, 255); /* halted with IF = 0: the machine is dead */
	vmm_pcpu.in_vmm = 0;
	if (b->vmm_leaving)
		b->vmm_leaving(b->ctx, v, regs);
	if (v->mode_switch) {
		v->mode_switch = 0;
		b->enter_mode(b->ctx, v, regs); /* does not return */
	}
}
