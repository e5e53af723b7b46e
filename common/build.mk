# SPDX-License-Identifier: GPL-3.0-or-later
# libprevirt-common: the sensitive-instruction table and its matcher, shared
# by pv-as and elfrewrite.
# libprevirt-common: also the one x86 decoding facade over libopcodes
# (x86_decoder.cc). The facade loads libopcodes on first use, by its SONAME,
# so a program that decodes only now and then starts without it: such a
# program links $(OPCODES_DLOPEN_LIBS). Linking $(OPCODES_LIBS) instead
# loads the library at start, and the facade uses that copy.
COMMON_SRCS := $(filter-out common/opcodes_api_check.cc,$(wildcard common/*.cc))
OPCODES_LIBS := -lopcodes -lbfd
OPCODES_DLOPEN_LIBS := -ldl
OPCODES_SONAME := $(shell objdump -p "$$($(CXX) -print-file-name=libopcodes.so)" 2>/dev/null | \
                    sed -n 's/^ *SONAME *//p')
$(OBJ)/common/x86_decoder.o: PV_CPPFLAGS += $(if $(OPCODES_SONAME),-DPV_OPCODES_SONAME='"$(OPCODES_SONAME)"')

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
