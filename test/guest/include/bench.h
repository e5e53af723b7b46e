/* SPDX-License-Identifier: MIT */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H
/* Prints "bench <operation>: <cycles per iteration>" for each measured operation. */
void bench_run(void);
#endif
