// SPDX-License-Identifier: GPL-3.0-or-later
// pv-as's own modes that expose the sensitive-instruction table:
//   --print-table=markdown|tsv   the table (docs/sensitive-instructions.md)
//   --classify[=32|64]           classify disassembly lines read from stdin
#pragma once

#include <iosfwd>
#include <string>

namespace previrt {

// Returns false for an unknown format.
bool print_table(std::ostream &out, const std::string &format);

// Reads lines "ADDRESS<TAB>INSTRUCTION" (objdump -d style instruction text,
// AT&T) and prints "ADDRESS<TAB>CLASS" for each sensitive one.
void classify_lines(std::istream &in, std::ostream &out, int code_bits);

}  // namespace previrt
