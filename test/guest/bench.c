/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks: cycles per iteration (rdtsc, less the cost of reading it) of
 * sensitive operations, one line each. Under qemu -icount the TSC counts
 * instructions, so the numbers are deterministic and comparable between
 * the plain and the pv build.
 */
#include "arch.h"
#include "bench.h"
#include "console.h"
#include "irq.h"
#include "paging.h"
#include "traps.h"
#include "user.h"

#define ITERATIONS 10000UL

/*
 * What a measurement costs by itself: two rdtsc back to back.  Natively a
 * cycle or so; where rdtsc is emulated (it is a sensitive instruction) a
 * few hundred, which would otherwise land on whatever the pair brackets.
 * Measured once per run, the least of a few tries.
 */
static u64 timer_overhead;

static void measure_timer_overhead(void)
{
	timer_overhead = ~0UL;
	for (int i = 0; i < 16; i++) {
		u64 t0 = rdtsc();
		u64 t1 = rdtsc();
		if (t1 - t0 < timer_overhead)
			timer_overhead = t1 - t0;
	}
}

/* end - start less the timer's own cost. */
static u64 elapsed(u64 start, u64 end)
{
	u64 e = end - start;
	return e > timer_overhead ? e - timer_overhead : 0;
}

/* Cycles per iteration with two decimals (the guest has no floating point). */
static void report(const char *name, u64 start, u64 end, u64 iterations)
{
	u64 hundredths = elapsed(start, end) * 100 / iterations;
	console_printf("bench %s: %lu.%02lu\n", name, hundredths / 100, hundredths % 100);
}

static void bench_cli_sti(void)
{
	u64 t0 = rdtsc();
	for (u64 i = 0; i < ITERATIONS; i++)
		asm volatile("cli\n\tsti" : : : "memory");
	u64 t1 = rdtsc();
	cli();
	report("cli-sti", t0, t1, ITERATIONS);
}

static void bench_pushf_popf(void)
{
	u64 t0 = rdtsc();
	for (u64 i = 0; i < ITERATIONS; i++)
		asm volatile("pushfq\n\tpopfq" : : : "memory", "cc");
	report("pushf-popf", t0, rdtsc(), ITERATIONS);
}

static void bench_cr3(void)
{
	u64 t0 = rdtsc();
	for (u64 i = 0; i < ITERATIONS; i++) {
		write_cr3((u64)as_b_pml4);
		write_cr3((u64)as_a_pml4);
	}
	report("cr3-switch", t0, rdtsc(), 2 * ITERATIONS);
}

static void bench_invlpg(void)
{
	u64 t0 = rdtsc();
	for (u64 i = 0; i < ITERATIONS; i++)
		invlpg((const void *)TEST_PAGE(TEST_PAGE_SWITCH));
	report("invlpg", t0, rdtsc(), ITERATIONS);
}

static void bench_in(void)
{
	u64 t0 = rdtsc();
	for (u64 i = 0; i < ITERATIONS; i++)
		(void)inb(0x21);
	report("in-pic", t0, rdtsc(), ITERATIONS);
}

static void bench_syscall(void)
{
	u64 t0 = rdtsc();
	user_run(user_prog_syscall_loop, ITERATIONS, USER_RFLAGS);
	report("syscall-sysret", t0, rdtsc(), ITERATIONS);
}

static void bench_page_fault(void)
{
	volatile u64 *p = TEST_PAGE(TEST_PAGE_UNMAPPED);
	u64 t0 = rdtsc();
	for (u64 i = 0; i < ITERATIONS; i++) {
		u64 v = 0;
		TRAP_PROBE("movq (%1), %0", : "+r"(v) : "r"(p) : "r11", "memory");
	}
	report("page-fault", t0, rdtsc(), ITERATIONS);
}

static void bench_int3(void)
{
	u64 t0 = rdtsc();
	for (u64 i = 0; i < ITERATIONS; i++)
		TRAP_PROBE("int3", : : : "r11", "memory");
	report("int3", t0, rdtsc(), ITERATIONS);
}

/* From sti with a tick pending to the return from its handler. */
static void bench_timer(void)
{
	const u64 ticks = 100;
	u64 total = 0;
	timer_start();
	for (u64 i = 0; i < ticks; i++) {
		while (!timer_pending())
			;
		u64 t0 = rdtsc();
		asm volatile("sti\n\tnop\n\tcli" : : : "memory");
		total += elapsed(t0, rdtsc());
	}
	timer_stop();
	report("timer-interrupt", 0, total, ticks);
}

void bench_run(void)
{
	cli();
	measure_timer_overhead();
	console_printf("bench timer overhead (subtracted below): %lu\n", timer_overhead);
	bench_cli_sti();
	bench_pushf_popf();
	bench_cr3();
	bench_invlpg();
	bench_in();
	bench_syscall();
	bench_page_fault();
	bench_int3();
	bench_timer();
}
