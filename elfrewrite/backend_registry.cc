// SPDX-License-Identifier: GPL-3.0-or-later
#include "backend.hh"

namespace elfrewrite {

const std::vector<const Backend *> &backends() {
  static const std::vector<const Backend *> all = {&native_backend(), &test_backend(),
                                                     &xen_backend(), &xen_trap_backend()};
  return all;
}

const Backend *find_backend(std::string_view name) {
  for (const Backend *b : backends())
    if (b->name() == name) return b;
  return nullptr;
}

std::vector<uint8_t> nop_fill(size_t n) {
  static const std::vector<uint8_t> forms[] = {
      {},
      {0x90},
      {0x66, 0x90},
      {0x0f, 0x1f, 0x00},
      {0x0f, 0x1f, 0x40, 0x00},
      {0x0f, 0x1f, 0x44, 0x00, 0x00},
      {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
      {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
      {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
  };
  std::vector<uint8_t> out;
  while (n > 0) {
    size_t k = n > 9 ? 9 : n;
    out.insert(out.end(), forms[k].begin(), forms[k].end());
    n -= k;
  }
  return out;
}

}  // namespace elfrewrite
