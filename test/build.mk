# SPDX-License-Identifier: GPL-3.0-or-later
# Test tiers. Areas append Catch2 binaries to UNIT_TEST_BINS and make targets
# to TESTS; `make test` runs every target in TESTS through scripts/run-tests.
CATCH_MAIN := $(OBJ)/test/unit/catch_main.o
UNIT_TEST_BINS :=

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
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)
UNIT_TEST_BINS += $(BIN)/test-as-plugin
test-unit: $(BIN)/test-as-plugin
