# SPDX-License-Identifier: GPL-3.0-or-later
# libprevirt-common: the sensitive-instruction table and its matcher, shared
# by pv-as and elfrewrite.
# libprevirt-common: also the one x86 decoding facade over libopcodes
# (x86_decoder.cc); whatever links it and decodes needs $(OPCODES_LIBS).
COMMON_SRCS := $(filter-out common/opcodes_api_check.cc,$(wildcard common/*.cc))
OPCODES_LIBS := -lopcodes -lbfd

# Fails early, with a clear message, when the installed binutils-dev does
# not have the libopcodes API the decoder is written against.
OPCODES_API_STAMP := $(OBJ)/common/opcodes_api_check.stamp
$(OPCODES_API_STAMP): common/opcodes_api_check.cc
	$(call say,CHECK,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(PV_CPPFLAGS) -std=c++17 -fsyntax-only $< && touch $@
$(OBJ)/common/x86_decoder.o: $(OPCODES_API_STAMP)
COMMON_LIB := $(BUILD)/lib/libprevirt-common.a

$(COMMON_LIB): $(COMMON_SRCS:%.cc=$(OBJ)/%.o)
	$(call say,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
