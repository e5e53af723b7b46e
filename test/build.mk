# SPDX-License-Identifier: GPL-3.0-or-later
# Test tiers. Areas append Catch2 binaries to UNIT_TEST_BINS and make targets
# to TESTS; `make test` runs every target in TESTS through scripts/run-tests.

.PHONY: test-unit
test-unit: $(TOOLS)
	$(Q)set -e; for t in $(UNIT_TEST_BINS); do echo "  RUN      $$t"; $$t; done

# Sensitive-table and matcher tests (common/).
COMMON_UNIT_SRCS := $(wildcard test/unit/common/*.cc)
$(BIN)/test-common: $(COMMON_UNIT_SRCS:%.cc=$(OBJ)/%.o) $(CATCH_MAIN) $(COMMON_LIB)
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TEST_BINS += $(BIN)/test-common
test-unit: $(UNIT_TEST_BINS)

TESTS += test-unit

# pv-as's lexer and annotator.
AS_PLUGIN_UNIT_SRCS := $(wildcard test/unit/as-plugin/*.cc)
$(BIN)/test-as-plugin: $(AS_PLUGIN_UNIT_SRCS:%.cc=$(OBJ)/%.o) $(CATCH_MAIN) $(AS_PLUGIN_LIB) $(COMMON_LIB)
	$(call say,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(OPCODES_LIBS) $(LDLIBS)
UNIT_TEST_BINS += $(BIN)/test-as-plugin
test-unit: $(BIN)/test-as-plugin

# make install into a scratch DESTDIR: the installed pv-gcc finds its pv-as,
# and headers and man pages are in place.
.PHONY: test-install
test-install: $(TOOLS)
	$(Q)set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	$(MAKE) --no-print-directory -s install PREFIX=/opt/previrt DESTDIR=$$d; \
	for f in bin/pv-gcc bin/pv-as libexec/previrt/as include/previrt/sites.h include/previrt/sensitive.def \
	         share/man/man1/pv-gcc.1 share/man/man1/pv-as.1; do \
	  test -e $$d/opt/previrt/$$f || { echo "test-install: $$f missing"; exit 1; }; done; \
	printf 'void f(void){asm volatile("cli");}\n' > $$d/t.c; \
	$$d/opt/previrt/bin/pv-gcc -c $$d/t.c -o $$d/t.o; \
	readelf -S $$d/t.o | grep -q previrt_sites || { echo "test-install: installed pv-gcc made no site"; exit 1; }; \
	echo "test-install: installed tools work from $$d/opt/previrt"
TESTS += test-install

# The unit tests once more, built with AddressSanitizer and UBSan into
# $(BUILD)/sanitize (a separate tree, so the normal build is untouched).
SANITIZE_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                  -fno-omit-frame-pointer
.PHONY: test-unit-sanitizers
test-unit-sanitizers:
	$(Q)$(MAKE) --no-print-directory -s BUILD=$(BUILD)/sanitize CXXFLAGS="$(SANITIZE_FLAGS)" \
	  CFLAGS="$(SANITIZE_FLAGS)" LDFLAGS="-fsanitize=address,undefined" test-unit
TESTS += test-unit-sanitizers

# Every fuzz target for a bounded time on its checked-in seed corpus
# (`make fuzz` runs them as long as FUZZ_SECONDS says).
CI_FUZZ_SECONDS ?= 60
.PHONY: test-fuzz
test-fuzz:
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CI_FUZZ_SECONDS) VMM_FUZZ_SECONDS=$(CI_FUZZ_SECONDS)
TESTS += test-fuzz
