# SPDX-License-Identifier: GPL-3.0-or-later
# Linux 6.1 on the toolchain: the same kernel configuration built with gcc and
# with pv-gcc from Debian's unedited linux-source-6.1, both booted natively
# under qemu, and the pv-gcc image checked for coverage. See
# test/linux/README.md.
#
#   make linux               both kernels (build/linux/<config>-gcc, -pv-gcc)
#   make test-linux          build, boot both, coverage check of the pv-gcc image
#   make test-linux-coverage-check   the coverage checker on small fixtures
#   make bench-linux-build   gcc vs pv-gcc build time from clean output dirs
#
# LINUX_CONFIG names the fragment (test/linux/configs/*.config); LINUX_JOBS is
# make -j for the kernel (2: the kernel builds share the machine).

LINUX_CONFIG ?= tiny
LINUX_JOBS ?= 2
LINUX_GCC ?= gcc
# A bzImage may cost at most this much more CPU time to build with pv-gcc
# than with gcc.
LINUX_BUILD_RATIO_GOAL ?= 1.05

LINUX_DIR := $(BUILD)/linux
LINUX_PV_GCC := $(abspath $(BIN)/pv-gcc)
LINUX_INITRAMFS := $(LINUX_DIR)/initramfs.cpio.gz
LINUX_GCC_OUT := $(LINUX_DIR)/$(LINUX_CONFIG)-$(notdir $(LINUX_GCC))
LINUX_PV_OUT := $(LINUX_DIR)/$(LINUX_CONFIG)-pv-gcc

.PHONY: linux linux-gcc linux-pv-gcc test-linux test-linux-coverage-check bench-linux-build

# The kernel's own make decides what is stale, so these always run it.
linux: linux-gcc linux-pv-gcc

linux-gcc:
	$(Q)scripts/build-linux --cc $(LINUX_GCC) --config $(LINUX_CONFIG) --jobs $(LINUX_JOBS) --out $(LINUX_GCC_OUT)

linux-pv-gcc: $(BIN)/pv-gcc $(BIN)/pv-as
	$(Q)scripts/build-linux --cc $(LINUX_PV_GCC) --config $(LINUX_CONFIG) --jobs $(LINUX_JOBS) --out $(LINUX_PV_OUT)

$(LINUX_INITRAMFS): scripts/make-initramfs test/linux/init
	$(call say,CPIO,$@)
	$(Q)scripts/make-initramfs $@

# Every step runs even when an earlier one failed, so one run reports all of
# them; the target fails if any did.
test-linux: linux $(LINUX_INITRAMFS) $(BIN)/pv-as
	$(Q)status=0; \
	scripts/run-linux-native --log $(LINUX_GCC_OUT)/console.log \
	  $(LINUX_GCC_OUT)/arch/x86/boot/bzImage $(LINUX_INITRAMFS) || status=1; \
	scripts/run-linux-native --log $(LINUX_PV_OUT)/console.log \
	  $(LINUX_PV_OUT)/arch/x86/boot/bzImage $(LINUX_INITRAMFS) || status=1; \
	scripts/check-coverage --classifier "$(BIN)/pv-as --classify" \
	  $(LINUX_PV_OUT)/vmlinux || status=1; \
	kept=$$(find $(LINUX_PV_OUT)/pv-keep -name '*.pv.s' | wc -l); \
	incomplete=$$(find $(LINUX_PV_OUT)/pv-keep -name '*.pv.s' | while read -r f; do \
	  b=$${f%.pv.s}; [ -s "$$b.orig.s" ] && [ -s "$$b.args" ] || echo "$$f"; done | wc -l); \
	echo "test-linux: pv-keep: $$kept annotated objects, $$incomplete without .orig.s or .args"; \
	[ "$$kept" -gt 0 ] && [ "$$incomplete" -eq 0 ] || status=1; \
	exit $$status
TESTS += test-linux

test-linux-coverage-check: $(BIN)/pv-as
	$(Q)test/linux/check-coverage-test $(BIN)/pv-as
TESTS += test-linux-coverage-check

# Both builds start from an empty output directory in the same run. The goal
# applies to CPU time (user + system of the whole build), which other work on
# a shared machine disturbs far less than wall time; both are printed.
# LINUX_BENCH_ROUNDS=N builds each kernel N times, alternating which goes
# first (gcc, pv-gcc, then pv-gcc, gcc, ...), and compares the sums: load
# that comes and goes on a shared machine then weighs on both alike.
LINUX_BENCH_ROUNDS ?= 1
bench-linux-build: $(BIN)/pv-gcc $(BIN)/pv-as
	$(Q)set -e; d=$(LINUX_DIR); gcc_s=0; pv_s=0; gcc_c=0; pv_c=0; \
	for round in $$(seq 1 $(LINUX_BENCH_ROUNDS)); do \
	  if [ $$((round % 2)) = 1 ]; then order="gcc pv-gcc"; else order="pv-gcc gcc"; fi; \
	  for which in $$order; do \
	    if [ $$which = gcc ]; then cc=$(LINUX_GCC); else cc=$(LINUX_PV_GCC); fi; \
	    rm -rf $$d/bench-$$which; \
	    scripts/build-linux --cc $$cc --config $(LINUX_CONFIG) --jobs $(LINUX_JOBS) --out $$d/bench-$$which; \
	    s=$$(cat $$d/bench-$$which/build-seconds); c=$$(cat $$d/bench-$$which/build-cpu-seconds); \
	    if [ $$which = gcc ]; then gcc_s=$$(echo "$$gcc_s + $$s" | bc); gcc_c=$$(echo "$$gcc_c + $$c" | bc); \
	    else pv_s=$$(echo "$$pv_s + $$s" | bc); pv_c=$$(echo "$$pv_c + $$c" | bc); fi; \
	  done; \
	done; \
	wall=$$(echo "scale=3; $$pv_s / $$gcc_s" | bc); cpu=$$(echo "scale=3; $$pv_c / $$gcc_c" | bc); \
	rounds=$$([ $(LINUX_BENCH_ROUNDS) = 1 ] || echo ", sums of $(LINUX_BENCH_ROUNDS) rounds"); \
	echo "bench-linux-build: $(LINUX_CONFIG) bzImage -j$(LINUX_JOBS), from clean$$rounds:"; \
	echo "bench-linux-build:   wall  gcc $$gcc_s s, pv-gcc $$pv_s s, ratio $$wall"; \
	echo "bench-linux-build:   CPU   gcc $$gcc_c s, pv-gcc $$pv_c s, ratio $$cpu (goal <= $(LINUX_BUILD_RATIO_GOAL))"; \
	if [ "$$(echo "$$cpu <= $(LINUX_BUILD_RATIO_GOAL)" | bc)" = 1 ]; then echo "bench-linux-build: goal met"; \
	else echo "bench-linux-build: goal missed"; exit 1; fi
BENCHES += bench-linux-build
include test/linux/bench.mk
