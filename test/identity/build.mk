# SPDX-License-Identifier: GPL-3.0-or-later
# The identity invariant on real corpora (see test/tools/object-identity):
#  - test-identity: gcc -S output of the project's own C and C++ sources;
#  - test-identity-linux: every file the pv-gcc Linux build assembled, kept by
#    PV_KEEP in $(LINUX_PV_OUT)/pv-keep (runs after test-linux built it).
.PHONY: test-identity test-identity-linux
test-identity: $(BIN)/pv-as
	$(Q)test/identity/project-corpus

test-identity-linux: $(BIN)/pv-as
	$(Q)if ! ls $(LINUX_PV_OUT)/pv-keep/*.orig.s >/dev/null 2>&1; then \
	  echo "test-identity-linux: no kept sources in $(LINUX_PV_OUT)/pv-keep (build the pv-gcc kernel from an empty output directory)"; exit 1; fi
	$(Q)test/tools/object-identity $(abspath $(BIN)/pv-as) --kept $(LINUX_PV_OUT)/pv-keep
TESTS += test-identity test-identity-linux
