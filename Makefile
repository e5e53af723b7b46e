# SPDX-License-Identifier: GPL-3.0-or-later
# previrt top-level build. Each area of the tree adds its own rules in a
# build.mk fragment; this file holds the shared conventions.
#
#   make              build the tools into build/bin/
#   make test         every test tier CI runs
#   make bench        benchmarks (ratios against a baseline measured in the same run)
#   make demo         the main job on the bundled example
#   make install      PREFIX=/usr/local DESTDIR=
#
# Honoured: CC CXX CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LDLIBS PREFIX DESTDIR,
# V=1 (show commands), WERROR=1 (warnings are errors).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CXXFLAGS ?= -O2 -g
CFLAGS ?= -O2 -g

BUILD := build
BIN := $(BUILD)/bin
OBJ := $(BUILD)/obj

WARNINGS := -Wall -Wextra -Wno-unused-parameter
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif

PV_CPPFLAGS := -I. -Iinclude -Icommon $(CPPFLAGS)
PV_CXXFLAGS := -std=c++17 $(WARNINGS) $(CXXFLAGS) -MMD -MP
PV_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS) -MMD -MP

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2);
endif

.DEFAULT_GOAL := all
.PHONY: all test bench demo install deps clean check-deps
.SUFFIXES:

# Fragments append to these.
TOOLS :=
TESTS :=
BENCHES :=
INSTALL_TARGETS :=
UNIT_TEST_BINS :=
CATCH_MAIN := $(OBJ)/test/unit/catch_main.o

# Host C++ objects: build/obj/<path>.o from <path>.cc
$(OBJ)/%.o: %.cc
	$(call say,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(PV_CPPFLAGS) $(PV_CXXFLAGS) -c -o $@ $<

$(OBJ)/%.o: %.c
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(PV_CPPFLAGS) $(PV_CFLAGS) -c -o $@ $<

include common/build.mk
include as-plugin/build.mk
-include vmm/build.mk
-include hypervisors/build.mk
-include elfrewrite/build.mk
include test/build.mk
-include test/guest/build.mk
-include test/linux/build.mk
-include test/xen/build.mk
include test/identity/build.mk
include scripts/build.mk
include docs/build.mk

all: $(TOOLS)

# Installs missing Debian packages (a no-op when everything is there).
deps:
	$(Q)scripts/install-deps

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-tests $(TESTS)

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-tests --bench $(BENCHES)

install: all $(INSTALL_TARGETS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
