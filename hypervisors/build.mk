# SPDX-License-Identifier: GPL-3.0-or-later
# Hypervisor backends: freestanding objects linked into guest images.
#
# Xen (64-bit PV, Xen 4.17):
#   $(XEN_BACKEND_OBJS)  entry, hypercall page, console, shutdown, traps, events
#   $(XEN_BACKEND_OBJ)   the same as one relocatable object (ld -r), for a
#                        link that places the VMM at an address of its choice
#   $(XEN_NOTES_OBJ)     the Xen ELF notes, kept apart so that any image
#                        (a rewritten kernel) can take them alone
#   $(XEN_PV_LDS)        link layout of a standalone PV image
#   $(XEN_GUEST_CFLAGS)  flags for freestanding C that includes the backend
#   $(call xen-pv-link,OUT,OBJS[,BASE])  links a standalone PV image, at
#                        XEN_VIRT_BASE BASE if given (e.g. 0 to link low)
#   $(call xen-notes-obj[,BASE])  the notes object for that base
#
# Xen's public headers come from libxen-dev (XEN_PUBLIC_INCLUDE/xen).  The
# compiler sees them through a directory that holds only a link to that xen/
# tree, so that no host C library header can leak into guest code.

XEN_PUBLIC_INCLUDE ?= /usr/include
XEN_INCLUDE_DIR := $(BUILD)/include/xen-public
XEN_INCLUDE_STAMP := $(XEN_INCLUDE_DIR)/xen/xen.h

XEN_GUEST_FREESTANDING := -ffreestanding -fno-pic -fno-pie -mno-red-zone -mno-sse -mno-mmx \
  -mno-80387 -mcmodel=kernel -fno-stack-protector -fno-asynchronous-unwind-tables \
  -fcf-protection=none -nostdinc -isystem $(shell $(CC) -print-file-name=include)
XEN_GUEST_CPPFLAGS := -Ihypervisors/xen -I$(XEN_INCLUDE_DIR)
XEN_GUEST_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS) -MMD -MP $(XEN_GUEST_FREESTANDING) \
  $(XEN_GUEST_CPPFLAGS)
XEN_GUEST_ASFLAGS := -D__ASSEMBLY__ -MMD -MP $(XEN_GUEST_FREESTANDING) $(XEN_GUEST_CPPFLAGS)
XEN_GUEST_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --build-id=none --no-warn-rwx-segments

XEN_OBJ := $(OBJ)/hypervisors/xen
XEN_BACKEND_OBJS := $(addprefix $(XEN_OBJ)/,start.o hypercall-page.o boot.o console.o \
  events.o event-entry.o traps.o traps-entry.o)
XEN_BACKEND_OBJ := $(XEN_OBJ)/xen-backend.o
XEN_NOTES_OBJ := $(XEN_OBJ)/xen-notes.o
XEN_PV_LDS := hypervisors/xen/xen-pv.lds

$(XEN_INCLUDE_STAMP):
	$(Q)test -f $(XEN_PUBLIC_INCLUDE)/xen/xen.h \
	  || { echo "hypervisors: $(XEN_PUBLIC_INCLUDE)/xen/xen.h: missing (install libxen-dev)"; exit 1; }
	$(Q)mkdir -p $(XEN_INCLUDE_DIR)
	$(Q)ln -sfn $(abspath $(XEN_PUBLIC_INCLUDE))/xen $(XEN_INCLUDE_DIR)/xen

# Freestanding guest objects (more specific than the host pattern rules).
$(XEN_OBJ)/%.o: hypervisors/xen/%.c | $(XEN_INCLUDE_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XEN_GUEST_CFLAGS) -c -o $@ $<

$(XEN_OBJ)/%.o: hypervisors/xen/%.S | $(XEN_INCLUDE_STAMP)
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XEN_GUEST_ASFLAGS) -c -o $@ $<

$(XEN_BACKEND_OBJ): $(XEN_BACKEND_OBJS)
	$(call say,LD,$@)
	$(Q)$(LD) -r -o $@.tmp $^ && mv -f $@.tmp $@

# Notes for another XEN_VIRT_BASE: xen-notes-base<BASE>.o.
$(XEN_OBJ)/xen-notes-base%.o: hypervisors/xen/xen-notes.S | $(XEN_INCLUDE_STAMP)
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XEN_GUEST_ASFLAGS) -DXEN_VIRT_BASE=$* -c -o $@ $<

.PRECIOUS: $(XEN_OBJ)/xen-notes-base%.o
xen-notes-obj = $(if $(1),$(XEN_OBJ)/xen-notes-base$(1).o,$(XEN_NOTES_OBJ))

# $(call xen-pv-link,OUT,OBJS[,BASE]): a standalone PV image from OBJS, the
# backend and the notes, linked at XEN_VIRT_BASE BASE (default: the top 2 GiB).
define xen-pv-link
	$(call say,LD,$(1))
	$(Q)mkdir -p $(dir $(1))
	$(Q)$(LD) $(XEN_GUEST_LDFLAGS) $(if $(3),--defsym=XEN_VIRT_BASE=$(3)) -T $(XEN_PV_LDS) \
	  -o $(1).tmp $(2) $(XEN_BACKEND_OBJ) $(call xen-notes-obj,$(3)) && mv -f $(1).tmp $(1)
endef

.PHONY: xen-backend
xen-backend: $(XEN_BACKEND_OBJ) $(XEN_NOTES_OBJ)

# ---- the VMM for rewritten images -------------------------------------------
# $(XEN_VMM_OBJ): one relocatable object with the VMM core (vmm/), the Xen
# backend and the glue between them; elfrewrite --target=xen links it into
# an image at an address of its choice and defines the previrt_* symbols it
# leaves undefined (vmm_abi.h).
XEN_VMM_GLUE_OBJS := $(addprefix $(XEN_OBJ)/,vmm-main.o vmm-memory.o vmm-backend.o vmm-traps.o \
  vmm-entry.o)
XEN_VMM_OBJ := $(XEN_OBJ)/xen-vmm.o
$(XEN_VMM_GLUE_OBJS): XEN_GUEST_CPPFLAGS += $(VMM_INCLUDES)
$(XEN_VMM_GLUE_OBJS): XEN_GUEST_CFLAGS += $(VMM_INCLUDES)
$(XEN_VMM_OBJ): $(VMM_OBJ) $(XEN_BACKEND_OBJS) $(XEN_VMM_GLUE_OBJS)
	$(call say,LD,$@)
	$(Q)$(LD) -r -o $@.tmp $^ && mv -f $@.tmp $@
TOOLS += $(XEN_VMM_OBJ)
