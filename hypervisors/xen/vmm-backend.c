// SPDX-License-Identifier: MIT
/*
 * The Xen implementation of struct vmm_backend (vmm/include/vmm/vmm.h).
 * Each function works in Xen's kernel mode and, through the syscall
 * callback, from VMM code at a rewritten site in Xen's user mode (see
 * vmm-xen.h).
 */
#include "vmm-xen.h"

#include "events.h"
#include "hypercall.h"
#include "xen-backend.h"

static void console_write(void *ctx, const char *buf, unsigned long len)
{
	(void)ctx;
	xen_console_write(buf, len);
}

static void shutdown(void *ctx, int status)
{
	(void)ctx;
	xen_exit(status);
}

static uint64_t time_ns(void *ctx)
{
	(void)ctx;
	return xen_system_time_ns();
}

static uint64_t wallclock(void *ctx)
{
	const volatile shared_info_t *s = xen_shared_info;
	uint32_t version;
	uint64_t sec;

	(void)ctx;
	do {
		version = s->wc_version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sec = s->wc_sec;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != s->wc_version);
	return sec + xen_system_time_ns() / 1000000000ULL;
}

static void set_timer(void *ctx, uint64_t deadline_ns)
{
	(void)ctx;
	if (deadline_ns == UINT64_MAX)
		xen_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
	else
		xen_set_timer(deadline_ns);
}

/* The real cpuid, except for the XSAVE state components (leaf 0xd), which
 * come from Xen's policy for PV guests (the forced-emulation prefix, ud2;
 * .ascii "xen"; cpuid): Xen's xsetbv for PV raises #GP for an XCR0 bit
 * outside that policy (PKRU; MPX's BNDREGS and BNDCSR, which Xen offers to
 * HVM guests only), and Linux enables every state component leaf 0xd
 * offers.  The other leaves stay the hardware's, so that a guest sees the
 * same CPU model as natively (Xen's PV policy also hides features the VMM
 * emulates, such as MONITOR/MWAIT). */
static void cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	(void)ctx;
	if (leaf == 0xd)
		__asm__ volatile("ud2a; .ascii \"xen\"; cpuid"
				 : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
				 : "a"(leaf), "c"(subleaf));
	else
		__asm__ volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
				 : "a"(leaf), "c"(subleaf));
}

static uint64_t rdtsc(void *ctx)
{
	(void)ctx;
	return xen_read_tsc();
}

/* The guest runs in Xen's user mode, so its %gs base is Xen's user one; the
 * base swapgs exchanges it with lives in the vCPU only. */
static void set_segment_base(void *ctx, int which, uint64_t base)
{
	(void)ctx;
	if (which == VMM_SEG_FS)
		xen_hypercall2(__HYPERVISOR_set_segment_base, SEGBASE_FS, base);
	else if (which == VMM_SEG_GS)
		xen_hypercall2(__HYPERVISOR_set_segment_base, SEGBASE_GS_USER, base);
}

/* In kernel mode: the shadow's many entry writes and the flush go to Xen
 * directly, not one by one through the syscall callback. */
static void tlb_flush(void *ctx, uint64_t cr3, uint64_t va)
{
	(void)ctx;
	(void)cr3;
	xen_vmm_kernel_call(XEN_VMM_KCALL_TLB_FLUSH, va);
}

/* After a flush the guest's next instructions touch its stack (and VMM code
 * at a site its frame, up to 2 KiB below): fill those translations now, in
 * the same kernel-mode visit, rather than in one Xen round trip each.  Pages
 * the flush kept (global ones) are left as they are. */
static void prefill_stack(struct xen_vmm *x)
{
	struct vmm_paging p;
	struct vmm_walk_result w;
	uint64_t rsp = x->stack_hint;

	if (x->vcpu.cpl != 0 || !rsp)
		return;
	vmm_paging_from_vcpu(&x->vcpu, &p);
	for (uint64_t va = (rsp - 2048) & ~4095ULL; va <= (rsp & ~4095ULL); va += 4096) {
		if (vmm_shadow_mapped(&x->shadow, va, 0))
			continue;
		if (vmm_shadow_fault(&x->shadow, &x->memory.phys, &p, va, VMM_ACCESS_WRITE, &w) < 0)
			break; /* no page left: the faults will do it */
	}
}

/* va: a page, VMM_TLB_FLUSH_NONGLOBAL or VMM_TLB_FLUSH_ALL (vmm.h). */
void xen_vmm_tlb_flush(struct xen_vmm *x, uint64_t va)
{
	if (va == VMM_TLB_FLUSH_ALL || va == VMM_TLB_FLUSH_NONGLOBAL) {
		vmm_shadow_flush(&x->shadow, va == VMM_TLB_FLUSH_ALL ? VMM_SHADOW_FLUSH_ALL
								       : VMM_SHADOW_FLUSH_NONGLOBAL);
		xen_mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
		prefill_stack(x);
	} else {
		vmm_shadow_invlpg(&x->shadow, va);
		xen_mmuext(MMUEXT_INVLPG_LOCAL, va);
	}
}

static void set_xcr0(void *ctx, uint64_t value)
{
	(void)ctx;
	xen_vmm_kernel_call(XEN_VMM_KCALL_XSETBV, value);
}

static int block(void *ctx)
{
	(void)ctx;
	xen_block();
	return 0;
}

static void enter_mode(void *ctx, struct vmm_vcpu *v, struct vmm_regs *regs)
{
	(void)ctx;
	(void)v;
	xen_vmm_mode_gate(regs);
}

/* Events wait while VMM code runs at a site; it takes them when it leaves. */
static void vmm_entered(void *ctx)
{
	(void)ctx;
	xen_events_disable();
}

static void vmm_leaving(void *ctx, struct vmm_vcpu *v, struct vmm_regs *regs)
{
	(void)ctx;
	if (xen_events_pending())
		xen_event_upcall();
	if (vmm_vif(v) && v->pcpu->pending)
		vmm_deliver_pending(v, regs);
	if (v->mode_switch)
		return; /* the mode gate's iret enables events */
	/* An event that comes from here on is delivered at once (its upcall
	 * finds VMM code and only runs the handlers: the interrupt waits for
	 * the guest's next VMM entry). */
	xen_events_enable();
}

void xen_vmm_timer_event(evtchn_port_t port, void *data)
{
	(void)port;
	vmm_timer_fired(data);
}

void xen_vmm_backend_init(struct xen_vmm *x)
{
	x->backend = (struct vmm_backend){
		.ctx = x,
		.console_write = console_write,
		.shutdown = shutdown,
		.time_ns = time_ns,
		.wallclock = wallclock,
		.set_timer = set_timer,
		.cpuid = cpuid,
		.rdtsc = rdtsc,
		.set_segment_base = set_segment_base,
		.tlb_flush = tlb_flush,
		.block = block,
		.enter_mode = enter_mode,
		.vmm_entered = vmm_entered,
		.vmm_leaving = vmm_leaving,
		.set_xcr0 = set_xcr0,
	};
}
