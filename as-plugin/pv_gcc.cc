// SPDX-License-Identifier: GPL-3.0-or-later
// pv-gcc: a drop-in for gcc that assembles through pv-as. It runs the real
// gcc with the caller's arguments unchanged, plus `-B <dir>` where <dir>
// holds an `as` that is pv-as, so build systems see gcc's own behaviour.
//
// The real compiler is PV_CC, else `<prefix>gcc` in PATH when invoked as
// `<prefix>pv-gcc` (e.g. x86_64-linux-gnu-pv-gcc), never pv-gcc itself.
// PV_EXCLUDE (colon-separated globs) matching a source or output name
// compiles that file with the real gcc alone.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <cstdlib>
#include <filesystem>

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
    write_stderr(std::string(kTool) + ": error: cannot find " + name + " in PATH (set PV_CC)\n");
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

// Asks gcc which assembler it runs.
std::string query_gcc_assembler(const std::string &gcc) {
  TempDir tmp("pv-gcc-");
  std::string out_path = tmp.path() + "/as";
  int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(out_path + ": " + std::strerror(errno));
  std::string as = "as";
  ProcessResult r = run_process(gcc, {gcc, "-print-prog-name=as"}, -1, true, fd);
  close(fd);
  if (r.exit_code == 0) {
    std::string text = read_file(out_path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (!text.empty()) as = text;
  }
  return as;
}

// The assembler gcc would run: an absolute path, or a name gcc looks up in
// PATH (then pv-as does the same, skipping itself). Asking gcc costs a
// process per compilation, a noticeable share of a kernel build, so the
// answer is cached per gcc binary (path, inode, size, time) in
// $XDG_CACHE_HOME/previrt (or ~/.cache/previrt) when that is writable.
std::string gcc_assembler(const std::string &gcc) {
  struct stat st;
  std::string canon = canonical_path(gcc);
  std::string cache_dir = env_string("XDG_CACHE_HOME");
  if (cache_dir.empty() && !env_string("HOME").empty()) cache_dir = env_string("HOME") + "/.cache";
  if (canon.empty() || cache_dir.empty() || stat(canon.c_str(), &st) != 0) return query_gcc_assembler(gcc);
  std::string key = canon + "|" + std::to_string(st.st_ino) + "|" + std::to_string(st.st_size) + "|" +
                    std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  std::string path = cache_dir + "/previrt/as-of-" + std::to_string(std::hash<std::string>{}(key));
  try {
    std::string cached = read_file(path);
    // The key is stored too, so a hash collision is never taken for a hit.
    size_t nl = cached.find('\n');
    if (nl != std::string::npos && cached.substr(0, nl) == key && cached.size() > nl + 1)
      return cached.substr(nl + 1);
  } catch (const std::exception &) {
  }
  std::string as = query_gcc_assembler(gcc);
  std::error_code ec;
  fs::create_directories(cache_dir + "/previrt", ec);
  std::string tmp = path + "." + std::to_string(getpid());
  try {
    write_file(tmp, key + "\n" + as);
    if (rename(tmp.c_str(), path.c_str()) != 0) unlink(tmp.c_str());
  } catch (const std::exception &) {
    unlink(tmp.c_str());  // no cache: fine, the answer is still right
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
        write_stderr(std::string(kTool) + ": error: " + (as_dir / "as").string() +
                     " is missing (a broken installation)\n");
        return 1;
      }
      if (env_string("PV_REAL_AS").empty()) setenv("PV_REAL_AS", gcc_assembler(gcc.program).c_str(), 1);
      cmd.push_back("-B");
      cmd.push_back(as_dir.string() + "/");
    }
    cmd.insert(cmd.end(), args.begin(), args.end());
    exec_or_die(kTool, gcc.program, cmd);
  } catch (const std::exception &e) {
    write_stderr(std::string(kTool) + ": error: " + e.what() + "\n");
    return 1;
  }
}
