// SPDX-License-Identifier: GPL-3.0-or-later
// The Linux benchmark program: runs inside the guest (native or para-
// virtualized) from the benchmark initramfs and prints one line per
// benchmark,
//
//   bench NAME VALUE UNIT
//
// timed with clock_gettime(CLOCK_MONOTONIC) in the guest. Under qemu's
// -icount shift=0 that clock runs at instruction time, so the figures are
// instruction counts in disguise and repeatable.
//
//   linux-bench [NAME...]     run the named benchmarks (default: all)
//   linux-bench --list        print the benchmark names
//   linux-bench noop          exit 0 at once (the program fork+exec runs)
//
// Every benchmark checks itself: it runs a non-zero number of iterations,
// the clock must advance across the measurement, every child must exit
// with status 0, and counters the kernel keeps (page faults, context
// switches) must show that the work really happened. A failed check prints
// "bench-fail NAME: REASON" and the program exits 1 after the remaining
// benchmarks; an unknown name exits 2.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// Iteration counts: one native plus one Xen PV run of everything stays
// within a few minutes of wall time under qemu's TCG with icount.
enum {
  GETPPID_ITERS = 200000,
  CTXSW_ITERS = 20000,       // sched_yield calls per process
  FORK_ITERS = 300,
  FAULT_ROUNDS = 8,          // 8 MiB each
  FAULT_BYTES = 8 << 20,
  PIPE_ITERS = 10000,
  EXEC_ITERS = 200,
  GZIP_BYTES = 2 << 20,
};

static const char *self_path = "/proc/self/exe";
static const char *current;  // name of the running benchmark
static int failed;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
  va_list ap;
  printf("bench-fail %s: ", current);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
  failed = 1;
}

static int64_t now_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    fail("clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
    return 0;
  }
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// Prints (END - START) / ITERS in UNIT (ns, us or ms), after checking that
// iterations ran and the clock advanced: a broken run prints no figure.
static void report(int64_t start, int64_t end, long iters, const char *unit) {
  if (iters <= 0) {
    fail("no iterations ran");
    return;
  }
  if (end <= start) {
    fail("CLOCK_MONOTONIC did not advance (start %lld ns, end %lld ns)",
         (long long)start, (long long)end);
    return;
  }
  double per = (double)(end - start) / (double)iters;
  double scale = strcmp(unit, "ns") == 0 ? 1.0 : strcmp(unit, "us") == 0 ? 1e3 : 1e6;
  printf("bench %s %.3f %s\n", current, per / scale, unit);
  fflush(stdout);
}

// Waits for PID and checks that it exited with status 0.
static int reap(pid_t pid) {
  int status;
  pid_t got;
  do got = waitpid(pid, &status, 0); while (got < 0 && errno == EINTR);
  if (got != pid) {
    fail("waitpid(%d): %s", (int)pid, strerror(errno));
    return -1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFSIGNALED(status))
      fail("child %d killed by signal %d", (int)pid, WTERMSIG(status));
    else
      fail("child %d exited with status %d", (int)pid, WEXITSTATUS(status));
    return -1;
  }
  return 0;
}

static struct rusage usage_now(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru;
}

// ---- micro benchmarks ------------------------------------------------------

// The cheapest system call: the cost of entering and leaving the kernel.
static void bench_getppid(void) {
  pid_t parent = getppid();
  long i;
  int64_t start = now_ns();
  for (i = 0; i < GETPPID_ITERS; i++)
    if (syscall(SYS_getppid) != parent) {
      fail("getppid returned another pid");
      return;
    }
  report(start, now_ns(), i, "ns");
}

