// SPDX-License-Identifier: GPL-3.0-or-later
// The backend interface and the explicit registry of targets. A backend
// says what code a target links into the image (its VMM) and what bytes
// replace each site; the passes do everything else (checks, layout,
// patching, writing).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "error.hh"
#include "site_table.hh"

namespace elfrewrite {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // True if the target only restores the annotated image (nothing added).
  virtual bool restores_original() const { return false; }
  // Code and data of the VMM linked at `vaddr` (a new loadable region), for
  // the given sites. Empty if the target adds no code.
  virtual std::vector<uint8_t> link_vmm(const SiteTable &table, uint64_t vaddr) const = 0;
  // Exactly site.padded_length bytes to put at the site, given its original
  // bytes, or a diagnostic message saying why the site cannot take the
  // target's replacement.
  virtual Result<std::vector<uint8_t>> rewrite_site(const Site &site, const uint8_t *original,
                                                    uint64_t vmm_vaddr) const = 0;
};

// Every target, in the order --target=help lists them; native first.
const std::vector<const Backend *> &backends();
const Backend *find_backend(std::string_view name);

// Backends, one per file under backends/.
const Backend &native_backend();
const Backend &test_backend();

// `n` bytes of multi-byte NOPs (the 1..9-byte forms the CPU vendors
// recommend), longest first.
std::vector<uint8_t> nop_fill(size_t n);

}  // namespace elfrewrite
