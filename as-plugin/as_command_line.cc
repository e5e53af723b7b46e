// SPDX-License-Identifier: GPL-3.0-or-later
#include "as_command_line.hh"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace previrt {

namespace {

// GNU as options whose value may be the next argument.
bool takes_separate_value(const std::string &a) {
  static const char *const opts[] = {"-o", "-I", "--defsym", "--MD", "-MD", "--debug-prefix-map",
                                     "-march", "-mtune"};
  for (const char *o : opts)
    if (a == o) return true;
  return false;
}

std::vector<std::string> split_response_text(const std::string &text) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      cur += text[++i];
      have = true;
    } else if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (have) out.push_back(cur);
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) out.push_back(cur);
  return out;
}

}  // namespace

std::vector<std::string> expand_response_files(const std::vector<std::string> &args) {
  std::vector<std::string> out;
  for (const auto &a : args) {
    if (a.size() > 1 && a[0] == '@') {
      std::ifstream in(a.substr(1));
      if (!in) {
        out.push_back(a);  // like expandargv: an unreadable @file stays an argument
        continue;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      for (auto &x : expand_response_files(split_response_text(ss.str()))) out.push_back(x);
    } else {
      out.push_back(a);
    }
  }
  return out;
}

AsCommandLine parse_as_command_line(const std::vector<std::string> &raw) {
  AsCommandLine cl;
  cl.args = expand_response_files(raw);
  bool files_only = false;
  for (size_t i = 0; i < cl.args.size(); ++i) {
    const std::string &a = cl.args[i];
    if (!files_only && a == "--") {
      cl.reads_stdin = true;
      continue;
    }
    if (files_only || a == "-" || a.empty() || a[0] != '-') {
      cl.input_indices.push_back(i);
      if (a == "-") cl.reads_stdin = true;
      continue;
    }
    if (a == "--32") cl.code_bits = 32;
    else if (a == "--64" || a == "--x32") cl.code_bits = 64;
    else if (a == "--version" || a == "--help" || a.rfind("--target-help", 0) == 0) cl.info_only = true;
    if (a == "-o" && i + 1 < cl.args.size()) cl.output = cl.args[i + 1];
    else if (a.size() > 2 && a.compare(0, 2, "-o") == 0) cl.output = a.substr(2);
    if (takes_separate_value(a)) ++i;
  }
  if (cl.input_indices.empty()) cl.reads_stdin = true;
  return cl;
}

}  // namespace previrt
