// SPDX-License-Identifier: GPL-3.0-or-later
#include "output_file.hh"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace elfrewrite {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// The temporary file being written, for the signal handler: a fatal signal
// during the write must not leave it behind.
char g_temp_path[4096];
volatile sig_atomic_t g_temp_live = 0;
const int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void remove_temp_and_die(int sig) {
  if (g_temp_live) unlink(g_temp_path);  // async-signal-safe
  std::signal(sig, SIG_DFL);
  raise(sig);
}

std::string directory_of(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Removes the temporary file unless released.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

Status write_file_atomically(const std::string &path, const std::vector<uint8_t> &bytes,
                             mode_t mode) {
  // A file-size limit (ulimit -f) must show up as EFBIG from write(), not
  // kill the process with SIGXFSZ before it can clean up.
  std::signal(SIGXFSZ, SIG_IGN);
  std::string dir = directory_of(path);
  std::string tmpl = path + ".tmpXXXXXX";
  int fd = mkstemp(tmpl.data());
  if (fd < 0)
    return error("cannot create a temporary file in " + dir + ": " + errno_text(errno));
  TempFile guard(tmpl);
  if (tmpl.size() < sizeof g_temp_path) {
    std::memcpy(g_temp_path, tmpl.c_str(), tmpl.size() + 1);
    g_temp_live = 1;
    for (int sig : kCleanupSignals) std::signal(sig, remove_temp_and_die);
  }
  struct Disarm {
    ~Disarm() {
      g_temp_live = 0;
      for (int sig : kCleanupSignals) std::signal(sig, SIG_DFL);
    }
  } disarm;
  // Messages name the destination: the temporary name means nothing to the
  // user and is gone by the time they read it.
  auto fail = [&](const std::string &what) {
    int e = errno;
    close(fd);
    return error(what + " " + path + ": " + errno_text(e));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd, mode & 07777) != 0) return fail("cannot set the mode of");
  if (fsync(fd) != 0) return fail("cannot sync");
  if (close(fd) != 0) return error("cannot write " + path + ": " + errno_text(errno));
  if (rename(tmpl.c_str(), path.c_str()) != 0)
    return error("cannot rename the temporary file to " + path + ": " + errno_text(errno));
  guard.release();
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);  // best effort: the data is already in place
    close(dfd);
  }
  return Ok{};
}

Result<std::vector<uint8_t>> read_file(const std::string &path, mode_t *mode) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return error("cannot open: " + errno_text(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return error("cannot stat: " + errno_text(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return error("not a regular file");
  }
  if (mode) *mode = st.st_mode;
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return error("cannot read: " + errno_text(e));
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  close(fd);
  return bytes;
}

}  // namespace elfrewrite
