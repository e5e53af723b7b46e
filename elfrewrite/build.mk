# SPDX-License-Identifier: GPL-3.0-or-later
# elfrewrite: the library (ELF model, site table, verifier,
# passes, backends) in build/lib/libelfrewrite.a, the CLI in build/bin, and
# its tests.
ELFREWRITE_SRCS := $(filter-out elfrewrite/main.cc,\
                     $(wildcard elfrewrite/*.cc elfrewrite/backends/*.cc))
ELFREWRITE_OBJS := $(ELFREWRITE_SRCS:%.cc=$(OBJ)/%.o) $(OBJ)/elfrewrite/backends/test_vmm_object.o \
                   $(OBJ)/elfrewrite/backends/xen_vmm_object.o $(OBJ)/vmm/decode.o
ELFREWRITE_LIB := $(BUILD)/lib/libelfrewrite.a
LIBELF_CFLAGS := $(shell pkg-config --cflags libelf 2>/dev/null)
LIBELF_LIBS := $(shell pkg-config --libs libelf 2>/dev/null || echo -lelf)
ELFREWRITE_LDLIBS := $(OPCODES_LIBS) $(LIBELF_LIBS) -lboost_program_options

$(OBJ)/elfrewrite/%.o: PV_CPPFLAGS += -Ielfrewrite -Ivmm/include $(LIBELF_CFLAGS)
# The VMM's decoder (MIT, freestanding C), compiled for the host: the xen
# targets build their site descriptors with it.
$(OBJ)/vmm/decode.o: PV_CPPFLAGS += -Ivmm/include

# The targets' VMMs are relocatable objects, embedded as bytes (the array
# pv_<name>_object and its size) and linked into each image by elfrewrite's
# VMM linker: the test target's (backends/test_vmm.S) and the xen targets'
# ($(XEN_VMM_OBJ), hypervisors/build.mk) without its debug sections, which
# the VMM linker ignores anyway.
$(OBJ)/elfrewrite/backends/test_vmm.o: elfrewrite/backends/test_vmm.S
	$(call say,AS,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -c -o $@ $<
OBJCOPY ?= objcopy
$(OBJ)/elfrewrite/backends/xen_vmm.o: $(XEN_VMM_OBJ)
	$(call say,OBJCOPY,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(OBJCOPY) --strip-debug $< $@
$(OBJ)/elfrewrite/backends/%_object.c: $(OBJ)/elfrewrite/backends/%.o
	$(call say,GEN,$@)
	$(Q){ echo '/* SPDX-License-Identifier: MIT */'; \
	  echo '/* Generated: the bytes of $(notdir $<), a VMM object elfrewrite links. */'; \
	  echo 'const unsigned char pv_$*_object[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo "const unsigned long pv_$*_object_size = sizeof pv_$*_object;"; } > $@.tmp \
	  && mv -f $@.tmp $@
.PRECIOUS: $(OBJ)/elfrewrite/backends/%_object.c
$(OBJ)/elfrewrite/backends/%_object.o: $(OBJ)/elfrewrite/backends/%_object.c
	$(call say,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(ELFREWRITE_LIB): $(ELFREWRITE_OBJS)
	$(call say,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN)/elfrewrite: $(OBJ)/elfrewrite/main.o $(ELFREWRITE_LIB) $(COMMON_LIB)
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(ELFREWRITE_LDLIBS) $(LDLIBS)

TOOLS += $(BIN)/elfrewrite

.PHONY: install-elfrewrite
install-elfrewrite: $(BIN)/elfrewrite
	$(Q)install -d $(DESTDIR)$(BINDIR)
	$(Q)install -m 755 $(BIN)/elfrewrite $(DESTDIR)$(BINDIR)/
INSTALL_TARGETS += install-elfrewrite

-include test/elfrewrite/build.mk

# The fuzz build compiles every backend, so it needs what the xen ones use.
$(ER_FUZZERS): $(OBJ)/elfrewrite/backends/xen_vmm_object.o $(OBJ)/vmm/decode.o
$(FUZZ_DIR)/obj/elfrewrite/%.o: FUZZ_CXX += -Ivmm/include
-include test/elfrewrite/xen/build.mk
