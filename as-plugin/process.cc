// SPDX-License-Identifier: GPL-3.0-or-later
#include "process.hh"

#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace previrt {

namespace {
std::vector<char *> c_argv(const std::vector<std::string> &argv) {
  std::vector<char *> out;
  for (const auto &a : argv) out.push_back(const_cast<char *>(a.c_str()));
  out.push_back(nullptr);
  return out;
}
}  // namespace

ProcessResult run_process(const std::string &program, const std::vector<std::string> &argv,
                          const std::optional<std::string> &stdin_path, bool capture_stderr,
                          int stdout_fd) {
  ProcessResult result;
  // Capture into an unlinked temporary file: no pipe can fill up and block.
  FILE *err_file = capture_stderr ? std::tmpfile() : nullptr;
  if (capture_stderr && !err_file) throw std::runtime_error("cannot create a temporary file");
  int in_fd = -1;
  if (stdin_path) {
    in_fd = open(stdin_path->c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) throw std::runtime_error(*stdin_path + ": " + std::strerror(errno));
  }
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (in_fd >= 0) dup2(in_fd, 0);
    if (stdout_fd >= 0) dup2(stdout_fd, 1);
    if (err_file) dup2(fileno(err_file), 2);
    auto args = c_argv(argv);
    execvp(program.c_str(), args.data());
    std::fprintf(stderr, "%s: %s\n", program.c_str(), std::strerror(errno));
    _exit(127);
  }
  if (in_fd >= 0) close(in_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  else result.exit_code = 1;
  if (err_file) {
    std::rewind(err_file);
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, err_file)) > 0) result.captured_stderr.append(buf, n);
    std::fclose(err_file);
  }
  return result;
}

void exec_or_die(const std::string &tool, const std::string &program,
                 const std::vector<std::string> &argv) {
  auto args = c_argv(argv);
  fflush(nullptr);
  execvp(program.c_str(), args.data());
  std::fprintf(stderr, "%s: cannot run %s: %s\n", tool.c_str(), program.c_str(),
               std::strerror(errno));
  std::exit(1);
}

std::string canonical_path(const std::string &path) {
  char buf[PATH_MAX];
  if (!realpath(path.c_str(), buf)) return {};
  return buf;
}

std::optional<std::string> find_in_path(const std::string &name,
                                        const std::vector<std::string> &not_these) {
  const char *path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) != 0) continue;
    std::string canon = canonical_path(candidate);
    bool excluded = false;
    for (const auto &n : not_these)
      if (!n.empty() && canon == n) excluded = true;
    if (!excluded) return candidate;
  }
  return std::nullopt;
}

std::string self_executable() { return canonical_path("/proc/self/exe"); }

std::string read_file(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  struct stat st;
  std::string data;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) data.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      throw std::runtime_error(path + ": " + std::strerror(e));
    }
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return data;
}

std::string read_stdin() {
  std::string data;
  char buf[65536];
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("standard input: ") + std::strerror(errno));
    }
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

void write_file(const std::string &path, const std::string &data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": " + std::strerror(errno));
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) throw std::runtime_error(path + ": write error (disk full?)");
}

TempDir::TempDir(const std::string &prefix) {
  const char *tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data()))
    throw std::runtime_error(templ + ": cannot create temporary directory: " + std::strerror(errno));
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string env_string(const char *name) {
  const char *v = std::getenv(name);
  return v ? v : "";
}

bool env_flag(const char *name) {
  std::string v = env_string(name);
  return !v.empty() && v != "0";
}

bool excluded_by_env(const std::vector<std::string> &names) {
  std::stringstream patterns(env_string("PV_EXCLUDE"));
  std::string pat;
  while (std::getline(patterns, pat, ':')) {
    if (pat.empty()) continue;
    for (const auto &n : names) {
      std::string base = std::filesystem::path(n).filename().string();
      if (fnmatch(pat.c_str(), n.c_str(), 0) == 0 || fnmatch(pat.c_str(), base.c_str(), 0) == 0)
        return true;
    }
  }
  return false;
}

}  // namespace previrt
