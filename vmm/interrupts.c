// SPDX-License-Identifier: MIT
/*
 * Virtual interrupts: the PIT drives IRQ 0 of the PIC from the backend's
 * clock, the PIC decides what is deliverable, pcpu->pending tells the inline
 * sti/popf sequences to enter the VMM, and delivery goes through the guest's
 * IDT.  hlt blocks in the hypervisor until the next PIT edge or event.
 */
#include "vmm/vmm.h"
#include "vmm/devices.h"

static uint64_t now_ns(const struct vmm_vcpu *v)
{
	return v->backend->time_ns ? v->backend->time_ns(v->backend->ctx) : 0;
}

void vmm_update_pending(struct vmm_vcpu *v)
{
	vmm_devices_advance(v->devices, now_ns(v));
	v->pcpu->pending = (uint8_t)(vmm_pic_has_interrupt(&v->devices->pic) ? 1 : 0);
}

void vmm_arm_timer(struct vmm_vcpu *v)
{
	uint64_t now = now_ns(v);
	uint64_t edge = vmm_pit_next_edge(&v->devices->pit, vmm_pit_ticks_from_ns(now));

	if (v->backend->set_timer)
		v->backend->set_timer(v->backend->ctx,
				      edge == UINT64_MAX ? UINT64_MAX : vmm_pit_ns_from_ticks(edge));
}

void vmm_timer_fired(struct vmm_vcpu *v)
{
	vmm_update_pending(v);
	vmm_arm_timer(v);
}

enum vmm_status vmm_deliver_pending(struct vmm_vcpu *v, struct vmm_regs *regs)
{
	int vector;
	enum vmm_status s;

	if (!vmm_vif(v))
		return VMM_DONE;
	vmm_update_pending(v);
	if (!v->pcpu->pending)
		return VMM_DONE;
	vector = vmm_pic_acknowledge(&v->devices->pic);
	v->pcpu->pending = (uint8_t)(vmm_pic_has_interrupt(&v->devices->pic) ? 1 : 0);
	if (vector < 0)
		return VMM_DONE;
	s = vmm_deliver(v, regs, (unsigned)vector, VMM_EVENT_EXTERNAL, 0, 0);
	if (s == VMM_DONE)
		v->pcpu->pending = 0; /* IF is clear in the handler; sti/iret recheck */
	return s;
}

enum vmm_status vmm_halt(struct vmm_vcpu *v, struct vmm_regs *regs)
{
	if (!vmm_vif(v))
		return VMM_HALT; /* halted with interrupts off: only an NMI would wake it */
	for (;;) {
		vmm_update_pending(v);
		if (v->pcpu->pending)
			return vmm_deliver_pending(v, regs);
		vmm_arm_timer(v);
		if (v->backend->block(v->backend->ctx))
			return VMM_HALT; /* nothing can wake this vCPU any more */
	}
}
