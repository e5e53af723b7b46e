# SPDX-License-Identifier: GPL-3.0-or-later
# docs/sensitive-instructions.md is generated from include/previrt/sensitive.def
# by `pv-as --print-table=markdown`; test-docs fails when it is stale.
MANPAGES := $(wildcard docs/*.1)

.PHONY: docs install-docs test-docs
docs: $(BIN)/pv-as
	$(BIN)/pv-as --print-table=markdown > docs/sensitive-instructions.md

test-docs: $(BIN)/pv-as
	$(Q)$(BIN)/pv-as --print-table=markdown | diff -u docs/sensitive-instructions.md - \
	  || { echo "docs/sensitive-instructions.md is stale: run 'make docs'"; exit 1; }

install-docs:
	$(Q)mkdir -p $(DESTDIR)$(MANDIR)/man1
	$(Q)for m in $(MANPAGES); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done

TESTS += test-docs
INSTALL_TARGETS += install-docs
