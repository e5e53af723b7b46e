/* SPDX-License-Identifier: MIT */
/*
 * Event channels of a 64-bit Xen PV guest: what the VMM builds virtual
 * interrupts (the timer first) on.  See events.c for the ABI.
 */
#ifndef PREVIRT_XEN_EVENTS_H
#define PREVIRT_XEN_EVENTS_H

#include "xen-public.h"

typedef void (*xen_event_handler_t)(evtchn_port_t port, void *data);

/* The upcall entry of event-entry.S: saves the registers the C ABI lets a
 * callee clobber, runs xen_event_upcall(), returns with the iret hypercall. */
void xen_event_entry(void);

/* Registers upcall (xen_event_entry, or an entry of the image's own) as the
 * event callback, and the failsafe callback; events stay masked.  Returns 0
 * or a negative Xen error. */
long xen_events_init(void (*upcall)(void));

/* Registers entry as the callback of the given CALLBACKTYPE_*, entered with
 * events masked.  Returns 0 or a negative Xen error. */
long xen_register_callback(unsigned int type, void (*entry)(void));

/* Binds VIRQ virq on vCPU 0 to handler and unmasks its port.  Returns the
 * port (>= 0) or a negative Xen error. */
long xen_bind_virq(unsigned int virq, xen_event_handler_t handler, void *data);

/* Whether an event waits for delivery (vcpu_info.evtchn_upcall_pending). */
int xen_events_pending(void);

/* Event delivery on/off for this vCPU (the PV "interrupt flag"). */
void xen_events_enable(void);
void xen_events_disable(void);

/* Runs the handlers of every pending port and clears them; called with
 * events masked (the upcall entry does, and so may any code that finds
 * vcpu_info.evtchn_upcall_pending set while it holds events back). */
void xen_event_upcall(void);

/* Waits for an event (SCHEDOP_block).  Called with events disabled, it
 * enables them atomically with going to sleep, so an event that arrives
 * between the caller's last check and the block is not lost; they are
 * enabled on return. */
void xen_block(void);

/* The time-stamp counter (a PV guest may read it). */
static inline uint64_t xen_read_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Xen system time in nanoseconds since boot (vcpu_time_info + TSC). */
uint64_t xen_system_time_ns(void);

/* VIRQ_TIMER every period_ns while the vCPU runs
 * (VCPUOP_set_periodic_timer).  Xen stops the periodic timer while the vCPU
 * is blocked: to sleep until a deadline, use xen_set_timer. */
long xen_set_periodic_timer(uint64_t period_ns);
long xen_stop_periodic_timer(void);

/* VIRQ_TIMER once at system time deadline_ns, or at once if that has passed
 * (VCPUOP_set_singleshot_timer); replaces any earlier deadline. */
long xen_set_timer(uint64_t deadline_ns);

#endif
