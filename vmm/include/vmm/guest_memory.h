/* SPDX-License-Identifier: MIT */
/*
 * struct vmm_mem over the guest's page tables and guest-physical memory
 * (see guest_memory.c).  The vCPU it follows is the one whose cr3, CR0.WP,
 * EFER.NXE, SMEP/SMAP and AC apply; it may be the vCPU the vmm_mem is
 * installed in (set vcpu after vmm_vcpu_init).
 */
#ifndef VMM_GUEST_MEMORY_H
#define VMM_GUEST_MEMORY_H

#include "vmm/paging.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmm_paged_mem {
	struct vmm_mem mem;     /* what the vCPU uses */
	const struct vmm_vcpu *vcpu;
	const struct vmm_phys *phys;
};

void vmm_paged_mem_init(struct vmm_paged_mem *pm, const struct vmm_vcpu *v,
			const struct vmm_phys *phys);

#ifdef __cplusplus
}
#endif

#endif
