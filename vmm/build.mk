# SPDX-License-Identifier: GPL-3.0-or-later
# The in-place VMM core (vmm/), built twice from the same sources:
#
#   $(VMM_OBJ)        build/vmm/vmm.o: one relocatable object, freestanding
#                     kernel-style code (no libc, no red zone, no SSE,
#                     -mcmodel=kernel), that a backend and elfrewrite link
#                     into a guest image.  Its only interface to the outside
#                     is struct vmm_backend; it has no undefined symbols.
#   $(BIN)/test-vmm   Catch2 unit tests of the pure logic built for the host.
#
#   make vmm          the freestanding object
#   make test-vmm     unit tests + the freestanding object's symbol check
#                     (gcc, and clang when installed)

VMM_SRCS := vmm/vcpu.c vmm/boot.c vmm/linux_boot.c vmm/decode.c vmm/operand.c vmm/msr.c vmm/cpu_state.c vmm/emulate.c vmm/deliver.c vmm/guest_memory.c \
  vmm/interrupts.c vmm/paging.c vmm/shadow.c vmm/pic.c vmm/pit.c vmm/uart.c vmm/cmos.c vmm/ioport.c vmm/user_sites.c vmm/exit_fixup.c vmm/syscall.c vmm/traps.c
VMM_GUEST_ONLY_SRCS := vmm/site_entry.c vmm/entry.S
VMM_INCLUDES := -Ivmm/include -Iinclude

# ---- freestanding -------------------------------------------------------------
VMM_BUILD := $(BUILD)/vmm
VMM_OBJ := $(VMM_BUILD)/vmm.o
VMM_FREESTANDING := -ffreestanding -fno-pic -fno-pie -mno-red-zone -mno-sse -mno-mmx -mno-80387 \
  -mcmodel=kernel -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
  -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include)
VMM_GUEST_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS) -MMD -MP $(VMM_FREESTANDING) \
  -fstack-usage $(VMM_INCLUDES)
VMM_GUEST_OBJS := $(patsubst vmm/%,$(VMM_BUILD)/%,$(patsubst %.S,%.o,$(VMM_SRCS:.c=.o) \
  $(VMM_GUEST_ONLY_SRCS:.c=.o)))

$(VMM_BUILD)/%.o: vmm/%.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VMM_GUEST_CFLAGS) -c -o $@ $<

$(VMM_BUILD)/%.o: vmm/%.S
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -D__ASSEMBLY__ -MMD -MP $(VMM_FREESTANDING) $(VMM_INCLUDES) -c -o $@ $<

$(VMM_OBJ): $(filter-out $(VMM_OBJ),$(VMM_GUEST_OBJS))
	$(call say,LD,$@)
	$(Q)$(LD) -r -o $@.tmp $^ && mv -f $@.tmp $@

.PHONY: vmm
vmm: $(VMM_OBJ)
TOOLS += $(VMM_OBJ)

