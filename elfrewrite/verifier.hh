// SPDX-License-Identifier: GPL-3.0-or-later
// The verifier: per-record checks of the site table (what the rewriter
// relies on before it touches a byte) and the coverage check (an
// independent linear disassembly of every executable section finds no
// sensitive instruction outside a site).
#pragma once

#include <string>
#include <vector>

#include "elf_file.hh"
#include "error.hh"
#include "site_table.hh"

namespace elfrewrite {

// Checks every record: class and flags known, lengths consistent, the site
// inside one executable section and no other site, and its bytes decoding
// to exactly one instruction of the recorded class followed only by NOPs.
// One diagnostic per broken record (the first problem found in it).
Diagnostics verify_sites(const ElfFile &elf, const SiteTable &table);

// A rule excusing sensitive instructions outside sites: those in sections
// (or enclosing symbols) whose name matches a shell glob, optionally only of
// some classes. Each rule carries the reason the report prints.
struct Exclusion {
  enum class Kind { section, symbol };
  Kind kind = Kind::section;
  std::string pattern;               // fnmatch(3) glob
  std::vector<std::string> classes;  // class names; empty: every class
  std::string reason;
  size_t excused = 0;  // instructions this rule excused (set by check_coverage)
};

// Parses "PATTERN" or "PATTERN:REASON" (command-line form).
Exclusion parse_exclusion(Exclusion::Kind kind, const std::string &arg);
// Reads an exclusion list, one rule per line ('#' starts a comment):
//   section|symbol PATTERN [class=NAME,...] REASON...
// the format test/linux/coverage-exclusions uses for scripts/check-coverage.
Result<std::vector<Exclusion>> read_exclusion_file(const std::string &path);

struct CoverageStats {
  size_t sections = 0;      // executable sections scanned
  size_t instructions = 0;  // instructions decoded outside sites
  size_t sites = 0;         // sites skipped over as annotated
  size_t findings = 0;      // sensitive instructions neither annotated nor excused
  size_t excused = 0;
  struct Finding {
    uint64_t address;
    std::string class_name;
  };
  std::vector<Finding> found;  // the findings, in address order
};

// One diagnostic per sensitive instruction found outside a site and not
// excused by a rule, in address order: "func+0x1c: wrmsr not annotated".
Diagnostics check_coverage(const ElfFile &elf, const SiteTable &table,
                           std::vector<Exclusion> &exclusions, CoverageStats *stats);

}  // namespace elfrewrite
