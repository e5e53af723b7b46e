# SPDX-License-Identifier: GPL-3.0-or-later
# elfrewrite tests: Catch2 unit tests, golden tests on fixtures linked at
# fixed addresses, round trip and idempotence, coverage diagnostics, and
# the invalid-input corpus (test/invalid/).
ER_FIX := test/elfrewrite/fixtures
ER_OUT := $(BUILD)/test/elfrewrite
ER_LD64 := ld -m elf_x86_64 --build-id=none -z noexecstack -z max-page-size=0x1000 -Ttext=0x401000 -e _start
ER_LD32 := ld -m elf_i386 --build-id=none -z noexecstack -z max-page-size=0x1000 -Ttext=0x8049000 -e _start

# Hand-annotated fixtures (sites written as pv-as writes them).
ER_HAND := basic unannotated nostack small altinstr plain prefixpad
ER_FIXTURES := $(ER_HAND:%=$(ER_OUT)/%.elf) $(ER_OUT)/i386.elf $(ER_OUT)/pvas-kernel.elf \
               $(ER_OUT)/pvas-allclasses.elf $(ER_OUT)/pvas32-allclasses32.elf \
               $(ER_OUT)/pvas-userrun.elf $(ER_OUT)/kernel-layout.elf $(ER_OUT)/pvgcc-pie \
               $(ER_OUT)/basic.o $(ER_OUT)/unannotated.o $(ER_OUT)/i386.o \
               $(ER_OUT)/pvas-kernel.o $(ER_OUT)/pvas-allclasses.o

$(ER_OUT)/%.o: $(ER_FIX)/%.s $(ER_FIX)/preamble.inc
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)as --64 -I $(ER_FIX) -o $@ $<
$(ER_OUT)/i386.o: $(ER_FIX)/i386.s $(ER_FIX)/preamble.inc
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)as --32 -I $(ER_FIX) -o $@ $<
# Fixtures assembled by pv-as from plain assembly.
$(ER_OUT)/pvas-%.o: $(ER_FIX)/pvas/%.s $(BIN)/pv-as
	$(call say,PV-AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BIN)/pv-as --64 -o $@ $<
$(ER_OUT)/pvas32-%.o: $(ER_FIX)/pvas/%.s $(BIN)/pv-as
	$(call say,PV-AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BIN)/pv-as --32 -o $@ $<
$(ER_OUT)/pvas32-%.elf: $(ER_OUT)/pvas32-%.o
	$(call say,LD,$@)
	$(Q)$(ER_LD32) -o $@ $<
# A PIE C program compiled and linked by pv-gcc (dynamic, with PT_PHDR).
$(ER_OUT)/pvgcc-pie: $(ER_FIX)/pvgcc/pie.c $(BIN)/pv-gcc $(BIN)/pv-as
	$(call say,PV-GCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BIN)/pv-gcc -O2 -o $@ $<
# basic.o linked like a kernel: top-2-GiB virtual addresses, other physical.
$(ER_OUT)/kernel-layout.elf: $(ER_OUT)/basic.o $(ER_FIX)/kernel-layout.ld
	$(call say,LD,$@)
	$(Q)ld -m elf_x86_64 --build-id=none -z noexecstack -z max-page-size=0x1000 \
	  --no-warn-rwx-segments -T $(ER_FIX)/kernel-layout.ld -o $@ $<
$(ER_OUT)/i386.elf: $(ER_OUT)/i386.o
	$(call say,LD,$@)
	$(Q)$(ER_LD32) -o $@ $<
$(ER_OUT)/%.elf: $(ER_OUT)/%.o
	$(call say,LD,$@)
	$(Q)$(ER_LD64) -o $@ $<
.PRECIOUS: $(ER_OUT)/%.o $(ER_OUT)/pvas-%.o $(ER_OUT)/pvas32-%.o

.PHONY: elfrewrite-fixtures test-elfrewrite-golden test-elfrewrite-roundtrip \
        test-elfrewrite-verify test-elfrewrite-invalid test-elfrewrite-unit \
        test-elfrewrite-run
