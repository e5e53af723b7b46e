# SPDX-License-Identifier: GPL-3.0-or-later
# The Linux benchmark: the same static benchmark program (test/bench/
# linux-bench.c) in a busybox initramfs, booted on a native kernel and as a
# Xen PV dom0 under qemu -icount shift=0, side by side. See
# docs/bench-linux.md. Included from test/linux/build.mk (LINUX_DIR,
# LINUX_JOBS and LINUX_GCC come from there).
#
#   make bench-linux                 the three kernels, 3 runs each, the table
#                                    and build/bench/linux.json
#   make bench-linux-kernels         build/linux/native-gcc, xen-pv-gcc (and
#                                    bench-linux builds native-pv-gcc and
#                                    rewrites it for Xen)
#   make test-bench-linux-smoke      the harness on one benchmark, one run
#   make test-bench-linux-harness    the harness fails on a kernel that does
#                                    not boot, a missing benchmark line, a
#                                    configuration option that did not stick
#
# BENCH_LINUX_RUNS boots per kernel (3); BENCH_LINUX_ONLY limits the
# benchmarks (comma-separated names; empty: all).

BENCH_LINUX_RUNS ?= 3
BENCH_LINUX_ONLY ?=
BENCH_LINUX_CFLAGS ?= -O2 -Wall -Wextra

BENCH_DIR := $(BUILD)/bench
BENCH_LINUX_PROG := $(BENCH_DIR)/linux-bench
BENCH_LINUX_INITRAMFS := $(BENCH_DIR)/linux-initramfs.cpio.gz
BENCH_NATIVE_OUT := $(LINUX_DIR)/native-$(notdir $(LINUX_GCC))
BENCH_XEN_OUT := $(LINUX_DIR)/xen-pv-$(notdir $(LINUX_GCC))
BENCH_NATIVE_KERNEL := $(BENCH_NATIVE_OUT)/arch/x86/boot/bzImage
BENCH_XEN_KERNEL := $(BENCH_XEN_OUT)/arch/x86/boot/bzImage
# The pre-virtualized column: the native configuration built with pv-gcc and
# rewritten with elfrewrite --target=xen (the in-place VMM under Xen; its
# console is the UART the VMM models).
BENCH_PREVIRT_OUT := $(LINUX_DIR)/native-pv-gcc
BENCH_PREVIRT_KERNEL := $(BENCH_PREVIRT_OUT)/vmlinux.xen
BENCH_PREVIRT_COLUMN := --column xen-previrt=xen:$(BENCH_PREVIRT_KERNEL) \
  --column-args xen-previrt=console=ttyS0

.PHONY: bench-linux bench-linux-kernels test-bench-linux-smoke test-bench-linux-harness

# The guest has no C library: the program is static.
$(BENCH_LINUX_PROG): test/bench/linux-bench.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BENCH_LINUX_CFLAGS) -static -o $@.tmp $< && mv -f $@.tmp $@

$(BENCH_LINUX_INITRAMFS): $(BENCH_LINUX_PROG) test/bench/make-initramfs test/bench/init test/bench/shell-1000
	$(call say,CPIO,$@)
	$(Q)test/bench/make-initramfs $@ $(BENCH_LINUX_PROG)

# One kernel at a time: each build uses LINUX_JOBS cores. The kernel's own
# make decides what is stale, so this always runs it.
bench-linux-kernels:
	$(Q)scripts/build-linux --cc $(LINUX_GCC) --config native --jobs $(LINUX_JOBS) --out $(BENCH_NATIVE_OUT)
	$(Q)scripts/build-linux --cc $(LINUX_GCC) --config xen-pv --jobs $(LINUX_JOBS) --out $(BENCH_XEN_OUT)

# The kernel's own make decides what is stale, so this always runs it.
.PHONY: $(BENCH_PREVIRT_KERNEL)
$(BENCH_PREVIRT_KERNEL): $(BIN)/pv-gcc $(BIN)/pv-as $(BIN)/elfrewrite
	$(Q)scripts/build-linux --cc $(LINUX_PV_GCC) --config native --jobs $(LINUX_JOBS) --out $(BENCH_PREVIRT_OUT)
	$(Q)$(BIN)/elfrewrite --target=xen -o $@ $(BENCH_PREVIRT_OUT)/vmlinux

bench-linux: bench-linux-kernels $(BENCH_PREVIRT_KERNEL) $(BENCH_LINUX_INITRAMFS)
	$(Q)test/bench/run-linux-bench --native $(BENCH_NATIVE_KERNEL) --xen-pv $(BENCH_XEN_KERNEL) \
	  $(BENCH_PREVIRT_COLUMN) --initramfs $(BENCH_LINUX_INITRAMFS) --runs $(BENCH_LINUX_RUNS) \
	  $(if $(BENCH_LINUX_ONLY),--bench $(BENCH_LINUX_ONLY)) \
	  --out $(BENCH_DIR)/linux --json $(BENCH_DIR)/linux.json
BENCHES += bench-linux

# The harness end to end on the shortest benchmark, so it cannot rot.
test-bench-linux-smoke: bench-linux-kernels $(BENCH_LINUX_INITRAMFS)
	$(Q)test/bench/run-linux-bench --native $(BENCH_NATIVE_KERNEL) --xen-pv $(BENCH_XEN_KERNEL) \
	  --initramfs $(BENCH_LINUX_INITRAMFS) --runs 1 --bench getppid \
	  --out $(BENCH_DIR)/linux-smoke --json $(BENCH_DIR)/linux-smoke.json
	$(Q)test/bench/check-smoke $(BENCH_DIR)/linux-smoke.json getppid
TESTS += test-bench-linux-smoke

test-bench-linux-harness: bench-linux-kernels $(BENCH_LINUX_INITRAMFS)
	$(Q)test/bench/check-harness --native $(BENCH_NATIVE_KERNEL) --xen-pv $(BENCH_XEN_KERNEL) \
	  --initramfs $(BENCH_LINUX_INITRAMFS) --program $(BENCH_LINUX_PROG) --out $(BENCH_DIR)/harness-test
TESTS += test-bench-linux-harness
