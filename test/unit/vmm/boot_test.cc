// SPDX-License-Identifier: GPL-3.0-or-later
// The boot state for the guest's 64-bit entry: the page tables are checked
// with the VMM's own page walk, the boot info byte by byte against
// docs/guest-boot.md.
#include <catch2/catch.hpp>

#include "vmm/boot.h"
#include "machine.hh"

using namespace vmmtest;

namespace {

uint32_t get32(const PhysMem &m, uint64_t a) {
  return uint32_t(m.get(a & ~7ULL) >> (8 * (a & 7)));
}

std::string get_string(const PhysMem &m, uint64_t a) {
  std::string s;
  for (;; ++a) {
    char c = char(m.get(a & ~7ULL) >> (8 * (a & 7)));
    if (!c) return s;
    s += c;
  }
}

}  // namespace

TEST_CASE("boot state: 1:1 map of the first GiB, boot info, memory map, command line", "[boot]") {
  PhysMem mem;
  mem.limit = 64 << 20;
  vmm_boot_range vmm_pages[] = {{0x3000000, 0x200000, VMM_E820_RESERVED}};
  vmm_boot_request r{};
  r.ram_bytes = 64 << 20;
  r.area = 0x80000;
  r.reserved = vmm_pages;
  r.reserved_count = 1;
  r.cmdline = "bench alpha=1";
  r.entry = 0x100040;
  vmm_boot_state s{};
  REQUIRE(vmm_boot_prepare(&mem.phys, &r, &s) == 0);

  vmm_paging p{};
  p.cr3 = s.cr3;
  p.wp = 1;
  p.nxe = 1;
  p.maxphyaddr = 46;
  for (uint64_t va : {0x0ULL, 0x100040ULL, 0x1fffffULL, 0x2345678ULL, 0x3ffff000ULL}) {
    vmm_walk_result w{};
    REQUIRE(vmm_walk(&mem.phys, &p, va, VMM_ACCESS_WRITE | VMM_ACCESS_FETCH, &w) == 0);
    CHECK(w.gpa == va);
    CHECK(w.user == 0);
    CHECK(w.page_size == 2 << 20);
  }
  vmm_walk_result w{};
  CHECK(vmm_walk(&mem.phys, &p, 1ULL << 30, VMM_ACCESS_READ, &w) != 0);  // only the first GiB

  uint64_t bi = s.boot_info;
  CHECK(bi % 8 == 0);
  CHECK(get32(mem, bi) == 0x74626770);  // "pgbt"
  CHECK(get32(mem, bi + 4) == 1);
  CHECK(get_string(mem, mem.get(bi + 8)) == "bench alpha=1");
  uint64_t map = mem.get(bi + 16);
  struct E { uint64_t a, n; uint32_t t; };
  std::vector<E> want = {{0, 0x80000, 1},
                         {0x80000, VMM_BOOT_AREA_SIZE, 2},
                         {0x80000 + VMM_BOOT_AREA_SIZE, 0x3000000 - 0x80000 - VMM_BOOT_AREA_SIZE, 1},
                         {0x3000000, 0x200000, 2}};
  want.push_back({0x3200000, (64 << 20) - 0x3200000, 1});
  REQUIRE(s.memmap_entries == want.size());
  REQUIRE(get32(mem, bi + 24) == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    uint64_t e = map + 24 * i;
    INFO("entry " << i);
    CHECK(mem.get(e) == want[i].a);
    CHECK(mem.get(e + 8) == want[i].n);
    CHECK(get32(mem, e + 16) == want[i].t);
  }
  // the guest's boot-info test needs a RAM entry covering its image (1 MiB..)
  CHECK(want[2].a <= 0x100000);
}

