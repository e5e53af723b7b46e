// SPDX-License-Identifier: MIT
/*
 * Every way into the VMM's kernel mode (see vmm-xen.h): exceptions of the
 * guest, event upcalls and system calls, all as a struct xen_trap_frame
 * through the backend's trap hook.  The frame is the context Xen
 * interrupted, in Xen's user mode (the guest, or VMM code at a rewritten
 * site) or, nested, in the VMM's own kernel-mode code; the hook changes it
 * and returns 1, and traps-entry.S leaves through HYPERVISOR_iret.
 */
#include "vmm-xen.h"

#include "events.h"
#include "hypercall.h"
#include "previrt/vmm_decode.h"
#include "vmm-image.h"
#include "xen-backend.h"

extern char vmm_fast_paths[], vmm_fast_paths_end[], vmm_resume[], vmm_exit_ret[];

#define RFLAGS_IF 0x200ULL
#define RFLAGS_IOPL 0x3000ULL

static uint64_t addr(const void *p)
{
	return (uint64_t)(unsigned long)p;
}

static int in_region(uint64_t a)
{
	return a >= VMM_IMAGE_VALUE(previrt_region_start) && a < VMM_IMAGE_VALUE(previrt_region_end);
}

void xen_vmm_fatal(const char *what, uint64_t where)
{
	xen_console_puts("previrt-vmm: ");
	xen_console_puts(what);
	xen_console_puts(" at ");
	xen_console_put_hex(where);
	xen_console_puts("\n");
	xen_exit(XEN_VMM_FATAL_STATUS);
}

static void frame_to_regs(const struct xen_trap_frame *f, struct vmm_regs *r)
{
	r->gpr[VMM_RAX] = f->rax, r->gpr[VMM_RCX] = f->rcx, r->gpr[VMM_RDX] = f->rdx;
	r->gpr[VMM_RBX] = f->rbx, r->gpr[VMM_RSP] = f->rsp, r->gpr[VMM_RBP] = f->rbp;
	r->gpr[VMM_RSI] = f->rsi, r->gpr[VMM_RDI] = f->rdi, r->gpr[VMM_R8] = f->r8;
	r->gpr[VMM_R9] = f->r9, r->gpr[VMM_R10] = f->r10, r->gpr[VMM_R11] = f->r11;
	r->gpr[VMM_R12] = f->r12, r->gpr[VMM_R13] = f->r13, r->gpr[VMM_R14] = f->r14;
	r->gpr[VMM_R15] = f->r15;
	r->rip = f->rip;
	r->rflags = f->rflags;
}

/* Back to the guest: Xen's user mode with events enabled (the guest's own
 * interrupt flag is virtual). */
static void regs_to_frame(const struct vmm_regs *r, struct xen_trap_frame *f)
{
	f->rax = r->gpr[VMM_RAX], f->rcx = r->gpr[VMM_RCX], f->rdx = r->gpr[VMM_RDX];
	f->rbx = r->gpr[VMM_RBX], f->rsp = r->gpr[VMM_RSP], f->rbp = r->gpr[VMM_RBP];
	f->rsi = r->gpr[VMM_RSI], f->rdi = r->gpr[VMM_RDI], f->r8 = r->gpr[VMM_R8];
	f->r9 = r->gpr[VMM_R9], f->r10 = r->gpr[VMM_R10], f->r11 = r->gpr[VMM_R11];
	f->r12 = r->gpr[VMM_R12], f->r13 = r->gpr[VMM_R13], f->r14 = r->gpr[VMM_R14];
	f->r15 = r->gpr[VMM_R15];
	f->rip = r->rip;
	f->rflags = (r->rflags & ~RFLAGS_IOPL) | RFLAGS_IF;
	f->cs = FLAT_USER_CS64;
	f->ss = FLAT_USER_SS64;
}

long xen_vmm_switch_table(struct xen_vmm *x)
{
	return xen_mmuext(MMUEXT_NEW_USER_BASEPTR, x->shadow.top[x->vcpu.cpl == 3 ? 1 : 0]);
}

static int finish(struct xen_vmm *x, struct xen_trap_frame *f, struct vmm_regs *r,
		  enum vmm_status s)
{
	struct vmm_vcpu *v = &x->vcpu;