// Two processes yielding the one CPU to each other.
static void bench_ctxsw(void) {
  pid_t pid = fork();
  if (pid < 0) { fail("fork: %s", strerror(errno)); return; }
  if (pid == 0) {
    for (long i = 0; i < CTXSW_ITERS; i++) sched_yield();
    _exit(0);
  }
  struct rusage before = usage_now();
  long i;
  int64_t start = now_ns();
  for (i = 0; i < CTXSW_ITERS; i++) sched_yield();
  int64_t end = now_ns();
  struct rusage after = usage_now();
  if (reap(pid) != 0) return;
  // With one CPU each yield hands it to the other process while that one
  // is still looping; most of them must have switched.
  long switches = (after.ru_nivcsw - before.ru_nivcsw) + (after.ru_nvcsw - before.ru_nvcsw);
  if (switches < CTXSW_ITERS / 2) {
    fail("only %ld context switches for %d yields (a second CPU?)", switches, CTXSW_ITERS);
    return;
  }
  // Every yield of this process is followed by one of the child: two
  // switches per iteration.
  report(start, end, 2 * i, "ns");
}

static void bench_fork(void) {
  long i;
  int64_t start = now_ns();
  for (i = 0; i < FORK_ITERS; i++) {
    pid_t pid = fork();
    if (pid < 0) { fail("fork: %s", strerror(errno)); return; }
    if (pid == 0) _exit(0);
    if (reap(pid) != 0) return;
  }
  report(start, now_ns(), i, "us");
}

// First-touch write faults on fresh anonymous memory, 8 MiB per round.
// With WHOLE_CYCLE the clock also covers mmap and munmap (the teardown of
// the filled page tables, which a PV kernel does through Xen); without it,
// only the faults.
static void pagefaults(int whole_cycle) {
  long page = sysconf(_SC_PAGESIZE), faults = 0, touched = 0;
  int64_t total = 0;
  for (int round = 0; round < FAULT_ROUNDS; round++) {
    struct rusage before = usage_now();
    int64_t start = now_ns();
    char *p = mmap(NULL, FAULT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { fail("mmap of %d bytes: %s", FAULT_BYTES, strerror(errno)); return; }
    if (!whole_cycle) start = now_ns();
    for (long off = 0; off < FAULT_BYTES; off += page) {
      p[off] = (char)off;
      touched++;
    }
    int64_t end = 0;
    if (!whole_cycle) end = now_ns();
    if (munmap(p, FAULT_BYTES) != 0) { fail("munmap: %s", strerror(errno)); return; }
    if (whole_cycle) end = now_ns();
    struct rusage after = usage_now();
    if (end <= start) { fail("CLOCK_MONOTONIC did not advance"); return; }
    total += end - start;
    faults += after.ru_minflt - before.ru_minflt;
  }
  if (faults < touched) {
    fail("%ld page faults for %ld touched pages", faults, touched);
    return;
  }
  report(0, total, touched, "us");
}

static void bench_pagefault(void) { pagefaults(1); }
static void bench_pagefault_touch(void) { pagefaults(0); }

// One byte to the child and back over two pipes.
static void bench_pipe(void) {
  int down[2], up[2];
  if (pipe(down) != 0 || pipe(up) != 0) { fail("pipe: %s", strerror(errno)); return; }
  pid_t pid = fork();
  if (pid < 0) { fail("fork: %s", strerror(errno)); return; }
  if (pid == 0) {
    char c;
    close(down[1]);
    close(up[0]);
    for (;;) {
      ssize_t n = read(down[0], &c, 1);
      if (n == 0) _exit(0);
      if (n != 1 || write(up[1], &c, 1) != 1) _exit(3);
    }
  }
  close(down[0]);
  close(up[1]);
  long i;
  int64_t start = now_ns();
  for (i = 0; i < PIPE_ITERS; i++) {
    char c = (char)i, back;
    if (write(down[1], &c, 1) != 1 || read(up[0], &back, 1) != 1 || back != c) {
      fail("round trip %ld: the byte did not come back", i);
      close(down[1]);
      reap(pid);
      return;
    }
  }
  int64_t end = now_ns();
  close(down[1]);
  close(up[0]);
  if (reap(pid) != 0) return;
  report(start, end, i, "us");
}

// fork, then execve of this (static) program, which exits at once.
static void bench_exec(void) {
  long i;
  int64_t start = now_ns();
  for (i = 0; i < EXEC_ITERS; i++) {
    pid_t pid = fork();
    if (pid < 0) { fail("fork: %s", strerror(errno)); return; }
    if (pid == 0) {
      execl(self_path, "linux-bench", "noop", (char *)NULL);
      _exit(127);
    }
    if (reap(pid) != 0) return;
  }
  report(start, now_ns(), i, "us");
}

// ---- macro benchmarks ------------------------------------------------------

// Runs "sh -c SCRIPT" once and reports its time in ms.
static void timed_shell(const char *script) {
  int64_t start = now_ns();
  pid_t pid = fork();
  if (pid < 0) { fail("fork: %s", strerror(errno)); return; }
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", script, (char *)NULL);
    _exit(127);
  }
  if (reap(pid) != 0) return;
  report(start, now_ns(), 1, "ms");
}

