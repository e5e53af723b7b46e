// SPDX-License-Identifier: GPL-3.0-or-later
#include "process.hh"

#include <fcntl.h>
#include <fnmatch.h>
#include <spawn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
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

namespace {

// Rewinds a descriptor that a program is about to read from the start.
void rewind_fd(int fd) {
  if (fd >= 0 && lseek(fd, 0, SEEK_SET) < 0)
    throw std::runtime_error(std::string("lseek: ") + std::strerror(errno));
}

// Everything in descriptor `fd` from its start.
std::string read_all(int fd) {
  std::string data;
  char buf[8192];
  off_t at = 0;
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return data;
}

void write_all(int fd, const std::string &data, const char *what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

}  // namespace

// posix_spawn rather than fork: the child shares the parent's memory until
// it execs, so no page tables are copied. It runs once per compilation.
ProcessResult run_process(const std::string &program, const std::vector<std::string> &argv,
                          int stdin_fd, bool capture_stderr, int stdout_fd) {
  ProcessResult result;
  // Capture into an anonymous file: no pipe can fill up and block.
  int err_fd = -1;
  if (capture_stderr) {
    err_fd = memfd_create("stderr", MFD_CLOEXEC);
    if (err_fd < 0)
      throw std::runtime_error(std::string("cannot create a temporary file: ") + std::strerror(errno));
  }
  rewind_fd(stdin_fd);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  auto args = c_argv(argv);
  fflush(nullptr);
  pid_t pid = 0;
  int spawn_error = posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    std::string message = program + ": " + std::strerror(spawn_error) + "\n";
    if (err_fd >= 0) {
      result.captured_stderr = message;
      close(err_fd);
    } else {
      std::fputs(message.c_str(), stderr);
    }
    result.exit_code = 127;
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  else result.exit_code = 1;
  if (err_fd >= 0) {
    result.captured_stderr = read_all(err_fd);
    close(err_fd);
  }
  return result;
}

void exec_or_die(const std::string &tool, const std::string &program,
                 const std::vector<std::string> &argv, int stdin_fd) {
  auto args = c_argv(argv);
  fflush(nullptr);
  if (stdin_fd >= 0) {
    rewind_fd(stdin_fd);
    if (dup2(stdin_fd, 0) < 0)
      throw std::runtime_error(std::string("dup2: ") + std::strerror(errno));
  }
  execvp(program.c_str(), args.data());
  std::fprintf(stderr, "%s: cannot run %s: %s\n", tool.c_str(), program.c_str(),
               std::strerror(errno));
  std::exit(1);
}

int memory_file(const char *name, const std::string &data) {
  int fd = memfd_create(name, 0);
  if (fd < 0)
    throw std::runtime_error(std::string("cannot create a temporary file: ") + std::strerror(errno));
  write_all(fd, data, "temporary file");
  return fd;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

std::string canonical_path(const std::string &path) {
  char buf[PATH_MAX];
  if (!realpath(path.c_str(), buf)) return {};
  return buf;
}

std::optional<std::string> find_in_path(const std::string &name,
                                        const std::vector<std::string> &not_these) {
  const char *path = std::getenv("PATH");
  for (std::string dir : split_colon_list(path ? path : "/usr/bin:/bin")) {
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
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0 || done < data.size())
    throw std::runtime_error(path + ": write error (disk full?)");
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

void write_stderr(const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
}

std::vector<std::string> split_colon_list(const std::string &list) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < list.size()) {
    size_t colon = list.find(':', start);
    if (colon == std::string::npos) colon = list.size();
    parts.push_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  return parts;
}

bool excluded_by_env(const std::vector<std::string> &names) {
  for (const std::string &pat : split_colon_list(env_string("PV_EXCLUDE"))) {
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