elfrewrite-fixtures: $(ER_FIXTURES)

test-elfrewrite-golden: $(BIN)/elfrewrite elfrewrite-fixtures
	$(Q)python3 test/elfrewrite/golden.py $(BIN)/elfrewrite $(ER_OUT) test/elfrewrite/golden

test-elfrewrite-roundtrip: $(BIN)/elfrewrite elfrewrite-fixtures
	$(Q)python3 test/elfrewrite/roundtrip.py $(BIN)/elfrewrite $(ER_OUT)

test-elfrewrite-verify: $(BIN)/elfrewrite elfrewrite-fixtures
	$(Q)python3 test/elfrewrite/verify.py $(BIN)/elfrewrite $(ER_OUT)

# The test target's output run as a Linux program: sites call the VMM,
# which counts them.
test-elfrewrite-run: $(BIN)/elfrewrite elfrewrite-fixtures
	$(Q)python3 test/elfrewrite/run_test_target.py $(BIN)/elfrewrite $(ER_OUT)

test-elfrewrite-invalid: $(BIN)/elfrewrite elfrewrite-fixtures
	$(Q)python3 test/invalid/generate.py $(ER_OUT) $(ER_OUT)/invalid $(BIN)/elfrewrite
	$(Q)python3 test/invalid/run.py $(BIN)/elfrewrite $(ER_OUT)/invalid test/invalid/expected.txt

