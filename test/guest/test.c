/* SPDX-License-Identifier: MIT */
/* Result lines and the guest's exit status. */
#include "arch.h"
#include "console.h"
#include "test.h"

#define DEBUG_EXIT_PORT 0xf4

unsigned tests_failed, tests_skipped, tests_run;

void test_begin(struct test *t, const char *name)
{
	t->name = name;
	t->failed = 0;
	t->skipped = NULL;
	t->detail[0] = '\0';
}

void test_fail(struct test *t, const char *fmt, ...)
{
	if (t->failed++)
		return;
	va_list ap;
	va_start(ap, fmt);
	format(t->detail, sizeof(t->detail), fmt, ap);
	va_end(ap);
}

void test_skip(struct test *t, const char *why)
{
	t->skipped = why;
}

void test_end(struct test *t)
{
	tests_run++;
	if (t->failed) {
		tests_failed++;
		console_printf("%s: FAIL %s\n", t->name, t->detail);
	} else if (t->skipped) {
		tests_skipped++;
		console_printf("%s: skipped (%s)\n", t->name, t->skipped);
	} else {
		console_printf("%s: ok\n", t->name);
	}
}

void guest_exit(u32 status)
{
	/* isa-debug-exit makes qemu exit with (status << 1) | 1. */
	outl(DEBUG_EXIT_PORT, status);
	/* Without that device: stop here, and let the runner's timeout report it. */
	for (;;) {
		cli();
		hlt();
	}
}