// Compressible, deterministic input: words from a small vocabulary chosen
// by a linear congruential generator.
static int write_gzip_input(const char *path) {
  static const char *words[] = {"previrt", "kernel", "sensitive", "site", "padding",
                                "hypervisor", "page", "table", "fault", "trap",
                                "interrupt", "return", "0x1f", "4096", "\n"};
  FILE *f = fopen(path, "w");
  if (!f) { fail("%s: %s", path, strerror(errno)); return -1; }
  uint32_t x = 12345;
  long n = 0;
  while (n < GZIP_BYTES) {
    x = x * 1103515245u + 12345u;
    const char *w = words[(x >> 16) % (sizeof words / sizeof *words)];
    n += fprintf(f, "%s ", w);
  }
  if (fclose(f) != 0) { fail("%s: %s", path, strerror(errno)); return -1; }
  return 0;
}

// busybox gzip and gunzip of 2 MiB in tmpfs, checked by comparing.
static void bench_gzip(void) {
  if (write_gzip_input("/tmp/gzip-input") != 0) return;
  timed_shell("gzip -c /tmp/gzip-input > /tmp/gzip-input.gz && "
              "gunzip -c /tmp/gzip-input.gz > /tmp/gzip-output && "
              "cmp /tmp/gzip-input /tmp/gzip-output && "
              "rm /tmp/gzip-input.gz /tmp/gzip-output");
  unlink("/tmp/gzip-input");
}

// A shell script that runs 1,000 short external commands.
static void bench_shell(void) {
  timed_shell("/bin/shell-1000");
}

// ---- driver ----------------------------------------------------------------

static const struct {
  const char *name;
  void (*run)(void);
} benches[] = {
    {"getppid", bench_getppid},
    {"ctxsw", bench_ctxsw},
    {"fork", bench_fork},
    {"pagefault", bench_pagefault},
    {"pagefault-touch", bench_pagefault_touch},
    {"pipe", bench_pipe},
    {"exec", bench_exec},
    {"gzip", bench_gzip},
    {"shell", bench_shell},
};
enum { NBENCH = sizeof benches / sizeof *benches };

static int find(const char *name) {
  for (int i = 0; i < NBENCH; i++)
    if (strcmp(benches[i].name, name) == 0) return i;
  return -1;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "noop") == 0) return 0;
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (int i = 0; i < NBENCH; i++) printf("%s\n", benches[i].name);
    return 0;
  }
  for (int a = 1; a < argc; a++)
    if (find(argv[a]) < 0) {
      fprintf(stderr, "linux-bench: unknown benchmark '%s' (see --list)\n", argv[a]);
      return 2;
    }
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 0; i < NBENCH; i++) {
    int wanted = argc == 1;
    for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], benches[i].name) == 0;
    if (!wanted) continue;
    current = benches[i].name;
    benches[i].run();
  }
  return failed;
}
