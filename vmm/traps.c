// SPDX-License-Identifier: MIT
/*
 * The VMM's side of the backend's trap hook (see vmm/include/vmm/traps.h).
 * The order matters: a user-mode fault is first checked against the
 * rewritten-site forms (they fault only because the VMM is not mapped for
 * user mode), then the VMM's own region, then the guest's tables through
 * the shadow; only a fault the guest's own tables explain is the guest's.
 */
#include "vmm/traps.h"

int vmm_vector_has_error(unsigned vector)
{
	return vector == X86_EXC_DF || (vector >= X86_EXC_TS && vector <= X86_EXC_PF) ||
	       vector == X86_EXC_AC || vector == X86_EXC_CP;
}

/* The VMM's own page at va (a page of the region or of its alias): mapped
 * for the kernel table only, executable only where the region is linked. */
static enum vmm_status fill_vmm_page(const struct vmm_trap_env *env, uint64_t va,
				     uint64_t region_va, uint64_t nx)
{
	uint64_t leaf = X86_PTE_P | X86_PTE_W | X86_PTE_A | X86_PTE_D | nx |
			(env->shadow->kernel_user_bit ? X86_PTE_U : 0) |
			(env->vmm_frame(env->ctx, region_va & ~0xfffULL) << 12);

	if (vmm_shadow_set(env->shadow, va, 0, leaf)) {
		vmm_shadow_flush(env->shadow, VMM_SHADOW_FLUSH_ALL);
		if (vmm_shadow_set(env->shadow, va, 0, leaf))
			return VMM_SHUTDOWN;
	}
	return VMM_DONE;
}

/* Whether a fault at the region's alias comes from a rewritten site run
 * 1:1: a data access by the site's own instruction (the inline cli), or
 * a fetch by a call from a site (its return address on the stack lies in
 * the site).  Nothing else is the VMM's: a guest may map other memory at
 * those addresses later (user memory, say). */
static int from_site(struct vmm_vcpu *v, const struct vmm_regs *regs, uint64_t off, int fetch)
{
	struct vmm_fault f;
	uint64_t ret;

	if (!fetch)
		return vmm_site_lookup(v, regs->rip + off) != 0;
	if (v->mem->read(v->mem->ctx, regs->gpr[VMM_RSP], &ret, 8, 0, &f))
		return 0;
	return vmm_site_lookup(v, ret - 1 + off) != 0;
}

/* A fault at the region's 1:1 alias from a site that ran 1:1.  Code
 * continues where the region is linked (a thunk's relative jmp then
 * reaches the linked VMM, whose pages stay mapped whatever the guest does
 * with its tables); data (the inline cli's RIP-relative store into
 * vmm_pcpu) gets the region's page mapped at the alias, not executable, so
 * that code there still moves.  The guest's own tables are not consulted:
 * the region is not the guest's memory. */
static int alias_fault(struct vmm_vcpu *v, struct vmm_regs *regs, uint32_t error, uint64_t cr2,
		       const struct vmm_trap_env *env, enum vmm_status *s)
{
	uint64_t off = env->alias_offset;
	uint64_t start = env->vmm_start - off, size = env->vmm_end - env->vmm_start;

	if (!off || !env->shadow)
		return 0;
	if (regs->rip - start < size && ((error & X86_PF_I) || regs->rip == cr2)) {
		if (!from_site(v, regs, off, 1))
			return 0;
		regs->rip += off;
		*s = VMM_DONE;
		return 1;
	}
	if (cr2 - start < size && from_site(v, regs, off, 0)) {
		*s = fill_vmm_page(env, cr2, cr2 + off, X86_PTE_NX);
		return 1;
	}
	return 0;
}

static enum vmm_status page_fault(struct vmm_vcpu *v, struct vmm_regs *regs, uint32_t error,
				  uint64_t cr2, const struct vmm_trap_env *env)
{
	struct vmm_paging p;
	struct vmm_walk_result w;
	unsigned access = ((error & X86_PF_W) ? VMM_ACCESS_WRITE : 0) |
			  (v->cpl == 3 ? VMM_ACCESS_USER : 0) |
			  ((error & X86_PF_I) ? VMM_ACCESS_FETCH : 0);
	int r;

	if (v->cpl == 3 && env->entry) {
		r = vmm_user_site_fault(v, regs, cr2, env->entry);
		if (r >= 0)
			return (enum vmm_status)r;
	}
	if (v->cpl == 0 && cr2 >= env->vmm_start && cr2 < env->vmm_end && env->shadow)
		return fill_vmm_page(env, cr2, cr2, 0);
	if (v->cpl == 0) {
		enum vmm_status s;

		if (alias_fault(v, regs, error, cr2, env, &s))
			return s;
	}
	if (!env->shadow) /* the hypervisor walks the guest's tables itself */
		goto deliver;
	vmm_paging_from_vcpu(v, &p);
	r = vmm_shadow_fault(env->shadow, env->guest_phys, &p, cr2, access, &w);
	if (r == 0)
		return VMM_DONE; /* filled: restart the instruction */
	if (r < 0)
		return VMM_SHUTDOWN;
	error = w.fault.error;
	cr2 = w.fault.cr2;
	if (w.fault.vector != X86_EXC_PF)
		return vmm_deliver(v, regs, w.fault.vector, VMM_EVENT_EXCEPTION, 1, w.fault.error);
deliver:
	v->cr2 = cr2;
	return vmm_deliver(v, regs, X86_EXC_PF, VMM_EVENT_EXCEPTION, 1, error);
}

enum vmm_status vmm_guest_exception(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned vector,
				    uint32_t error, uint64_t cr2, const struct vmm_trap_env *env)
{
	if (vector == X86_EXC_PF)
		return page_fault(v, regs, error, cr2, env);
	return vmm_deliver(v, regs, vector, VMM_EVENT_EXCEPTION, vmm_vector_has_error(vector),
			   vmm_vector_has_error(vector) ? error : 0);
}