TEST_CASE("boot requests that cannot be honoured are refused", "[boot]") {
  PhysMem mem;
  vmm_boot_request r{};
  r.ram_bytes = 16 << 20;
  vmm_boot_state s{};
  r.area = 0x80100;  // not page-aligned
  CHECK(vmm_boot_prepare(&mem.phys, &r, &s) != 0);
  r.area = (16 << 20) - 0x1000;  // does not fit in RAM
  CHECK(vmm_boot_prepare(&mem.phys, &r, &s) != 0);
}

TEST_CASE("vmm_boot_enter gives the entry contract's CPU state", "[boot]") {
  Machine m;
  vmm_set_vif(&m.vcpu, 1);
  m.enter_user();
  vmm_boot_request r{};
  r.entry = 0x100040;
  vmm_boot_state s{0x80000, 0x83000, 1, 0};
  m.regs.rflags |= X86_FLAGS_DF;
  vmm_boot_enter(&m.vcpu, &m.regs, &r, &s);
  CHECK(m.vcpu.cpl == 0);
  CHECK_FALSE(vmm_vif(&m.vcpu));
  CHECK(m.vcpu.cr3 == 0x80000);
  CHECK(m.regs.rip == 0x100040);
  CHECK(m.regs.gpr[VMM_RSI] == 0x83000);
  CHECK((m.vcpu.cr0 & (X86_CR0_PE | X86_CR0_PG)) == (X86_CR0_PE | X86_CR0_PG));
  CHECK((m.vcpu.efer & (X86_EFER_LME | X86_EFER_LMA)) == (X86_EFER_LME | X86_EFER_LMA));
  CHECK((m.vcpu.cr4 & X86_CR4_PAE) != 0);
  CHECK(m.flushes.size() == 1);
}

TEST_CASE("vmm_boot_ranges_cut takes whole pages out of reserved ranges", "[boot]") {
  auto cut = [](std::vector<vmm_boot_range> r, unsigned max, uint64_t a, uint64_t n) {
    unsigned count = unsigned(r.size());
    r.resize(max > r.size() ? max : r.size());
    int rc = vmm_boot_ranges_cut(r.data(), &count, max, a, n);
    r.resize(count);
    return std::make_pair(rc, r);
  };
  // the initrd in the middle of the range after the image: split in two
  auto m = cut({{0x1c00000, 0x1a0000, 2}, {0x3b9b000, 0x465000, 2}}, 3, 0x1c6d000, 0xfb214);
  REQUIRE(m.first == 0);
  REQUIRE(m.second.size() == 3);
  CHECK((m.second[0].addr == 0x1c00000 && m.second[0].size == 0x6d000));
  CHECK((m.second[1].addr == 0x1d69000 && m.second[1].size == 0x1da0000 - 0x1d69000));
  CHECK(m.second[1].type == 2);
  CHECK((m.second[2].addr == 0x3b9b000 && m.second[2].size == 0x465000));
  // at a range's start (not page-aligned: the whole first page goes), and
  // covering a whole range: dropped
  auto s = cut({{0x10000, 0x4000, 2}, {0x20000, 0x1000, 2}}, 2, 0x10800, 0x1000);
  REQUIRE(s.first == 0);
  REQUIRE(s.second.size() == 2);
  CHECK((s.second[0].addr == 0x12000 && s.second[0].size == 0x2000));
  auto d = cut({{0x10000, 0x4000, 2}, {0x20000, 0x1000, 2}}, 2, 0x20000, 0x1000);
  REQUIRE(d.first == 0);
  REQUIRE(d.second.size() == 1);
  CHECK(d.second[0].addr == 0x10000);
  // outside every range: unchanged; a split beyond max: refused, unchanged
  auto o = cut({{0x10000, 0x4000, 2}}, 1, 0x40000, 0x1000);
  CHECK((o.first == 0 && o.second.size() == 1 && o.second[0].size == 0x4000));
  auto f = cut({{0x10000, 0x4000, 2}}, 1, 0x11000, 0x1000);
  CHECK(f.first != 0);
  REQUIRE(f.second.size() == 1);
  CHECK(f.second[0].size == 0x4000);
}
