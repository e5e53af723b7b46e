/* SPDX-License-Identifier: MIT */
/*
 * What the VMM does with an exception the hypervisor reports for guest code
 * (the backend's trap hook calls vmm_guest_exception with the exception's
 * frame converted to struct vmm_regs): a shadow miss is filled and the
 * instruction restarted, a user-mode fault on the VMM is a rewritten site
 * (user_sites.h), a fault inside the VMM's own region is filled from the
 * VMM's translation, and everything else is the guest's own exception,
 * delivered into its IDT.
 */
#ifndef VMM_TRAPS_H
#define VMM_TRAPS_H

#include "vmm/shadow.h"
#include "vmm/user_sites.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmm_trap_env {
	struct vmm_shadow *shadow;           /* 0: the backend does not shadow */
	const struct vmm_phys *guest_phys;   /* the guest's physical memory */
	const struct vmm_entry_points *entry;
	uint64_t vmm_start, vmm_end;         /* the VMM region [start, end) */
	/* The machine frame backing a page of the VMM region (its own
	 * translation, independent of the guest's tables). */
	uint64_t (*vmm_frame)(void *ctx, uint64_t va);
	void *ctx;
	/* The region's guest-physical pages seen 1:1, as the sites of a guest
	 * that runs at physical addresses before it jumps to where it is
	 * linked (Linux's startup_64) reach them: [vmm_start - alias_offset,
	 * vmm_end - alias_offset), for faults that come from a site (v->sites)
	 * run 1:1.  0: no such alias (an image linked 1:1). */
	uint64_t alias_offset;
};

/* Vectors whose hardware frame carries an error code. */
int vmm_vector_has_error(unsigned vector);

/* regs: the guest's context at the exception (rip as the hardware reported
 * it); cr2: the fault address of a #PF.  Returns VMM_DONE (resume from regs:
 * restarted, emulated or delivered) or VMM_SHUTDOWN (no way to continue). */
enum vmm_status vmm_guest_exception(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned vector,
				    uint32_t error, uint64_t cr2, const struct vmm_trap_env *env);

#ifdef __cplusplus
}
#endif

#endif
