# SPDX-License-Identifier: GPL-3.0-or-later
# elfrewrite --target=xen and --target=xen-trap, checked structurally on the
# test guest (every class), a fixture with one site of each form, a kernel
# layout (top 2 GiB) fixture, and refusals (check_xen_target.py).
ER_XEN_OUT := $(BUILD)/test/elfrewrite/xen

$(ER_XEN_OUT)/%.o: test/elfrewrite/xen/%.s test/elfrewrite/fixtures/preamble.inc
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)as --64 -I test/elfrewrite/fixtures -o $@ $<
$(ER_XEN_OUT)/%.elf: $(ER_XEN_OUT)/%.o
	$(call say,LD,$@)
	$(Q)$(ER_LD64) -o $@ $<
.PRECIOUS: $(ER_XEN_OUT)/%.o
# The same linked at 4 GiB: its descriptors are out of reach of a pushq imm32.
$(ER_XEN_OUT)/xen-high.elf: $(ER_XEN_OUT)/xen-forms.o
	$(call say,LD,$@)
	$(Q)ld -m elf_x86_64 --build-id=none -z noexecstack -z max-page-size=0x1000 \
	  -Ttext=0x100001000 -e _start -o $@ $<

.PHONY: test-elfrewrite-xen
test-elfrewrite-xen: $(BIN)/elfrewrite elfrewrite-fixtures $(BUILD)/guest/pv.elf \
                     $(OBJ)/elfrewrite/backends/xen_vmm.o $(ER_XEN_OUT)/xen-forms.elf \
                     $(ER_XEN_OUT)/xen-high.elf $(ER_XEN_OUT)/xen-undecodable.elf
	$(Q)python3 test/elfrewrite/xen/check_xen_target.py $(BIN)/elfrewrite $(BUILD)/guest/pv.elf \
	  $(OBJ)/elfrewrite/backends/xen_vmm.o $(BUILD)/test/elfrewrite $(ER_XEN_OUT)
TESTS += test-elfrewrite-xen
