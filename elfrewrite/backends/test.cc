// SPDX-License-Identifier: GPL-3.0-or-later
// The test target: each site becomes `call pv_test_entry` (5 bytes) plus
// NOPs, into a small VMM (backends/test_vmm.S, linked from its object file
// like any target's VMM) that counts how often each site ran. It lets the
// rewriting machinery be tested end to end before a real hypervisor backend
// exists. Sites shorter than 5 bytes are refused.
//
// A site where the stack may not be used (PV_SITE_NOSTACK, or a class with
// PV_ATTR_NOSTACK: swapgs, sysret) becomes `jmp stub_N` and int3s instead.
// stub_N, in the VMM region, touches neither stack nor flags nor registers:
//   movb $1, hits[N](%rip)      (so hits[N] is 1 once the site ran, not a count)
//   <the original instruction>  (displaced: RIP-relative operands are refused)
//   jmp <site end>              (where the site runs)
//
// Sites in runtime replacement code (Linux's .altinstr_replacement) are
// encoded for the place the kernel copies them to (alternatives.hh); a
// NOSTACK one must be copied to exactly one place (its stub returns there).
//
// Its boot metadata is one note, owner "previrt-test", type 1: u32 site
// count, u32 0, u64 address of pv_test_entry (so tests can find the VMM).
//
// After the linked VMM come the NOSTACK stubs (16-byte aligned each, int3
// between them), then its data, which ends the region and which the VMM
// finds through the symbol pv_test_data: u64 count; s64 site_offset[count]
// (site address minus &pv_test_data, valid wherever the image is loaded);
// u64 hits[count]. site_offset is the linked address of the site, also for
// replacement code that runs elsewhere.
#include <algorithm>
#include <cstring>
#include <map>

#include "backend.hh"
#include "format.hh"
#include "previrt/sites.h"
#include "previrt/vmm_abi.h"
#include "previrt/vmm_decode.h"
#include "sensitive_table.hh"
#include "vmm_linker.hh"

extern "C" const unsigned char pv_test_vmm_object[];
extern "C" const unsigned long pv_test_vmm_object_size;