	if (s == VMM_SHUTDOWN)
		x->backend.shutdown(x, v->shutdown_status);
	if (s == VMM_HALT)
		xen_vmm_fatal("hlt with interrupts disabled: the vCPU can never wake", r->rip);
	if (vmm_vif(v) && v->pcpu->pending)
		vmm_deliver_pending(v, r);
	regs_to_frame(r, f);
	if (v->mode_switch) {
		v->mode_switch = 0;
		if (xen_vmm_switch_table(x) < 0)
			xen_vmm_fatal("cannot load the shadow table", r->rip);
	}
	return 1;
}

/* Up to 15 bytes of guest code at rip (fewer where the next page is not
 * mapped); returns how many. */
static unsigned fetch_code(struct xen_vmm *x, uint64_t rip, uint8_t *buf)
{
	struct vmm_fault fault;
	unsigned n = 15, in_page = (unsigned)(4096 - (rip & 4095));

	if (x->mem.mem.read(x->mem.mem.ctx, rip, buf, n, x->vcpu.cpl == 3, &fault) == 0)
		return n;
	n = in_page < n ? in_page : n;
	return x->mem.mem.read(x->mem.mem.ctx, rip, buf, n, x->vcpu.cpl == 3, &fault) == 0 ? n : 0;
}

static int on_exception(struct xen_vmm *x, struct xen_trap_frame *f)
{
	struct vmm_vcpu *v = &x->vcpu;
	struct vmm_regs r;
	unsigned vec = (unsigned)f->vector;
	uint32_t err = (uint32_t)f->error_code;
	uint64_t cr2 = vec == X86_EXC_PF ? xen_shared_info->vcpu_info[0].arch.cr2 : 0;
	const struct vmm_site_desc *d;
	uint8_t code[15];
	unsigned n;

	frame_to_regs(f, &r);
	x->stack_hint = r.gpr[VMM_RSP];
	if (v->cpl == 0 && in_region(r.rip)) {
		/* VMM code at a rewritten site: the guest's stack it uses is not
		 * in the shadow yet (or is clean).  Fill it as the guest kernel's. */
		if (vec == X86_EXC_PF && !in_region(cr2)) {
			struct vmm_paging p;
			struct vmm_walk_result w;

			vmm_paging_from_vcpu(v, &p);
			if (vmm_shadow_fault(&x->shadow, &x->memory.phys, &p, cr2,
					     (err & X86_PF_W) ? VMM_ACCESS_WRITE : VMM_ACCESS_READ, &w) == 0)
				return 1;
			xen_vmm_fatal("the guest's stack is not mapped at a rewritten site", cr2);
		}
		xen_console_puts("previrt-vmm: exception ");
		xen_console_put_udec(vec);
		xen_console_puts(", address ");
		xen_console_put_hex(cr2);
		xen_console_puts("\n");
		xen_vmm_fatal("exception in the VMM", r.rip);
	}
	d = vmm_site_lookup(v, r.rip);
	if (d && x->trap_target && vec == X86_EXC_UD && r.rip == d->site)
		return finish(x, f, &r, vmm_dispatch(v, &r, d));
	if (d && r.rip != d->site)
		xen_vmm_fatal("the guest jumped into the middle of a rewritten site", r.rip);
	/* the instruction at rip tells an unannotated sensitive instruction of
	 * the guest kernel (#UD, #GP) and an `int n` (#GP) apart: read it once */
	n = (vec == X86_EXC_GP || (vec == X86_EXC_UD && v->cpl == 0)) ? fetch_code(x, r.rip, code) : 0;
	if (v->cpl == 0 && n) {
		struct vmm_site_desc probe;

		if (vmm_decode(code, n, &probe) == 0) {
			xen_console_puts("previrt-vmm: class ");
			xen_console_put_udec(probe.insn_class);
			xen_console_puts(", bytes");
			for (unsigned i = 0; i < probe.insn_length; i++) {
				xen_console_puts(" ");
				xen_console_put_udec(probe.bytes[i]);
			}
			xen_console_puts("\n");
			xen_vmm_fatal("unannotated sensitive instruction", r.rip);
		}
	}
	if (vec == X86_EXC_GP && (err & 3) == 2 && n >= 2 && code[0] == 0xcd && code[1] == err >> 3) {
		/* int n without a trap-table entry that allows it: the guest's IDT
		 * decides, as on hardware */
		r.rip += 2;
		return finish(x, f, &r, vmm_deliver(v, &r, code[1], VMM_EVENT_SOFTWARE, 0, 0));
	}
	return finish(x, f, &r, vmm_guest_exception(v, &r, vec, err, cr2, &x->trap_env));
}

int xen_vmm_in_kernel = 1; /* boot runs in kernel mode */

