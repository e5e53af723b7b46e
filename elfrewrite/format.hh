// SPDX-License-Identifier: GPL-3.0-or-later
// Small text helpers shared by the library's messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace elfrewrite {

inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

inline std::string hex_bytes(const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

}  // namespace elfrewrite
