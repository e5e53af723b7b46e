// SPDX-License-Identifier: GPL-3.0-or-later
// What pv-as needs to know of a GNU as command line: the input files (or
// standard input), the output object and the default code size. Everything
// else is passed to as unchanged.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace previrt {

struct AsCommandLine {
  std::vector<std::string> args;      // after @file expansion, without argv[0]
  std::vector<size_t> input_indices;  // positions in args of input files ("-" = stdin)
  bool reads_stdin = false;           // no input file given, or "-"/"--"
  std::string output = "a.out";
  int code_bits = 64;
  bool info_only = false;             // --version / --help: nothing is assembled
};

// Parses GNU as (x86) arguments. Throws std::runtime_error for an unreadable
// @file.
AsCommandLine parse_as_command_line(const std::vector<std::string> &args);

// Expands @file response files the way libiberty's expandargv does.
std::vector<std::string> expand_response_files(const std::vector<std::string> &args);

}  // namespace previrt
