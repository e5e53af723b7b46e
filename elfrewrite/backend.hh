// SPDX-License-Identifier: GPL-3.0-or-later
// The backend interface and the explicit registry of targets. A backend
// says what code a target links into the image (its VMM) and what bytes
// replace each site; the passes do everything else (checks, layout,
// patching, writing).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alternatives.hh"
#include "elf_writer.hh"
#include "error.hh"
#include "site_table.hh"

namespace elfrewrite {

// A target's VMM once linked at its address.
struct VmmImage {
  uint64_t vaddr = 0;
  std::vector<uint8_t> bytes;               // empty: the target adds no code
  std::map<std::string, uint64_t> symbols;  // entry points and data, absolute
  std::map<uint64_t, uint64_t> thunks;      // site address -> its per-site thunk
};

constexpr uint64_t kPageSize = 0x1000;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // True if the target only restores the annotated image (nothing added).
  virtual bool restores_original() const { return false; }
  // Plan: whether the site can take the target's replacement at all (room,
  // stack use); the diagnostic message says why not.
  virtual Status check_site(const Site &site) const = 0;
  // Alignment of the new loadable region's address (a power of two, at
  // least a page).
  virtual uint64_t region_alignment() const { return kPageSize; }
  // Link: the VMM for these sites of `elf` (the annotated image), linked at
  // `vaddr` (a new loadable region). `places[i]` says where the code of
  // table.sites[i] runs (alternatives.hh): its own address, or for runtime
  // replacement code each place the kernel copies it to.
  virtual Result<VmmImage> link_vmm(const ElfFile &elf, const SiteTable &table,
                                    const SitePlaces &places, uint64_t vaddr) const = 0;
  // Patch: exactly site.padded_length bytes to put at the site, given its
  // original bytes and the linked VMM, encoded as if they ran at `at`
  // (branch and RIP-relative displacements): the site's address, or where
  // the kernel copies it to (encode_address). The form of the bytes must
  // not depend on `at`, only their displacements.
  virtual Result<std::vector<uint8_t>> rewrite_site(const Site &site, const uint8_t *original,
                                                    uint64_t at, const VmmImage &vmm) const = 0;
  // The target's boot metadata: ELF notes added to the image (e.g. Xen's
  // entry and features notes). None by default.
  virtual std::vector<NoteSpec> notes(const SiteTable &, const VmmImage &) const { return {}; }
  // The entry point of the output (e_entry), if the target changes it.
  // --target=native restores the original from .previrt_orig.
  virtual std::optional<uint64_t> entry(const VmmImage &) const { return std::nullopt; }
};

// Every target, in the order --target=help lists them; native first.
const std::vector<const Backend *> &backends();
const Backend *find_backend(std::string_view name);

// Backends, one per file under backends/.
const Backend &native_backend();
const Backend &test_backend();
const Backend &xen_backend();
const Backend &xen_trap_backend();

// `n` bytes of multi-byte NOPs (the 1..9-byte forms the CPU vendors
// recommend), longest first.
std::vector<uint8_t> nop_fill(size_t n);

}  // namespace elfrewrite
