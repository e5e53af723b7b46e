// SPDX-License-Identifier: MIT
/*
 * Timer interrupts through event channels, in the two ways the VMM will
 * use them:
 *   periodic  VIRQ_TIMER from the periodic timer interrupts running code;
 *             a computation spanning the upcalls is recomputed to show that
 *             every register survived them
 *   one-shot  the vCPU blocks until a single-shot deadline wakes it, the
 *             way an idle guest's hlt will be handled
 * Each phase also checks, against Xen system time, that the ticks were not
 * faster than the timer period.  Exit status 0 if all holds.
 */
#include "xen-backend.h"
#include "events.h"

#define PHASE_TICKS 10
#define PERIOD_NS 2000000ULL /* 2 ms */

static volatile unsigned long ticks;
static volatile uint64_t last_tick_ns;

static void on_timer(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	last_tick_ns = xen_system_time_ns();
	ticks++;
}

static void put_signed(long v)
{
	if (v < 0) {
		xen_console_puts("-");
		v = -v;
	}
	xen_console_put_udec((unsigned long)v);
}

static int fail(const char *what, long value)
{
	xen_console_puts("timer: FAIL: ");
	xen_console_puts(what);
	xen_console_puts(" (");
	put_signed(value);
	xen_console_puts(")\n");
	return 1;
}

static void report(const char *phase, unsigned long n, uint64_t span_ns)
{
	xen_console_puts("timer: ");
	xen_console_puts(phase);
	xen_console_puts(": ");
	xen_console_put_udec(n);
	xen_console_puts(" ticks in ");
	xen_console_put_udec(span_ns / 1000);
	xen_console_puts(" us\n");
}

#define LCG(x) ((x) * 6364136223846793005UL + 1442695040888963407UL)

/* Mixes four values until `until` ticks; returns how many rounds ran and
 * the mixed result, computed while upcalls interrupt it. */
static unsigned long spin_until(unsigned long until, unsigned long *rounds_out)
{
	unsigned long a = 1, b = 2, c = 3, d = 4, rounds = 0;

	while (ticks < until) {
		a = LCG(a);
		b ^= a >> 7;
		c += b | 1;
		d = LCG(d ^ c);
		rounds++;
	}
	*rounds_out = rounds;
	return a ^ (b << 1) ^ (c << 2) ^ (d << 3);
}

static unsigned long recompute(unsigned long rounds)
{
	unsigned long a = 1, b = 2, c = 3, d = 4, i;

	for (i = 0; i < rounds; i++) {
		a = LCG(a);
		b ^= a >> 7;
		c += b | 1;
		d = LCG(d ^ c);
	}
	return a ^ (b << 1) ^ (c << 2) ^ (d << 3);
}

int xen_pv_main(const start_info_t *si)
{
	unsigned long rounds, mixed, i;
	uint64_t start;
	long rc, port;

	(void)si;
	rc = xen_events_init(xen_event_entry);
	if (rc < 0)
		return fail("events init", rc);
	port = xen_bind_virq(VIRQ_TIMER, on_timer, 0);
	if (port < 0)
		return fail("bind VIRQ_TIMER", port);
	xen_console_puts("timer: VIRQ_TIMER on port ");
	xen_console_put_udec((unsigned long)port);
	xen_console_puts("\n");

	/* Periodic: upcalls interrupt running code. */
	rc = xen_set_periodic_timer(PERIOD_NS);
	if (rc < 0)
		return fail("set_periodic_timer", rc);
	start = xen_system_time_ns();
	xen_events_enable();
	mixed = spin_until(PHASE_TICKS, &rounds);
	xen_events_disable();
	rc = xen_stop_periodic_timer();
	if (rc < 0)
		return fail("stop_periodic_timer", rc);
	report("periodic", ticks, last_tick_ns - start);
	if (mixed != recompute(rounds))
		return fail("registers changed across upcalls", (long)rounds);
	/* The first tick may be due at once (the timer of the default period
	 * was running before), so N ticks span at least N - 1 periods; Xen may
	 * fire a timer slightly early (its timer slop), hence 9/10. */
	if (last_tick_ns - start < (PHASE_TICKS - 1) * PERIOD_NS * 9 / 10)
		return fail("periodic ticks came faster than the period", (long)(last_tick_ns - start));

	/* One-shot: block until each deadline wakes us.  First let a periodic
	 * tick that came after the last count in, so it is not counted here. */
	xen_events_enable();
	xen_events_disable();
	ticks = 0;
	start = xen_system_time_ns();
	for (i = 1; i <= PHASE_TICKS; i++) {
		rc = xen_set_timer(xen_system_time_ns() + PERIOD_NS);
		if (rc < 0)
			return fail("set_singleshot_timer", rc);
		while (ticks < i) {
			xen_block();
			xen_events_disable();
		}
	}
	report("one-shot", ticks, last_tick_ns - start);
	if (ticks != PHASE_TICKS)
		return fail("one-shot ticks", (long)ticks);
	/* Each deadline is a full period after the previous tick. */
	if (last_tick_ns - start < PHASE_TICKS * PERIOD_NS * 9 / 10)
		return fail("one-shot ticks came before their deadlines", (long)(last_tick_ns - start));
	return 0;
}
