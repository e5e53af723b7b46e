// SPDX-License-Identifier: GPL-3.0-or-later
// The assembly text pv-as adds: the once-per-file preamble (section and ABI
// note) and the wrapper around each site. The layout is specified in
// docs/annotations.md; elfrewrite and the VMM read what this emits.
#pragma once

#include <string>

namespace previrt {

struct SiteShape {
  int insn_class = 0;
  unsigned flags = 0;  // PV_SITE_*
  unsigned pad = 0;    // minimum site length; 0 = no padding at all
  // Pad with DS prefixes in front of the instruction (PV_ATTR_PREFIX_PAD)
  // rather than NOPs after it; then `insn_length` is the instruction's
  // length, which the annotator knows for the instructions it uses it for.
  bool prefix_pad = false;
  unsigned insn_length = 0;
  // Take PV_SITE_REPLACEMENT from the GAS symbol that section changes set
  // (replacement_state_text) instead of from `flags`: for sites in macro
  // bodies, whose section is known only where the macro expands.
  bool replacement_from_gas = false;
};

// The statement that records, for GAS, whether the current section is a
// replacement section (emitted after every section change).
std::string replacement_state_text(bool replacement);

// Producer string stored in the ABI note.
std::string producer_string();

// Defines the padding macro, declares .previrt_sites and emits the ABI note:
// several lines, the last without its newline. It is placed at the top of a
// file, before the line marker.
std::string preamble_text();

// Text placed right before the instruction (after any labels).
std::string site_prologue(const SiteShape &shape);

// Text placed right after the instruction, starting with a statement
// separator. Uses no double quotes, so it may sit inside a quoted macro
// argument.
std::string site_epilogue(const SiteShape &shape);

}  // namespace previrt
