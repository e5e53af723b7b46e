# SPDX-License-Identifier: GPL-3.0-or-later
# Boot tests under real Xen 4.17 (scripts/run-xen).
#
#   test-xen-boot     a minimal PV kernel built from hypervisors/xen/ boots as
#                     dom0, prints its line, and its exit status (0, 3, 123)
#                     comes back from the runner; once more linked low
#   test-xen-timeout  a PV kernel that never exits is stopped by the runner's
#                     timeout, which returns its own status (124) in time

XEN_TEST_OUT := $(BUILD)/test/xen
XEN_TEST_OBJ := $(OBJ)/test/xen
OBJCOPY ?= objcopy

$(XEN_TEST_OBJ)/hello-%.o: test/xen/hello.c | $(XEN_INCLUDE_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XEN_GUEST_CFLAGS) -DHELLO_EXIT_STATUS=$* -c -o $@ $<

$(XEN_TEST_OBJ)/hang.o: test/xen/hang.c | $(XEN_INCLUDE_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XEN_GUEST_CFLAGS) -c -o $@ $<

$(XEN_TEST_OUT)/hello-%.elf: $(XEN_TEST_OBJ)/hello-%.o $(XEN_BACKEND_OBJ) $(XEN_NOTES_OBJ) $(XEN_PV_LDS)
	$(call xen-pv-link,$@,$<)

# The same guest linked low (XEN_VIRT_BASE 0, like test/guest's layout).
$(XEN_TEST_OUT)/hello-low-%.elf: $(XEN_TEST_OBJ)/hello-%.o $(XEN_BACKEND_OBJ) $(call xen-notes-obj,0) $(XEN_PV_LDS)
	$(call xen-pv-link,$@,$<,0)

$(XEN_TEST_OUT)/hang.elf: $(XEN_TEST_OBJ)/hang.o $(XEN_BACKEND_OBJ) $(XEN_NOTES_OBJ) $(XEN_PV_LDS)
	$(call xen-pv-link,$@,$<)

.PRECIOUS: $(XEN_TEST_OBJ)/hello-%.o

.PHONY: test-xen-boot test-xen-timeout
test-xen-boot: $(XEN_TEST_OUT)/hello-0.elf $(XEN_TEST_OUT)/hello-3.elf $(XEN_TEST_OUT)/hello-123.elf \
  $(XEN_TEST_OUT)/hello-low-3.elf
	$(Q)test/xen/check-boot $(XEN_TEST_OUT)

test-xen-timeout: $(XEN_TEST_OUT)/hang.elf
	$(Q)test/xen/check-timeout $(XEN_TEST_OUT)/hang.elf

TESTS += test-xen-boot test-xen-timeout

# test-xen-runner: the runner's own errors (bad image, bad option, an image
# Xen refuses, a guest that crashes) each give their documented status.
$(XEN_TEST_OBJ)/crash.o: test/xen/crash.c | $(XEN_INCLUDE_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XEN_GUEST_CFLAGS) -c -o $@ $<

$(XEN_TEST_OUT)/crash.elf: $(XEN_TEST_OBJ)/crash.o $(XEN_BACKEND_OBJ) $(XEN_NOTES_OBJ) $(XEN_PV_LDS)
	$(call xen-pv-link,$@,$<)

# The same hello image with its Xen notes stripped: Xen must refuse it.
$(XEN_TEST_OUT)/no-notes.elf: $(XEN_TEST_OUT)/hello-0.elf
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) --remove-section .note.Xen $< $@.tmp && mv -f $@.tmp $@

# test-xen-timer: VIRQ_TIMER upcalls through the event-channel layer.
# test-xen-traps: exceptions through the trap table and the trap hook.
$(XEN_TEST_OBJ)/timer.o $(XEN_TEST_OBJ)/traps.o: $(XEN_TEST_OBJ)/%.o: test/xen/%.c | $(XEN_INCLUDE_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XEN_GUEST_CFLAGS) -c -o $@ $<

$(XEN_TEST_OUT)/timer.elf $(XEN_TEST_OUT)/traps.elf: $(XEN_TEST_OUT)/%.elf: $(XEN_TEST_OBJ)/%.o \
  $(XEN_BACKEND_OBJ) $(XEN_NOTES_OBJ) $(XEN_PV_LDS)
	$(call xen-pv-link,$@,$<)

