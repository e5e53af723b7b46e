/* SPDX-License-Identifier: MIT */
/*
 * Rewritten sites reached in guest user mode.  The VMM is not mapped in the
 * user-mode shadow (only guest pages with U at every level are), so a
 * rewritten site that runs in user mode faults into the hypervisor instead
 * of entering the VMM: the fetch of a thunk or of vmm_sti/vmm_popf_slow,
 * or an inline form's access to vmm_pcpu (cli's and popf's store, pushf's
 * indirect call).  The backend's trap hook
 * hands such a #PF to vmm_user_site_fault, which recovers the site and
 * emulates it with user privilege, so that for example a user-mode cli
 * raises #GP at the cli as on hardware.  See docs/vmm-interface.md.
 */
#ifndef VMM_USER_SITES_H
#define VMM_USER_SITES_H

#include "vmm/vmm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Link-time addresses of the VMM's entry points. */
struct vmm_entry_points {
	uint64_t sti, popf_slow;   /* vmm_sti, vmm_popf_slow */
	uint64_t pcpu;             /* vmm_pcpu */
};

/*
 * regs: the user-mode context of a #PF (rip = the faulting instruction, or
 * the entry point whose fetch faulted), fault_address: the #PF's address.
 * Returns -1 if the fault is not a rewritten site's (the backend then
 * handles it as an ordinary fault: shadow fill or delivery), else the result
 * of emulating the site (VMM_DONE: resume from regs).
 */
int vmm_user_site_fault(struct vmm_vcpu *v, struct vmm_regs *regs, uint64_t fault_address,
			const struct vmm_entry_points *ep);

/* The descriptor a user-mode site maps to, built in *scratch when the site
 * has none of its own (the inline forms).  Exposed for tests; 0 if rip is
 * not a site's entry. */
const struct vmm_site_desc *vmm_user_site_lookup(struct vmm_vcpu *v, struct vmm_regs *regs,
						 uint64_t fault_address,
						 const struct vmm_entry_points *ep,
						 struct vmm_site_desc *scratch);

#ifdef __cplusplus
}
#endif

#endif