# ---- host unit tests ------------------------------------------------------------
# The entry code runs on the host too (in user mode the real IF is 1 and IOPL
# 0, as for a deprivileged guest kernel), so its tests execute it for real.
VMM_HOST_OBJS := $(VMM_SRCS:%.c=$(OBJ)/%.o) $(OBJ)/vmm/site_entry.o $(OBJ)/vmm/entry.o
VMM_UNIT_SRCS := $(wildcard test/unit/vmm/*.cc)
VMM_UNIT_OBJS := $(VMM_UNIT_SRCS:%.cc=$(OBJ)/%.o)
$(VMM_HOST_OBJS) $(VMM_UNIT_OBJS): PV_CPPFLAGS += -Ivmm/include

# test/build.mk (which defines CATCH_MAIN and starts UNIT_TEST_BINS afresh)
# is included after this fragment, so the Catch2 main is named by its path
# and the binary runs from its own target in TESTS.
VMM_CATCH_MAIN := $(OBJ)/test/unit/catch_main.o
$(OBJ)/vmm/entry.o: vmm/entry.S
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -D__ASSEMBLY__ -MMD -MP $(VMM_INCLUDES) -c -o $@ $<

$(BIN)/test-vmm: $(VMM_UNIT_OBJS) $(VMM_HOST_OBJS) $(VMM_CATCH_MAIN)
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The freestanding object links into any image: no undefined symbol (the
# backend is reached through struct vmm_backend), no host library, and the
# entry points elfrewrite targets are there.
.PHONY: test-vmm test-vmm-object
test-vmm-object: $(VMM_OBJ)
	$(Q)vmm/scripts/check-object $(VMM_OBJ)
	$(Q)if command -v clang >/dev/null; then \
	  $(MAKE) --no-print-directory -s VMM_BUILD=$(BUILD)/vmm-clang CC=clang $(BUILD)/vmm-clang/vmm.o \
	  && vmm/scripts/check-object $(BUILD)/vmm-clang/vmm.o; \
	else echo "test-vmm-object: clang not installed: the clang build was not checked"; fi
test-vmm: $(BIN)/test-vmm test-vmm-object
	$(Q)$(BIN)/test-vmm
TESTS += test-vmm

-include $(wildcard $(VMM_BUILD)/*.d)

# ---- fuzzing ---------------------------------------------------------------------
# `make fuzz-vmm` (also part of `make fuzz`): the decoder and the dispatcher
# under libFuzzer with ASan and UBSan, for VMM_FUZZ_SECONDS.
VMM_FUZZ_CC ?= clang
VMM_FUZZ_CXX ?= clang++
VMM_FUZZ_SECONDS ?= 30
VMM_FUZZ_DIR := $(BUILD)/fuzz/vmm
VMM_FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
  -fno-sanitize-recover=undefined -MMD -MP $(VMM_INCLUDES)
# The entry code too: the vCPU's pushf entry is an address in it.
VMM_FUZZ_OBJS := $(VMM_SRCS:vmm/%.c=$(VMM_FUZZ_DIR)/%.o) $(VMM_FUZZ_DIR)/site_entry.o \
  $(VMM_FUZZ_DIR)/entry.o $(VMM_FUZZ_DIR)/machine.o
VMM_FUZZER := $(VMM_FUZZ_DIR)/decode_dispatch_fuzz

$(VMM_FUZZ_DIR)/%.o: vmm/%.c
	$(call say,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMM_FUZZ_CC) -std=gnu11 $(VMM_FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(VMM_FUZZ_DIR)/entry.o: vmm/entry.S
	$(call say,FUZZAS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMM_FUZZ_CC) -D__ASSEMBLY__ $(VMM_INCLUDES) -c -o $@ $<
$(VMM_FUZZ_DIR)/machine.o: test/unit/vmm/machine.cc test/unit/vmm/machine.hh
	$(call say,FUZZCXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VMM_FUZZ_CXX) -std=c++17 $(VMM_FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(VMM_FUZZER): test/unit/vmm/fuzz/decode_dispatch_fuzz.cc $(VMM_FUZZ_OBJS)
	$(call say,FUZZLD,$@)
	$(Q)$(VMM_FUZZ_CXX) -std=c++17 $(VMM_FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $(filter %.cc %.o,$^)

.PHONY: fuzz fuzz-vmm
fuzz: fuzz-vmm
fuzz-vmm: $(VMM_FUZZER)
	$(Q)mkdir -p $(VMM_FUZZ_DIR)/corpus
	$(Q)$(VMM_FUZZER) -max_total_time=$(VMM_FUZZ_SECONDS) -timeout=10 \
	  -artifact_prefix=$(VMM_FUZZ_DIR)/ $(VMM_FUZZ_DIR)/corpus
# Header dependencies: a struct that changes must rebuild every fuzzer object
# (the fuzzer's own .d makes headers prerequisites of the binary too: its
# link takes only the sources and objects).
-include $(wildcard $(VMM_FUZZ_DIR)/*.d)