.PHONY: test-xen-runner test-xen-timer test-xen-traps
test-xen-timer: $(XEN_TEST_OUT)/timer.elf
	$(Q)test/xen/check-timer $<

test-xen-traps: $(XEN_TEST_OUT)/traps.elf
	$(Q)test/xen/check-traps $<

TESTS += test-xen-timer test-xen-traps

test-xen-runner: $(XEN_TEST_OUT)/crash.elf $(XEN_TEST_OUT)/no-notes.elf
	$(Q)test/xen/check-runner $(XEN_TEST_OUT)

TESTS += test-xen-runner

# test-xen-notes: the notes of the images above are consistent with their
# layout (test/xen/check-notes reads the ELF), and an image whose notes
# were assembled for another base is caught.
$(XEN_TEST_OUT)/bad-base.elf: $(XEN_TEST_OBJ)/hello-0.o $(XEN_BACKEND_OBJ) $(call xen-notes-obj,0) $(XEN_PV_LDS)
	$(call say,LD,$@)
	$(Q)$(LD) $(XEN_GUEST_LDFLAGS) -T $(XEN_PV_LDS) -o $@.tmp $< $(XEN_BACKEND_OBJ) \
	  $(call xen-notes-obj,0) && mv -f $@.tmp $@

.PHONY: test-xen-notes
test-xen-notes: $(XEN_TEST_OUT)/hello-0.elf $(XEN_TEST_OUT)/hello-low-3.elf $(XEN_TEST_OUT)/bad-base.elf
	$(Q)test/xen/check-notes $(XEN_TEST_OUT)/hello-0.elf --virt-base 0xffffffff80000000
	$(Q)test/xen/check-notes $(XEN_TEST_OUT)/hello-low-3.elf --virt-base 0
	$(Q)if test/xen/check-notes $(XEN_TEST_OUT)/bad-base.elf >$(XEN_TEST_OUT)/bad-base.out; then \
	  echo "  FAIL     check-notes accepted $(XEN_TEST_OUT)/bad-base.elf"; exit 1; fi; \
	grep -q 'p_paddr .* is not its p_vaddr' $(XEN_TEST_OUT)/bad-base.out \
	  || { echo "  FAIL     check-notes: wrong complaint for bad-base.elf:"; cat $(XEN_TEST_OUT)/bad-base.out; exit 1; }; \
	echo "  ok       $(XEN_TEST_OUT)/bad-base.elf: rejected: $$(head -n 1 $(XEN_TEST_OUT)/bad-base.out)"

TESTS += test-xen-notes

# test-xen-guest: the test guest rewritten with --target=xen and xen-trap
# runs under Xen with the native transcript; round trip; fault injection.
.PHONY: test-xen-guest
test-xen-guest: $(BIN)/elfrewrite $(GUEST_OUT)/pv.elf
	$(Q)test/xen/check-guest $(BIN)/elfrewrite $(GUEST_OUT)/pv.elf $(XEN_TEST_OUT)/guest
TESTS += test-xen-guest

# bench-xen-guest (make bench): the test guest's benchmarks natively (plain,
# pv) and rewritten under Xen (xen, xen-trap), under -icount.
.PHONY: bench-xen-guest
bench-xen-guest: $(BIN)/elfrewrite $(GUEST_OUT)/plain.elf $(GUEST_OUT)/pv.elf
	$(Q)test/xen/bench-guest $(BIN)/elfrewrite $(GUEST_OUT)/plain.elf $(GUEST_OUT)/pv.elf \
	  $(XEN_TEST_OUT)/bench-guest
BENCHES += bench-xen-guest

# test-xen-linux: the pv-gcc tiny vmlinux (test/linux/build.mk), rewritten
# with --target=xen, boots under Xen through the in-place VMM to its
# initramfs's /init, which prints its marker, and reboots with status 0.
.PHONY: test-xen-linux
test-xen-linux: $(BIN)/elfrewrite linux-pv-gcc $(BUILD)/linux/initramfs.cpio.gz
	$(Q)test/xen/check-linux $(BIN)/elfrewrite $(BUILD)/linux/tiny-pv-gcc/vmlinux \
	  $(BUILD)/linux/initramfs.cpio.gz $(XEN_TEST_OUT)/linux
TESTS += test-xen-linux