# Unit tests of the pure parts (no files, no processes); test-unit runs them.
ER_UNIT_SRCS := $(wildcard test/elfrewrite/unit/*.cc)
$(OBJ)/test/elfrewrite/unit/%.o: PV_CPPFLAGS += -Ielfrewrite $(LIBELF_CFLAGS)
$(BIN)/test-elfrewrite: $(ER_UNIT_SRCS:%.cc=$(OBJ)/%.o) $(CATCH_MAIN) $(ELFREWRITE_LIB) $(COMMON_LIB)
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(ELFREWRITE_LDLIBS) $(LDLIBS)
UNIT_TEST_BINS += $(BIN)/test-elfrewrite
test-elfrewrite-unit: $(BIN)/test-elfrewrite
	$(Q)$(BIN)/test-elfrewrite

TESTS += test-elfrewrite-golden test-elfrewrite-roundtrip \
         test-elfrewrite-verify test-elfrewrite-run test-elfrewrite-invalid

# Fuzz targets (libFuzzer, clang, ASan+UBSan): `make fuzz` builds them and
# runs each for FUZZ_SECONDS on a seed corpus of the fixtures and the
# invalid corpus. Everything is rebuilt with the sanitizers under
# build/fuzz/; libelf and libopcodes are the system's.
FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 30
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
ER_FUZZ_LIB_SRCS := $(ELFREWRITE_SRCS) $(COMMON_SRCS) test/elfrewrite/fuzz/fuzz_pipeline.cc
ER_FUZZ_LIB_OBJS := $(ER_FUZZ_LIB_SRCS:%.cc=$(FUZZ_DIR)/obj/%.o)
$(FUZZ_DIR)/obj/%.o: %.cc
	$(call say,FUZZCXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CXX) -std=c++17 -Iinclude -Icommon -Ielfrewrite $(LIBELF_CFLAGS) $(FUZZ_FLAGS) \
	  -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
ER_FUZZERS := $(FUZZ_DIR)/elf_loader_fuzz $(FUZZ_DIR)/site_table_fuzz
# A static pattern rule names the objects explicitly, so make rebuilds them
# when they are missing or their headers changed (-MMD below).
$(ER_FUZZERS): $(FUZZ_DIR)/%: test/elfrewrite/fuzz/%.cc $(ER_FUZZ_LIB_OBJS) \
               $(OBJ)/elfrewrite/backends/test_vmm_object.o
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CXX) -std=c++17 -Iinclude -Icommon -Ielfrewrite -Itest/elfrewrite/fuzz $(FUZZ_FLAGS) \
	  -fsanitize=fuzzer -o $@ $^ $(ELFREWRITE_LDLIBS)
.PRECIOUS: $(FUZZ_DIR)/obj/%.o
-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

.PHONY: fuzz fuzz-elfrewrite
fuzz: fuzz-elfrewrite
fuzz-elfrewrite: $(ER_FUZZERS) elfrewrite-fixtures $(BIN)/elfrewrite
	$(Q)python3 test/invalid/generate.py $(ER_OUT) $(ER_OUT)/invalid $(BIN)/elfrewrite
	$(Q)mkdir -p $(FUZZ_DIR)/corpus/elf_loader $(FUZZ_DIR)/corpus/site_table
	$(Q)cp $(ER_OUT)/*.elf $(ER_OUT)/invalid/*.elf $(FUZZ_DIR)/corpus/elf_loader/
	$(Q)$(FUZZ_DIR)/elf_loader_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	  -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus/elf_loader
	$(Q)$(FUZZ_DIR)/site_table_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	  -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus/site_table

# Benchmark: elfrewrite --verify, --list and --target against objdump -d on
# the pv-gcc Linux vmlinux (test/linux/build.mk builds it), in the same run.
# Goal: --verify in at most half of objdump's time. RUNS sets the runs of
# each command (best wall time; largest max RSS).
.PHONY: bench-elfrewrite test-elfrewrite-bench-smoke
bench-elfrewrite: $(BIN)/elfrewrite linux-pv-gcc
	$(Q)test/bench/elfrewrite-vs-objdump $(BIN)/elfrewrite $(LINUX_PV_OUT)/vmlinux
BENCHES += bench-elfrewrite

# The benchmark script itself, on small fixtures (well under a second).
test-elfrewrite-bench-smoke: $(BIN)/elfrewrite elfrewrite-fixtures
	$(Q)test/bench/elfrewrite-vs-objdump-test $(BIN)/elfrewrite $(ER_OUT)
TESTS += test-elfrewrite-bench-smoke

# Runtime replacement code (.altinstructions) and a NOSTACK RIP-relative
# site; and the pv-gcc Linux 6.1 vmlinux through --target=test and xen:
# native round trip (whole file), --verify, and Linux's boot-time copies of
# replacement sites redone and checked (linux_roundtrip.py, about 2 s once
# the kernel is built).
ER_FIXTURES += $(ER_OUT)/alternatives.elf $(ER_OUT)/nostack-riprel.elf
# (prerequisites are expanded where a rule is read: name them here too)
elfrewrite-fixtures: $(ER_OUT)/alternatives.elf $(ER_OUT)/nostack-riprel.elf
.PHONY: test-elfrewrite-alternatives test-elfrewrite-linux-roundtrip
test-elfrewrite-alternatives: $(BIN)/elfrewrite $(ER_OUT)/alternatives.elf
	$(Q)python3 test/elfrewrite/linux_roundtrip.py $(BIN)/elfrewrite $(ER_OUT)/alternatives.elf \
	  $(ER_OUT)/alternatives
test-elfrewrite-linux-roundtrip: $(BIN)/elfrewrite linux-pv-gcc
	$(Q)python3 test/elfrewrite/linux_roundtrip.py $(BIN)/elfrewrite $(LINUX_PV_OUT)/vmlinux \
	  $(ER_OUT)/linux-roundtrip
TESTS += test-elfrewrite-alternatives test-elfrewrite-linux-roundtrip

# NOSTACK sites of the test target run as a Linux program (stub per site).
ER_FIXTURES += $(ER_OUT)/nostack-run.elf
.PHONY: test-elfrewrite-run-nostack
test-elfrewrite-run-nostack: $(BIN)/elfrewrite $(ER_OUT)/nostack-run.elf
	$(Q)python3 test/elfrewrite/run_test_nostack.py $(BIN)/elfrewrite $(ER_OUT)
TESTS += test-elfrewrite-run-nostack