namespace elfrewrite {

namespace {

constexpr size_t kCallLength = 5;
constexpr uint64_t kStubAlign = 16;
constexpr size_t kMarkLength = 7;  // movb $1, rel32(%rip)

bool is_nostack(const Site &site) {
  const auto *cls = previrt::find_class(static_cast<int>(site.insn_class));
  return (site.flags & PV_SITE_NOSTACK) || (cls && (cls->attrs & PV_ATTR_NOSTACK));
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

bool put_rel32(std::vector<uint8_t> &v, size_t at, uint64_t target, uint64_t next_ip) {
  uint64_t rel = target - next_ip;
  if (static_cast<int64_t>(rel) != static_cast<int32_t>(rel)) return false;
  for (int i = 0; i < 4; ++i) v[at + i] = uint8_t(rel >> (8 * i));
  return true;
}

Diagnostic site_error(const ElfFile &elf, const Site &s, const std::string &msg) {
  return error_at(elf.describe(s.address),
                  "record " + std::to_string(s.record) + ": test target: " + msg);
}

// Why the original instruction of a NOSTACK site cannot run displaced into
// a stub, or empty.
std::string displacement_problem(const uint8_t *orig, const Site &s) {
  vmm_site_desc d;
  std::memset(&d, 0, sizeof d);
  if (s.insn_length == 0 || s.insn_length > sizeof d.bytes ||
      vmm_decode(orig, s.insn_length, &d) != 0 || d.insn_length != s.insn_length)
    return "the original instruction (" + hex_bytes(orig, std::min<size_t>(s.insn_length, 15)) +
           ") is not one the decoder reads, so it cannot be moved into a stub safely";
  for (const auto &op : d.op)
    if (op.kind == VMM_OP_MEM && op.base == VMM_REG_RIP)
      return "the original instruction (" + hex_bytes(orig, s.insn_length) +
             ") is RIP-relative and cannot run displaced into a stub";
  return {};
}

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
    if (site.padded_length < kCallLength)
      return error("replacement needs " + std::to_string(kCallLength) + " bytes, the site has " +
                   std::to_string(site.padded_length));
    return Ok{};
  }
  Result<VmmImage> link_vmm(const ElfFile &elf, const SiteTable &table, const SitePlaces &places,
                            uint64_t vaddr) const override {
    auto obj = ElfFile::parse_object(
        std::vector<uint8_t>(pv_test_vmm_object, pv_test_vmm_object + pv_test_vmm_object_size));
    if (!obj) return error("test VMM object: " + obj.error().message);
    // Layout: object, NOSTACK stubs, data.
    uint64_t at = align_up(vaddr + linked_vmm_size(*obj), kStubAlign);
    const uint64_t stubs_start = at;
    std::map<uint64_t, uint64_t> stub_of;  // site address -> stub
    for (const Site &s : table.sites) {
      if (!is_nostack(s)) continue;
      stub_of[s.address] = at;
      at = align_up(at + kMarkLength + s.insn_length + kCallLength, kStubAlign);
    }
    uint64_t data = align_up(at, 8);
    auto linked = link_vmm_object(*obj, vaddr, {{kData, data}});
    if (!linked) return linked.error();
    if (!linked->symbols.count(kEntry)) return error("test VMM object: no symbol pv_test_entry");
    VmmImage img;
    img.vaddr = vaddr;
    img.bytes = std::move(linked->bytes);
    img.bytes.resize(stubs_start - vaddr, 0);
    img.bytes.resize(data - vaddr, 0xcc);  // int3 between stubs
    const uint64_t hits = data + 8 + 8 * table.sites.size();
    for (size_t i = 0; i < table.sites.size(); ++i) {
      const Site &s = table.sites[i];
      auto stub = stub_of.find(s.address);
      if (stub == stub_of.end()) continue;
      if (places.at(i).size() != 1)
        return site_error(elf, s, "the kernel copies this NOSTACK site to " +
                                      std::to_string(places[i].size()) +
                                      " places, and its stub can return to only one");
      const Section *sec = elf.section_at(s.address);
      const uint8_t *orig = sec ? elf.bytes_at(*sec, s.address, s.insn_length) : nullptr;
      if (!orig) return site_error(elf, s, "the site's bytes are not in the file");
      if (std::string why = displacement_problem(orig, s); !why.empty())
        return site_error(elf, s, why);
      const uint64_t p = stub->second;
      const size_t o = p - vaddr;
      const uint64_t resume = places[i][0].address + s.padded_length;
      // movb $1, hits[i](%rip); original; jmp resume
      const uint8_t mark[kMarkLength] = {0xc6, 0x05, 0, 0, 0, 0, 1};
      std::memcpy(img.bytes.data() + o, mark, sizeof mark);
      std::memcpy(img.bytes.data() + o + kMarkLength, orig, s.insn_length);
      const size_t jmp = o + kMarkLength + s.insn_length;
      img.bytes[jmp] = 0xe9;
      if (!put_rel32(img.bytes, o + 2, hits + 8 * i, p + kMarkLength) ||
          !put_rel32(img.bytes, jmp + 1, resume, vaddr + jmp + 5))
        return site_error(elf, s, "its stub at " + hex(p) + " is out of reach of the site");
    }
    put_u64(img.bytes, table.sites.size());
    for (const Site &s : table.sites) put_u64(img.bytes, s.address - data);
    for (size_t i = 0; i < table.sites.size(); ++i) put_u64(img.bytes, 0);
    img.symbols = std::move(linked->symbols);
    img.symbols[kData] = data;
    img.thunks = std::move(stub_of);
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
  Result<std::vector<uint8_t>> rewrite_site(const Site &site, const uint8_t *, uint64_t at,
                                            const VmmImage &vmm) const override {
    // NOSTACK: jmp stub, int3s (the stub returns to the site's end);
    // else: call pv_test_entry, NOPs (it returns after the call).
    auto stub = vmm.thunks.find(site.address);
    const bool jump = stub != vmm.thunks.end();
    const uint64_t target = jump ? stub->second : vmm.symbols.at(kEntry);
    std::vector<uint8_t> out(kCallLength, 0);
    out[0] = jump ? 0xe9 : 0xe8;
    if (!put_rel32(out, 1, target, at + kCallLength))
      return error("the VMM at " + hex(target) + " is out of reach of a 32-bit " +
                   (jump ? "jmp" : "call"));
    std::vector<uint8_t> fill = jump ? std::vector<uint8_t>(site.padded_length - kCallLength, 0xcc)
                                     : nop_fill(site.padded_length - kCallLength);
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
