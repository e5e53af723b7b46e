/* SPDX-License-Identifier: MIT */
/*
 * Test group 6: interrupts from the 8259 PIC and the 8254 PIT: hlt waits for
 * a tick, cli holds a tick pending until sti, sti;hlt is atomic, pushf/popf
 * carry IF, a tick in ring 3 arrives on the rsp0 stack, and monitor/mwait
 * wake on a tick.
 */
#include "arch.h"
#include "desc.h"
#include "irq.h"
#include "test.h"
#include "user.h"

/* Polls the PIC until IRQ 0 is requested; 0 if it never is. */
static int wait_timer_pending(void)
{
	for (u64 i = 0; i < 50000000UL; i++)
		if (timer_pending())
			return 1;
	return 0;
}

void test_interrupts(void)
{
	struct test t;

	cli();
	timer_start();

	test_begin(&t, "timer-hlt");
	{
		u64 before = timer_ticks;
		sti_hlt();
		cli();
		EXPECT_TRUE(&t, "hlt returned without a timer tick", timer_ticks > before);
	}
	test_end(&t);

	test_begin(&t, "cli-holds-tick");
	{
		/* Start just after a tick so the busy wait sees a fresh one. */
		sti_hlt();
		cli();
		u64 before = timer_ticks;
		int pending = wait_timer_pending();
		EXPECT_TRUE(&t, "the PIC never requested IRQ 0", pending);
		EXPECT_EQ(&t, "ticks delivered while IF was clear", timer_ticks - before, 0);
		/*
		 * The pending tick is taken as soon as sti's one-instruction
		 * shadow ends: between the label after sti and the cli. (Exactly
		 * where the shadow ends is sti-hlt-wakeup's business.)
		 */
		u64 window_start, window_end;
		asm volatile("leaq 1f(%%rip), %0\n\t"
			     "leaq 2f(%%rip), %1\n\t"
			     "sti\n"
			     "1:\n\t"
			     "nop\n"
			     "2:\n\t"
			     "cli"
			     : "=&r"(window_start), "=&r"(window_end) : : "memory");
		EXPECT_TRUE(&t, "no tick delivered after sti", timer_ticks - before >= 1);
		EXPECT_TRUE(&t, "tick not taken between sti and the next cli",
			    timer_rip >= window_start && timer_rip <= window_end);
	}
	test_end(&t);

	/*
	 * sti;hlt is atomic: sti's one-instruction shadow covers hlt, so a
	 * tick already pending wakes that very hlt (saved %rip just after it)
	 * instead of being taken before it and leaving hlt to wait for the next
	 * tick. Kernels' idle loops rely on this to never sleep through a
	 * wake-up.
	 */
	test_begin(&t, "sti-hlt-wakeup");
	{
		sti_hlt();
		cli();
		u64 before = timer_ticks;
		EXPECT_TRUE(&t, "the PIC never requested IRQ 0", wait_timer_pending());
		u64 after_hlt;
		asm volatile("leaq 1f(%%rip), %0\n\t"
			     "sti\n\t"
			     "hlt\n"
			     "1:\n\t"
			     "cli"
			     : "=&r"(after_hlt) : : "memory");
		EXPECT_EQ(&t, "ticks taken", timer_ticks - before, 1);
		EXPECT_TRUE(&t, "the pending tick was taken before hlt, not by it", timer_rip == after_hlt);
	}
	test_end(&t);

	test_begin(&t, "pushf-popf-if");
	{
		cli();
		u64 flags = read_flags();
		EXPECT_TRUE(&t, "pushf shows IF set after cli", !(flags & X86_EFLAGS_IF));
		sti();
		EXPECT_TRUE(&t, "pushf shows IF clear after sti", read_flags() & X86_EFLAGS_IF);
		write_flags(flags);
		EXPECT_TRUE(&t, "popf did not clear IF", !(read_flags() & X86_EFLAGS_IF));
		sti();
		flags = read_flags();
		cli();
		write_flags(flags);
		EXPECT_TRUE(&t, "popf did not set IF", read_flags() & X86_EFLAGS_IF);
		cli();
	}
	test_end(&t);

	/* In kernel mode popf sets IOPL and ID too, and a later popf without
	 * them clears them again, whatever IF does in between. */
	test_begin(&t, "pushf-popf-iopl-id");
	{
		cli();
		u64 base = read_flags();
		write_flags(base | X86_EFLAGS_IOPL | X86_EFLAGS_ID);
		u64 set = read_flags();
		EXPECT_EQ(&t, "IOPL after popf", set & X86_EFLAGS_IOPL, X86_EFLAGS_IOPL);
		EXPECT_TRUE(&t, "ID after popf", set & X86_EFLAGS_ID);
		EXPECT_TRUE(&t, "IF after popf of a cleared IF", !(set & X86_EFLAGS_IF));
		sti();
		EXPECT_EQ(&t, "IOPL after sti", read_flags() & X86_EFLAGS_IOPL, X86_EFLAGS_IOPL);
		cli();
		EXPECT_EQ(&t, "IOPL after cli", read_flags() & X86_EFLAGS_IOPL, X86_EFLAGS_IOPL);
		write_flags(base);
		u64 back = read_flags();
		EXPECT_EQ(&t, "IOPL after popf without it", back & X86_EFLAGS_IOPL, 0);
		EXPECT_TRUE(&t, "ID after popf without it", !(back & X86_EFLAGS_ID));
		EXPECT_EQ(&t, "flags as they were", back, base);
	}
	test_end(&t);

	test_begin(&t, "user-interrupt-rsp0");
	{
		user_tick_seen = 0;
		user_tick_frame = 0;
		u64 ret = user_run(user_prog_spin, 0, USER_RFLAGS_IF);
		cli();
		EXPECT_EQ(&t, "ring 3 saw a tick", ret, 1);
		EXPECT_EQ(&t, "saved cs of the tick", user_tick_cs, SEL_USER_CS | 3);
		EXPECT_TRUE(&t, "tick from ring 3 not taken on the rsp0 stack", ON_STACK(rsp0_stack, user_tick_frame));
	}
	test_end(&t);

	test_begin(&t, "monitor-mwait");
	if (!(cpuid(1, 0).ecx & (1u << 3))) {
		test_skip(&t, "no MONITOR/MWAIT");
	} else {
		static volatile u64 monitored;
		u64 before = timer_ticks;
		asm volatile("monitor" : : "a"(&monitored), "c"(0), "d"(0));
		/* sti's shadow covers mwait: the wake-up tick cannot slip in between. */
		asm volatile("sti\n\tmwait\n\tcli" : : "a"(0), "c"(0) : "memory");
		/* mwait may also end early; what matters is that it returns and interrupts work. */
		if (timer_ticks == before)
			sti_hlt();
		cli();
		EXPECT_TRUE(&t, "no tick around mwait", timer_ticks > before);
	}
	test_end(&t);

	timer_stop();
}