long xen_vmm_kernel_call(unsigned op, uint64_t arg)
{
	if (!xen_vmm_in_kernel)
		return xen_vmm_kernel_call_user(op, arg);
	switch (op) {
	case XEN_VMM_KCALL_XSETBV: {
		/* Xen emulates both for a PV kernel, xsetbv only once the
		 * kernel's view of CR4 has OSXSAVE */
		unsigned long cr4;

		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		if (!(cr4 & X86_CR4_OSXSAVE))
			__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | X86_CR4_OSXSAVE));
		__asm__ volatile("xsetbv" : : "a"((uint32_t)arg), "d"((uint32_t)(arg >> 32)), "c"(0));
		return 0;
	}
	case XEN_VMM_KCALL_TLB_FLUSH:
		xen_vmm_tlb_flush(&xen_vmm, arg);
		return 0;
	}
	return -XEN_ENOSYS;
}

static int on_syscall(struct xen_vmm *x, struct xen_trap_frame *f)
{
	struct vmm_regs r;

	if (f->rip == addr(xen_vmm_kernel_call_return)) {
		x->stack_hint = f->rsp; /* VMM code at a site, on the guest's stack */
		f->rax = (uint64_t)xen_vmm_kernel_call((unsigned)f->rdi, f->rsi);
		return 1;
	}

	if (f->rip - addr(hypercall_page) < sizeof(hypercall_page)) {
		/* a hypercall of VMM code in Xen's user mode: make it here */
		f->rax = (uint64_t)xen_hypercall5((unsigned int)f->rax, f->rdi, f->rsi, f->rdx,
						  f->r10, f->r8);
		return 1;
	}
	if (f->rip == addr(xen_vmm_mode_gate_return)) {
		regs_to_frame((const struct vmm_regs *)(unsigned long)f->rdi, f);
		if (xen_vmm_switch_table(x) < 0)
			xen_vmm_fatal("cannot load the shadow table", f->rip);
		return 1;
	}
	frame_to_regs(f, &r);
	return finish(x, f, &r, vmm_syscall(&x->vcpu, &r, 2));
}

static int on_event(struct xen_vmm *x, struct xen_trap_frame *f, int vmm_kernel)
{
	struct vmm_vcpu *v = &x->vcpu;
	struct vmm_regs r;

	if (!vmm_kernel && vmm_pcpu.in_vmm) {
		/* VMM code at a site: keep events masked; it looks at them when it
		 * leaves (backend vmm_leaving) */
		f->rflags &= ~RFLAGS_IF;
		return 1;
	}
	xen_event_upcall();
	if (vmm_kernel || !vmm_vif(v) || !v->pcpu->pending)
		return 1;
	frame_to_regs(f, &r);
	if (in_region(r.rip)) {
		if (r.rip >= addr(vmm_resume) && r.rip <= addr(vmm_exit_ret)) {
			if (vmm_exit_fixup(&r, &x->exit_labels, &x->mem.mem) < 0)
				xen_vmm_fatal("cannot read the frame of an interrupted exit", r.rip);
		} else if (r.rip < addr(vmm_fast_paths) || r.rip >= addr(vmm_fast_paths_end)) {
			return 1; /* VMM code before its exit: it delivers when it leaves */
		}
	}
	return finish(x, f, &r, VMM_DONE);
}

static int dispatch(struct xen_vmm *x, struct xen_trap_frame *f, int vmm_kernel)
{
	if (f->vector == XEN_VMM_VECTOR_EVENT)
		return on_event(x, f, vmm_kernel);
	if (vmm_kernel)
		return 0; /* the VMM's own kernel-mode code: the default report */
	if (f->vector == XEN_VMM_VECTOR_SYSCALL)
		return on_syscall(x, f);
	return on_exception(x, f);
}

int xen_vmm_trap(struct xen_trap_frame *f)
{
	int vmm_kernel = (f->cs & 3) == 0, handled;

	xen_vmm_in_kernel = 1;
	handled = dispatch(&xen_vmm, f, vmm_kernel);
	xen_vmm_in_kernel = vmm_kernel; /* the mode the iret returns to */
	return handled;
}

void xen_vmm_start_guest(const struct vmm_regs *regs)
{
	struct xen_trap_frame *f =
		(struct xen_trap_frame *)(unsigned long)(addr(xen_vmm_kernel_stack_top) - sizeof(*f));

	regs_to_frame(regs, f);
	xen_vmm_in_kernel = 0;
	xen_vmm_iret_frame(f);
}
