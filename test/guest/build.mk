# SPDX-License-Identifier: MIT
# The test guest (test/guest/): a freestanding 64-bit kernel booted through a
# PVH note. Three builds of the same sources:
#   build/guest/plain.elf   compiled with $(GUEST_CC) (gcc)
#   build/guest/pv.elf      compiled with build/bin/pv-gcc (annotated sites)
#   build/guest/broken-*.elf  plain, each with one deliberate kernel bug
#                           (GUEST_BROKEN_*), so test-guest can prove that
#                           the checks fail, and how

GUEST_DIR := test/guest
GUEST_OUT := $(BUILD)/guest
GUEST_SRCS := $(wildcard $(GUEST_DIR)/boot/*.S) $(wildcard $(GUEST_DIR)/*.S) \
	$(wildcard $(GUEST_DIR)/*.c) $(wildcard $(GUEST_DIR)/tests/*.c)
GUEST_LDS := $(GUEST_DIR)/guest.ld

# Freestanding: no host headers, no red zone (interrupts push on the kernel
# stack), no SSE/MMX/x87 state, absolute addressing below 2 GiB (the image is
# linked at 1 MiB, so -mcmodel=small without PIC is what -mcmodel=kernel is
# for a kernel linked at -2 GiB). The user's CFLAGS are not applied: hosted
# hardening flags (-fstack-protector, _FORTIFY_SOURCE, -fPIE) break a
# freestanding kernel; add guest flags with GUEST_EXTRA_CFLAGS. Plain and pv
# builds use the same flags, so they differ only in the site padding.
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-ffreestanding -fno-pic -fno-pie -mno-red-zone -mno-sse -mno-mmx -mno-80387 \
	-mcmodel=small -nostdinc -fno-stack-protector -fno-builtin -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns -MMD -MP \
	-I$(GUEST_DIR)/include $(GUEST_EXTRA_CFLAGS)
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,-T,$(GUEST_LDS)

# The plain build uses the compiler pv-gcc drives (gcc), so that plain and pv
# builds differ only in the site padding.
GUEST_CC ?= gcc

# $(call guest_build,variant,compiler,extra cflags,compiler prerequisite)
define guest_build
GUEST_OBJS_$(1) := $$(patsubst $(GUEST_DIR)/%,$(GUEST_OUT)/$(1)/%.o,$$(GUEST_SRCS))
$(GUEST_OUT)/$(1)/%.c.o: $(GUEST_DIR)/%.c $(4)
	$$(call say,GUESTCC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$(2) $$(GUEST_CFLAGS) $(3) -c -o $$@ $$<
$(GUEST_OUT)/$(1)/%.S.o: $(GUEST_DIR)/%.S $(4)
	$$(call say,GUESTAS,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$(2) $$(GUEST_CFLAGS) $(3) -c -o $$@ $$<
$(GUEST_OUT)/$(1).elf: $$(GUEST_OBJS_$(1)) $(GUEST_LDS) $(4)
	$$(call say,GUESTLD,$$@)
	$$(Q)$(2) $$(GUEST_CFLAGS) $(3) $$(GUEST_LDFLAGS) -o $$@.tmp $$(GUEST_OBJS_$(1)) && mv $$@.tmp $$@
-include $$(GUEST_OBJS_$(1):.o=.d)
endef

$(eval $(call guest_build,plain,$(GUEST_CC),,))
$(eval $(call guest_build,pv,$(BIN)/pv-gcc,,$(BIN)/pv-gcc $(BIN)/pv-as))
# Deliberate bugs: a system call handler returning a wrong value, TSS.rsp0
# on the wrong stack, the double-fault gate without its IST stack, every
# page a user page.
GUEST_BROKEN := echo rsp0 ist user-pages
$(eval $(call guest_build,broken-echo,$(GUEST_CC),-DGUEST_BROKEN_ECHO,))
$(eval $(call guest_build,broken-rsp0,$(GUEST_CC),-DGUEST_BROKEN_RSP0,))
$(eval $(call guest_build,broken-ist,$(GUEST_CC),-DGUEST_BROKEN_IST,))
$(eval $(call guest_build,broken-user-pages,$(GUEST_CC),-DGUEST_BROKEN_USER_PAGES,))

.PHONY: guest guest-plain test-guest bench-guest
GUEST_BROKEN_ELFS := $(GUEST_BROKEN:%=$(GUEST_OUT)/broken-%.elf)
guest: $(GUEST_OUT)/plain.elf $(GUEST_OUT)/pv.elf $(GUEST_BROKEN_ELFS)
guest-plain: $(GUEST_OUT)/plain.elf $(GUEST_BROKEN_ELFS)

test-guest: guest
	$(Q)$(GUEST_DIR)/scripts/test-guest $(GUEST_OUT)

bench-guest: guest
	$(Q)$(GUEST_DIR)/scripts/bench-guest $(GUEST_OUT)/plain.elf $(GUEST_OUT)/pv.elf

TESTS += test-guest
BENCHES += bench-guest

# The guest's pure logic (formatter, command line) compiled for the host and
# unit-tested with Catch2 in test-unit.
GUEST_HOST_OBJS := $(OBJ)/$(GUEST_DIR)/format.o $(OBJ)/$(GUEST_DIR)/cmdline.o
$(GUEST_HOST_OBJS): PV_CPPFLAGS += -I$(GUEST_DIR)/include
$(BIN)/test-guest-lib: $(OBJ)/$(GUEST_DIR)/unit/guest_lib_test.o $(GUEST_HOST_OBJS) $(CATCH_MAIN)
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TEST_BINS += $(BIN)/test-guest-lib
test-unit: $(BIN)/test-guest-lib
