// SPDX-License-Identifier: GPL-3.0-or-later
// pv-gcc: a drop-in for gcc that assembles through pv-as. It runs the real
// gcc with the caller's arguments unchanged, plus `-B <dir>` where <dir>
// holds an `as` that is pv-as, so build systems see gcc's own behaviour.
//
// The real compiler is PV_CC, else `<prefix>gcc` in PATH when invoked as
// `<prefix>pv-gcc` (e.g. x86_64-linux-gnu-pv-gcc), never pv-gcc itself.
// PV_EXCLUDE (colon-separated globs) matching a source or output name
// compiles that file with the real gcc alone.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "as_command_line.hh"
#include "process.hh"

using namespace previrt;
namespace fs = std::filesystem;

namespace {

constexpr const char *kTool = "pv-gcc";

// The real compiler: the program to run and the argv[0] it gets (the name as
// a user would type it, so gcc's messages and COLLECT_GCC look as usual).
struct RealGcc {
  std::string program;
  std::string argv0;
};

RealGcc real_gcc(const std::string &argv0) {
  std::string name = env_string("PV_CC");
  if (name.find('/') != std::string::npos) return {name, name};
  if (name.empty()) {
    std::string base = fs::path(argv0).filename().string();
    size_t at = base.rfind("pv-gcc");
    name = (at != std::string::npos ? base.substr(0, at) : std::string()) + "gcc";
  }
  auto found = find_in_path(name, {self_executable()});
  if (!found) {
    std::cerr << kTool << ": error: cannot find " << name << " in PATH (set PV_CC)\n";
    std::exit(1);
  }
  return {*found, name};
}

// Queries that must answer exactly as gcc does, untouched by -B.
bool is_query(const std::vector<std::string> &args) {
  if (args.empty()) return true;
  for (const auto &a : args) {
    if (a.rfind("-print-", 0) == 0 || a.rfind("--print-", 0) == 0 || a.rfind("-dump", 0) == 0 ||
        a == "--version" || a == "--help" || a.rfind("--help=", 0) == 0 || a == "--target-help")
      return true;
  }
  return args.size() == 1 && (args[0] == "-v" || args[0] == "-###");
}

// Source and output names of a compilation, for PV_EXCLUDE.
bool excluded(const std::vector<std::string> &args) {
  std::vector<std::string> names;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) names.push_back(args[++i]);
    else if (!args[i].empty() && args[i][0] != '-') names.push_back(args[i]);
  }
  return excluded_by_env(names);
}

// The assembler gcc would run: an absolute path, or a name gcc looks up in
// PATH (then pv-as does the same, skipping itself).
std::string gcc_assembler(const std::string &gcc) {
  TempDir tmp("pv-gcc-");
  std::string out_path = tmp.path() + "/as";
  std::string cmd = "'" + gcc + "' -print-prog-name=as > '" + out_path + "' 2>/dev/null";
  std::string as = "as";
  if (std::system(cmd.c_str()) == 0) {
    std::string text = read_file(out_path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (!text.empty()) as = text;
  }
  return as;
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    RealGcc gcc = real_gcc(argv[0]);
    std::vector<std::string> cmd = {gcc.argv0};
    if (!is_query(args) && !excluded(expand_response_files(args))) {
      fs::path self = self_executable();
      fs::path as_dir = self.parent_path().parent_path() / "libexec" / "previrt";
      if (!fs::exists(as_dir / "as")) {
        std::cerr << kTool << ": error: " << (as_dir / "as").string()
                  << " is missing (a broken installation)\n";
        return 1;
      }
      if (env_string("PV_REAL_AS").empty()) setenv("PV_REAL_AS", gcc_assembler(gcc.program).c_str(), 1);
      cmd.push_back("-B");
      cmd.push_back(as_dir.string() + "/");
    }
    cmd.insert(cmd.end(), args.begin(), args.end());
    exec_or_die(kTool, gcc.program, cmd);
  } catch (const std::exception &e) {
    std::cerr << kTool << ": error: " << e.what() << "\n";
    return 1;
  }
}
