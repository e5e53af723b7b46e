# SPDX-License-Identifier: GPL-3.0-or-later
# libprevirt-common: the sensitive-instruction table and its matcher, shared
# by pv-as and elfrewrite.
COMMON_SRCS := $(wildcard common/*.cc)
COMMON_LIB := $(BUILD)/lib/libprevirt-common.a

$(COMMON_LIB): $(COMMON_SRCS:%.cc=$(OBJ)/%.o)
	$(call say,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
