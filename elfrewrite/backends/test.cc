// SPDX-License-Identifier: GPL-3.0-or-later
// The test target: each site becomes `call pv_test_entry` (5 bytes) plus
// NOPs, into a small VMM (backends/test_vmm.S, linked from its object file
// like any target's VMM) that counts how often each site ran. It lets the
// rewriting machinery be tested end to end before a real hypervisor backend
// exists. The call needs a stack, so sites where the stack may not be used
// are refused, as are sites shorter than 5 bytes, and sites in runtime
// replacement code: Linux (6.1 apply_alternatives) copies that code over
// other code and fixes a call's displacement only when the call is the
// whole 5-byte replacement, so a call there would go astray.
//
// Its boot metadata is one note, owner "previrt-test", type 1: u32 site
// count, u32 0, u64 address of pv_test_entry (so tests can find the VMM).
//
// After the linked VMM comes its data, which it finds through the symbol
// pv_test_data: u64 count; s64 site_offset[count] (site address minus
// &pv_test_data, valid wherever the image is loaded); u64 hits[count].
#include <cstring>

#include "backend.hh"
#include "format.hh"
#include "previrt/sites.h"
#include "sensitive_table.hh"
#include "vmm_linker.hh"

extern "C" const unsigned char pv_test_vmm_object[];
extern "C" const unsigned long pv_test_vmm_object_size;

namespace elfrewrite {

namespace {

constexpr size_t kCallLength = 5;
constexpr const char *kEntry = "pv_test_entry";
constexpr const char *kData = "pv_test_data";

void put_u64(std::vector<uint8_t> &v, uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(uint8_t(x >> (8 * i)));
}

class TestBackend final : public Backend {
 public:
  std::string_view name() const override { return "test"; }
  std::string_view description() const override {
    return "each site calls a stub VMM that counts which sites ran (for tests)";
  }
  Status check_site(const Site &site) const override {
    const auto *cls = previrt::find_class(static_cast<int>(site.insn_class));
    if ((site.flags & PV_SITE_NOSTACK) || (cls && (cls->attrs & PV_ATTR_NOSTACK)))
      return error("the replacement calls into the VMM, but the stack may not be used at this "
                   "site (" + std::string(cls ? cls->name : "nostack") + ")");
    if (site.flags & PV_SITE_REPLACEMENT)
      return error("the site is in runtime replacement code, where a call's displacement is "
                   "wrong once the kernel copies the code");
    if (site.padded_length < kCallLength)
      return error("replacement needs " + std::to_string(kCallLength) + " bytes, the site has " +
                   std::to_string(site.padded_length));
    return Ok{};
  }
  Result<VmmImage> link_vmm(const ElfFile &, const SiteTable &table,
                            uint64_t vaddr) const override {
    auto obj = ElfFile::parse_object(
        std::vector<uint8_t>(pv_test_vmm_object, pv_test_vmm_object + pv_test_vmm_object_size));
    if (!obj) return error("test VMM object: " + obj.error().message);
    uint64_t data = vaddr + ((linked_vmm_size(*obj) + 7) & ~uint64_t(7));
    auto linked = link_vmm_object(*obj, vaddr, {{kData, data}});
    if (!linked) return linked.error();
    if (!linked->symbols.count(kEntry)) return error("test VMM object: no symbol pv_test_entry");
    VmmImage img;
    img.vaddr = vaddr;
    img.bytes = std::move(linked->bytes);
    img.bytes.resize(data - vaddr, 0);
    put_u64(img.bytes, table.sites.size());
    for (const Site &s : table.sites) put_u64(img.bytes, s.address - data);
    for (size_t i = 0; i < table.sites.size(); ++i) put_u64(img.bytes, 0);
    img.symbols = std::move(linked->symbols);
    img.symbols[kData] = data;
    return img;
  }
  std::vector<NoteSpec> notes(const SiteTable &table, const VmmImage &vmm) const override {
    NoteSpec n;
    n.owner = "previrt-test";
    n.type = 1;
    std::vector<uint8_t> &d = n.desc;
    uint32_t count = static_cast<uint32_t>(table.sites.size());
    for (int i = 0; i < 4; ++i) d.push_back(uint8_t(count >> (8 * i)));
    d.insert(d.end(), 4, 0);
    put_u64(d, vmm.symbols.at(kEntry));
    return {n};
  }
  Result<std::vector<uint8_t>> rewrite_site(const Site &site, const uint8_t *,
                                            const VmmImage &vmm) const override {
    uint64_t entry = vmm.symbols.at(kEntry);
    int64_t rel = static_cast<int64_t>(entry - (site.address + kCallLength));
    if (rel != static_cast<int32_t>(rel))
      return error("the VMM at " + hex(entry) + " is out of reach of a 32-bit call");
    std::vector<uint8_t> out = {0xe8};
    uint32_t r = static_cast<uint32_t>(rel);
    for (int i = 0; i < 4; ++i) out.push_back(uint8_t(r >> (8 * i)));
    std::vector<uint8_t> fill = nop_fill(site.padded_length - kCallLength);
    out.insert(out.end(), fill.begin(), fill.end());
    return out;
  }
};

}  // namespace

const Backend &test_backend() {
  static const TestBackend b;
  return b;
}

}  // namespace elfrewrite
