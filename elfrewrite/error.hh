// SPDX-License-Identifier: GPL-3.0-or-later
// Errors as values. Library code returns Result<T> or appends Diagnostics;
// only the command-line front end turns them into text
// ("elfrewrite: FILE: error: where: message") and exit codes.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace elfrewrite {

// One problem found in the input. `where` names the place (a site as
// "sym+0x1c (0x40101c)", a section, or nothing for whole-file problems).
struct Diagnostic {
  enum class Severity { error, warning, note };
  Severity severity = Severity::error;
  std::string where;
  std::string message;
};

using Diagnostics = std::vector<Diagnostic>;

inline Diagnostic error_at(std::string where, std::string message) {
  return {Diagnostic::Severity::error, std::move(where), std::move(message)};
}
inline Diagnostic error(std::string message) { return error_at({}, std::move(message)); }

inline bool has_errors(const Diagnostics &d) {
  for (const auto &x : d)
    if (x.severity == Diagnostic::Severity::error) return true;
  return false;
}

// A value or the diagnostic that prevented it.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Diagnostic error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T &value() { return std::get<0>(v_); }
  const T &value() const { return std::get<0>(v_); }
  T &operator*() { return value(); }
  const T &operator*() const { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  const Diagnostic &error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Diagnostic> v_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace elfrewrite
