// SPDX-License-Identifier: GPL-3.0-or-later
// Annotates GAS x86 source: every virtualization-sensitive instruction in
// 32- or 64-bit code of an executable section becomes a site (the
// instruction, NOP padding, and a record in .previrt_sites). Text is only
// ever inserted on the instruction's own line, so line numbers, line markers
// and .loc directives keep pointing at the user's source.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace previrt {

struct AnnotateOptions {
  int default_code_bits = 64;  // from --32 / --64 / --x32
  bool pad = true;             // false: emit sites without NOPs (identity checks)
};

struct SiteReport {
  size_t line = 0;             // 1-based physical line in the input
  std::string class_name;
  std::string instruction;     // the statement as written
  bool in_macro_body = false;
  bool from_macro_argument = false;
};

struct Diagnostic {
  size_t line = 0;
  std::string message;
};

struct AnnotateResult {
  std::string text;  // the annotated source, preamble not included; empty when no sites
  std::vector<SiteReport> sites;
  std::vector<Diagnostic> warnings;
};

AnnotateResult annotate(std::string_view source, const AnnotateOptions &options);

}  // namespace previrt
