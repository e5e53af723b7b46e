// SPDX-License-Identifier: MIT
/*
 * Event channels, the PV guest's interrupts.
 *
 * ABI (2-level event channels, the default): Xen signals the guest through
 * the shared_info page.  Each port has a bit in shared_info.evtchn_pending
 * and one in evtchn_mask; a vCPU's vcpu_info (inside shared_info for vCPU
 * 0) has a selector word evtchn_pending_sel with one bit per pending word,
 * evtchn_upcall_pending, and evtchn_upcall_mask, the guest's virtual
 * interrupt flag.  When a port becomes pending and the vCPU's mask is 0,
 * Xen enters the event callback (event-entry.S) with the mask set.
 *
 * shared_info is mapped at boot (boot.c).
 *
 * Interrupt sources are bound to ports with EVTCHNOP_bind_virq (timer,
 * console, ...), unmasked with EVTCHNOP_unmask (which also redelivers an
 * event that came while masked).  Clearing evtchn_upcall_mask directly does
 * not make Xen look at already-pending events, so enabling checks
 * evtchn_upcall_pending and, if set, makes any hypercall: Xen delivers
 * pending events on every return to the guest.
 *
 * Timers: VIRQ_TIMER fires for the vCPU's periodic timer (Xen gives every PV
 * vCPU one, running only while the vCPU runs) and for its single-shot
 * deadline, which also wakes a blocked vCPU.
 *
 * Time: vcpu_info.time gives system time (ns since boot) at a TSC stamp and
 * the TSC-to-ns scale; readers retry while its version is odd or changed.
 */
#include "events.h"
#include "xen-backend.h"
#include "hypercall.h"

/* Ports this table can dispatch; bind_virq refuses higher ones. */
#define XEN_MAX_HANDLED_PORTS 1024
#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

void xen_failsafe_entry(void);
void xen_failsafe(void) __attribute__((noreturn));

static struct {
	xen_event_handler_t handler;
	void *data;
} port_handlers[XEN_MAX_HANDLED_PORTS];

static struct vcpu_info *vcpu0(void)
{
	return &xen_shared_info->vcpu_info[0];
}

long xen_register_callback(unsigned int type, void (*entry)(void))
{
	struct callback_register cb = {
		.type = (uint16_t)type,
		.flags = CALLBACKF_mask_events,
		.address = (xen_callback_t)(unsigned long)entry,
	};

	return xen_callback_op(CALLBACKOP_register, &cb);
}

long xen_events_init(void (*upcall)(void))
{
	long rc;

	vcpu0()->evtchn_upcall_mask = 1;

	rc = xen_register_callback(CALLBACKTYPE_event, upcall);
	if (rc < 0)
		return rc;
	return xen_register_callback(CALLBACKTYPE_failsafe, xen_failsafe_entry);
}

long xen_bind_virq(unsigned int virq, xen_event_handler_t handler, void *data)
{
	struct evtchn_bind_virq bind = { .virq = virq, .vcpu = 0 };
	struct evtchn_unmask unmask;
	long rc = xen_event_channel_op(EVTCHNOP_bind_virq, &bind);

	if (rc < 0)
		return rc;
	if (bind.port >= XEN_MAX_HANDLED_PORTS)
		return -XEN_ENOSPC;
	port_handlers[bind.port].data = data;
	port_handlers[bind.port].handler = handler;
	unmask.port = bind.port;
	rc = xen_event_channel_op(EVTCHNOP_unmask, &unmask);
	return rc < 0 ? rc : (long)bind.port;
}

int xen_events_pending(void)
{
	return __atomic_load_n(&vcpu0()->evtchn_upcall_pending, __ATOMIC_SEQ_CST) != 0;
}

void xen_events_disable(void)
{
	vcpu0()->evtchn_upcall_mask = 1;
	__asm__ volatile("" ::: "memory");
}

void xen_events_enable(void)
{
	struct vcpu_info *v = vcpu0();

	__asm__ volatile("" ::: "memory");
	v->evtchn_upcall_mask = 0;
	/* Order the unmask before the check (a store-load pair). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (v->evtchn_upcall_pending)
		xen_version(XENVER_version, 0);
}

void xen_block(void)
{
	xen_sched_op(SCHEDOP_block, 0);
}

/* Called from xen_event_entry with events masked. */
void xen_event_upcall(void)
{
	struct vcpu_info *v = vcpu0();
	shared_info_t *s = xen_shared_info;

	do {
		xen_ulong_t sel;

		v->evtchn_upcall_pending = 0;
		sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel != 0) {
			unsigned int word = (unsigned int)__builtin_ctzl(sel);
			xen_ulong_t pending;

			sel &= sel - 1;
			pending = s->evtchn_pending[word] & ~s->evtchn_mask[word];
			while (pending != 0) {
				unsigned int bit = (unsigned int)__builtin_ctzl(pending);
				unsigned int port = word * BITS_PER_WORD + bit;

				pending &= pending - 1;
				__atomic_fetch_and(&s->evtchn_pending[word], ~((xen_ulong_t)1 << bit),
				                   __ATOMIC_SEQ_CST);
				if (port < XEN_MAX_HANDLED_PORTS && port_handlers[port].handler)
					port_handlers[port].handler(port, port_handlers[port].data);
			}
		}
	} while (__atomic_load_n(&v->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
}

void xen_failsafe(void)
{
	xen_console_puts("xen-pv: failsafe callback: Xen could not load a segment register\n");
	xen_shutdown(SHUTDOWN_crash);
}

uint64_t xen_system_time_ns(void)
{
	const volatile struct vcpu_time_info *t = &vcpu0()->time;
	uint32_t version, mul;
	uint64_t stamp, system_time, delta;
	int8_t shift;

	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		stamp = t->tsc_timestamp;
		system_time = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		delta = xen_read_tsc();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) != 0 || version != t->version);

	delta -= stamp;
	if (shift >= 0)
		delta <<= shift;
	else
		delta >>= -shift;
	return system_time + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

long xen_set_periodic_timer(uint64_t period_ns)
{
	struct vcpu_set_periodic_timer timer = { .period_ns = period_ns };

	return xen_vcpu_op(VCPUOP_set_periodic_timer, 0, &timer);
}

long xen_stop_periodic_timer(void)
{
	return xen_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
}

long xen_set_timer(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer timer = { .timeout_abs_ns = deadline_ns, .flags = 0 };

	return xen_vcpu_op(VCPUOP_set_singleshot_timer, 0, &timer);
}
