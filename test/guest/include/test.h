/* SPDX-License-Identifier: MIT */
/*
 * The test runner's vocabulary. A test prints exactly one line:
 *   name: ok
 *   name: FAIL <first failed check>
 *   name: skipped (<why>)
 * Details appear only on failure, so a passing transcript holds no
 * addresses, timings or CPU-specific values.
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H
#include "types.h"

struct test {
	const char *name;
	int failed;
	const char *skipped;
	char detail[192];
};

void test_begin(struct test *t, const char *name);
/* Records the first failure; later ones are ignored (the first is the cause). */
void test_fail(struct test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void test_skip(struct test *t, const char *why);
void test_end(struct test *t);

#define EXPECT_EQ(t, what, got, want)                                                                  \
	do {                                                                                            \
		u64 got_ = (u64)(got), want_ = (u64)(want);                                             \
		if (got_ != want_)                                                                      \
			test_fail(t, "%s: got 0x%lx, want 0x%lx", what, got_, want_);                   \
	} while (0)
#define EXPECT_TRUE(t, what, cond)                                                                     \
	do {                                                                                            \
		if (!(cond))                                                                            \
			test_fail(t, "%s", what);                                                       \
	} while (0)

/* Test groups, one per file in tests/. */
void test_descriptors(void);
void test_exceptions(void);
void test_paging(void);
void test_msrs(void);
void test_user(void);
void test_interrupts(void);
void test_cpu(void);
void test_extensions(void);
void test_bootinfo(void);

extern unsigned tests_failed, tests_skipped, tests_run;

/* Ends the guest through the isa-debug-exit port: 0 passed, 1 failed, 2 aborted. */
void guest_exit(u32 status) NORETURN;
#define GUEST_PASSED 0
#define GUEST_FAILED 1
#define GUEST_ABORTED 2

#endif
