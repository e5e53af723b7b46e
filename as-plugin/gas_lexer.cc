// SPDX-License-Identifier: GPL-3.0-or-later
#include "gas_lexer.hh"

#include <cctype>

namespace previrt {

std::vector<Statement> GasLexer::split(std::string_view line) {
  std::vector<Statement> out;
  split(line, &out);
  return out;
}

void GasLexer::split(std::string_view line, std::vector<Statement> *statements) {
  std::vector<Statement> &out = *statements;
  out.clear();
  blanked_.assign(line.data(), line.size());
  std::string &blanked = blanked_;
  size_t stmt_begin = 0;
  size_t i = 0;
  bool line_comment = false;

  auto close_statement = [&](size_t end) {
    Statement s;
    s.begin = stmt_begin;
    s.end = end;
    s.text = std::string_view(blanked).substr(stmt_begin, end - stmt_begin);
    if (!trim_space(s.text).empty()) out.push_back(s);
  };

  // '/' as the first non-blank character starts a line comment (x86 ELF
  // line_comment_chars), unless it opens a /* */ comment.
  if (!in_block_comment_) {
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line[first] == '/' &&
        (first + 1 >= line.size() || line[first + 1] != '*'))
      return;
  }

  while (i < line.size()) {
    char c = line[i];
    if (in_block_comment_) {
      if (c == '*' && i + 1 < line.size() && line[i + 1] == '/') {
        blanked[i] = blanked[i + 1] = ' ';
        in_block_comment_ = false;
        i += 2;
      } else {
        blanked[i] = ' ';
        ++i;
      }
      continue;
    }
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '*') {
      in_block_comment_ = true;
      blanked[i] = blanked[i + 1] = ' ';
      i += 2;
      continue;
    }
    if (c == '#') {
      line_comment = true;
      break;
    }
    if (c == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') i += (line[i] == '\\') ? 2 : 1;
      ++i;
      continue;
    }
    if (c == '\'') {
      // A character constant: the quote and the next (possibly escaped) char.
      i += 1;
      if (i < line.size()) i += (line[i] == '\\') ? 2 : 1;
      continue;
    }
    if (c == ';') {
      close_statement(i);
      stmt_begin = i + 1;
      ++i;
      continue;
    }
    ++i;
  }
  size_t end = line_comment ? i : std::min(i, line.size());
  close_statement(end);
}

}  // namespace previrt
