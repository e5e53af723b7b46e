// SPDX-License-Identifier: GPL-3.0-or-later
// Splits GAS x86 source lines into statements the way GAS's input scrubber
// does: ';' separates statements, '#' starts a comment anywhere, '/' starts
// one at the beginning of a line, /* */ comments may span lines, and none of
// these count inside "strings" or 'c character constants.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sensitive_table.hh"

namespace previrt {

struct Statement {
  size_t begin = 0;  // offset of the statement's first byte in the line
  size_t end = 0;    // offset one past its last byte (before ';', comment or EOL)
  // The statement's bytes with comments blanked to spaces, so that offsets
  // into `text` are offsets into the line minus `begin`. Points into the
  // lexer's buffer: valid until its next split().
  std::string_view text;
};

class GasLexer {
 public:
  // Splits one physical line (without its newline). Block-comment state is
  // carried to the next call.
  std::vector<Statement> split(std::string_view line);
  // The same into `out` (cleared first), which keeps its storage: no
  // allocation per line.
  void split(std::string_view line, std::vector<Statement> *out);

  bool in_block_comment() const { return in_block_comment_; }

 private:
  bool in_block_comment_ = false;
  std::string blanked_;
};

}  // namespace previrt
