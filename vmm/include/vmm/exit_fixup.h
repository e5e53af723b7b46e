/* SPDX-License-Identifier: MIT */
/*
 * Events that interrupt the exit of vmm_entry (entry.S).  From vmm_resume on,
 * the guest's registers are being reloaded from the frame; a backend whose
 * hypervisor delivers an event there must not resume that half-restored
 * context with an interrupt frame pushed into it.  vmm_exit_fixup turns the
 * interrupted context into the guest's own (the state the exit is about to
 * produce), into which the VMM can then deliver the interrupt; the backend
 * resumes the guest from the result and abandons the exit.
 */
#ifndef VMM_EXIT_FIXUP_H
#define VMM_EXIT_FIXUP_H

#include "vmm/vmm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Addresses of the exit tail's labels in entry.S. */
struct vmm_exit_labels {
	uint64_t resume, lea, popf, mov, ret;
};

/* interrupted: the registers the backend saved at the event (rip and %rsp
 * included).  If interrupted->rip lies in the exit tail, rewrites it into the
 * guest's state and returns 1; returns 0 if it does not (nothing changed),
 * -1 if the frame could not be read.  mem reads the VMM's stack (supervisor). */
int vmm_exit_fixup(struct vmm_regs *interrupted, const struct vmm_exit_labels *l,
		   const struct vmm_mem *mem);

#ifdef __cplusplus
}
#endif

#endif
