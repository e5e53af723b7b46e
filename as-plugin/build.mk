# SPDX-License-Identifier: GPL-3.0-or-later
# pv-as (assembler pre-processor) and pv-gcc (compiler driver). pv-gcc finds
# pv-as as <bindir>/../libexec/previrt/as, which gcc runs through -B.
AS_PLUGIN_LIB_SRCS := as-plugin/gas_lexer.cc as-plugin/annotator.cc as-plugin/site_text.cc \
                      as-plugin/encoded_length.cc \
                      as-plugin/as_command_line.cc as-plugin/process.cc as-plugin/table_report.cc
AS_PLUGIN_LIB := $(BUILD)/lib/libprevirt-as.a
AS_LIBEXEC := $(BUILD)/libexec/previrt
# pv-gcc and pv-as run once per compilation of a whole kernel: linking the C++
# runtime statically saves about 0.4 ms of dynamic linking per process.
AS_PLUGIN_LDFLAGS := -static-libstdc++ -static-libgcc
# pv-gcc needs nothing from the C library that a static program lacks (no
# name service, no dlopen): linked statically it starts without the dynamic
# linker at all, about 0.25 ms sooner. Sanitizer builds cannot be static.
# pv-as stays dynamic: it loads libopcodes when a `.byte` needs decoding.
PV_GCC_LDFLAGS := $(if $(findstring -fsanitize,$(LDFLAGS) $(CXXFLAGS)),$(AS_PLUGIN_LDFLAGS),-static)

$(AS_PLUGIN_LIB): $(AS_PLUGIN_LIB_SRCS:%.cc=$(OBJ)/%.o)
	$(call say,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN)/pv-as: $(OBJ)/as-plugin/pv_as.o $(AS_PLUGIN_LIB) $(COMMON_LIB)
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(AS_PLUGIN_LDFLAGS) $(LDFLAGS) -o $@ $^ $(OPCODES_DLOPEN_LIBS) $(LDLIBS)

$(BIN)/pv-gcc: $(OBJ)/as-plugin/pv_gcc.o $(AS_PLUGIN_LIB) $(COMMON_LIB) $(AS_LIBEXEC)/as
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(PV_GCC_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(AS_LIBEXEC)/as: | $(BIN)/pv-as
	$(Q)mkdir -p $(@D)
	$(Q)ln -sf ../../bin/pv-as $@

TOOLS += $(BIN)/pv-as $(BIN)/pv-gcc

.PHONY: install-as-plugin
install-as-plugin: $(BIN)/pv-as $(BIN)/pv-gcc
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/previrt $(DESTDIR)$(INCLUDEDIR)/previrt
	$(Q)install -m 755 $(BIN)/pv-as $(BIN)/pv-gcc $(DESTDIR)$(BINDIR)/
	$(Q)ln -sf $(shell realpath -m --relative-to=$(LIBEXECDIR)/previrt $(BINDIR))/pv-as \
	  $(DESTDIR)$(LIBEXECDIR)/previrt/as
	$(Q)install -m 644 include/previrt/sites.h include/previrt/sensitive.def \
	  $(DESTDIR)$(INCLUDEDIR)/previrt/
INSTALL_TARGETS += install-as-plugin

.PHONY: test-as-plugin-golden
test-as-plugin-golden: $(BIN)/pv-as
	$(Q)test/golden/run-as-plugin-golden
TESTS += test-as-plugin-golden

.PHONY: test-pv-gcc-dropin
test-pv-gcc-dropin: $(BIN)/pv-gcc $(BIN)/pv-as
	$(Q)test/golden/run-pv-gcc-dropin
TESTS += test-pv-gcc-dropin

.PHONY: bench-pv-as
bench-pv-as: $(BIN)/pv-as
	$(Q)test/bench/pv-as-vs-as $(abspath $(BIN)/pv-as) $(LINUX_PV_OUT)/pv-keep
BENCHES += bench-pv-as
