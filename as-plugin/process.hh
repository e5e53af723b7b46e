// SPDX-License-Identifier: GPL-3.0-or-later
// Running the real tools (as, gcc) and small file-system helpers.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace previrt {

struct ProcessResult {
  int exit_code = 0;          // 128+N when killed by signal N
  std::string captured_stderr;  // only when capture was requested
};

// Runs `program` (searched in PATH when it has no '/') with arguments
// `argv` (argv[0] as the program will see it), standard input from
// `stdin_fd` read from its start (or inherited when -1), and stderr captured
// when `capture_stderr` is set. `stdout_fd`, when not -1, becomes the
// program's standard output. A program that cannot be started exits 127
// with "program: reason" on its standard error, as a shell would report it.
// Throws when no process can be made.
ProcessResult run_process(const std::string &program, const std::vector<std::string> &argv,
                          int stdin_fd, bool capture_stderr, int stdout_fd = -1);

// Replaces the current process with `program` and argv, with standard input
// from `stdin_fd` read from its start (or inherited when -1); returns only
// on failure.
[[noreturn]] void exec_or_die(const std::string &tool, const std::string &program,
                              const std::vector<std::string> &argv, int stdin_fd = -1);

// An anonymous in-memory file holding `data`; `name` only shows in
// /proc. Programs this one runs inherit the descriptor, so they can open
// it as fd_path(fd). Throws on failure.
int memory_file(const char *name, const std::string &data);

// The name under which a program run by this one opens inherited descriptor
// `fd` ("/proc/self/fd/N"; it exists only where /proc is mounted).
std::string fd_path(int fd);

// Absolute, symlink-free path, or empty when it does not exist.
std::string canonical_path(const std::string &path);

// Searches PATH for an executable named `name` whose canonical path differs
// from every path in `not_these`.
std::optional<std::string> find_in_path(const std::string &name,
                                        const std::vector<std::string> &not_these);

// The canonical path of the running executable.
std::string self_executable();

std::string read_file(const std::string &path);  // throws std::runtime_error
std::string read_stdin();
void write_file(const std::string &path, const std::string &data);  // throws

// A private directory under $TMPDIR removed (with its files) on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string &prefix);
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

// Writes `text` to standard error as it is (one write). pv-as and pv-gcc
// print with this rather than std::cerr: a program that uses no C++ stream
// skips their set-up (locales), which costs each start about 0.1 ms.
void write_stderr(const std::string &text);

// The parts of a colon-separated list (PATH, PV_EXCLUDE) as std::getline
// splits it: empty parts stay, except after a trailing colon.
std::vector<std::string> split_colon_list(const std::string &list);

// The value of an environment variable, or "" when unset.
std::string env_string(const char *name);

// True when an environment variable is set to something other than "" or "0".
bool env_flag(const char *name);

// True when one of the colon-separated shell globs in PV_EXCLUDE matches one
// of `names`, as given or by its last path component.
bool excluded_by_env(const std::vector<std::string> &names);

}  // namespace previrt
