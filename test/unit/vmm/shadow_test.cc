// SPDX-License-Identifier: GPL-3.0-or-later
// Shadow page tables built on demand: the shadow is itself walked as page
// tables (with machine addresses) and must translate as the guest's tables
// do, through the p2m, with the guest's rights.
#include <catch2/catch.hpp>

#include <array>
#include <map>

#include "vmm/shadow.h"
#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t P = X86_PTE_P, W = X86_PTE_W, U = X86_PTE_U, D = X86_PTE_D;
constexpr uint64_t kMachineOffset = 0x10000;  // mfn = gfn + this

// Machine memory holding shadow tables, and the backend side of the ops.
struct ShadowMem {
  std::map<uint64_t, std::array<uint64_t, 512>> pages;
  uint64_t next = 0x80000;
  size_t limit = 64;  // pages the pool may hand out at once
  size_t in_use = 0;
  vmm_shadow_ops ops{};
  vmm_phys view{};  // machine memory as page tables, for checking walks

  ShadowMem() {
    ops.ctx = this;
    ops.alloc = [](void *c) -> uint64_t {
      auto &m = *static_cast<ShadowMem *>(c);
      if (m.in_use == m.limit) return 0;
      m.in_use++;
      m.pages[m.next].fill(0);
      return m.next++;
    };
    ops.release = [](void *c, uint64_t mfn) {
      auto &m = *static_cast<ShadowMem *>(c);
      m.pages.erase(mfn);
      m.in_use--;
    };
    ops.read = [](void *c, uint64_t mfn, unsigned i, uint64_t *e) {
      auto &m = *static_cast<ShadowMem *>(c);
      auto it = m.pages.find(mfn);
      if (it == m.pages.end()) return -1;
      *e = it->second[i];
      return 0;
    };
    ops.write = [](void *c, uint64_t mfn, unsigned i, uint64_t e) {
      auto &m = *static_cast<ShadowMem *>(c);
      auto it = m.pages.find(mfn);
      if (it == m.pages.end()) return -1;
      it->second[i] = e;
      return 0;
    };
    ops.p2m = [](void *, uint64_t gfn) -> uint64_t {
      return gfn < 0x1000 ? gfn + kMachineOffset : ~0ULL;
    };
    view.ctx = this;
    view.read64 = [](void *c, uint64_t a, uint64_t *v) {
      auto &m = *static_cast<ShadowMem *>(c);
      auto it = m.pages.find(a >> 12);
      if (it == m.pages.end()) return -1;
      *v = it->second[(a & 0xfff) / 8];
      return 0;
    };
    view.write64 = [](void *c, uint64_t a, uint64_t v) {
      auto &m = *static_cast<ShadowMem *>(c);
      auto it = m.pages.find(a >> 12);
      if (it == m.pages.end()) return -1;
      it->second[(a & 0xfff) / 8] = v;
      return 0;
    };
  }
};

// Guest tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000 for the
// region at 0xffff800000000000; page i -> guest frame 0x100 + i.
struct Guest {
  PhysMem mem;
  vmm_paging paging{};
  static constexpr uint64_t kBase = 0xffff800000000000ULL;
  Guest() {
    paging.cr3 = 0x1000;
    paging.wp = paging.nxe = 1;
    paging.maxphyaddr = 46;
    mem.set(0x1000 + 8 * 256, 0x2000 | P | W | U);
    mem.set(0x2000, 0x3000 | P | W | U);
    mem.set(0x3000, 0x4000 | P | W | U);
  }
  void map(unsigned page, uint64_t flags) { mem.set(0x4000 + 8 * page, ((0x100ULL + page) << 12) | flags); }
  static uint64_t va(unsigned page, uint64_t off = 0) { return kBase + page * 0x1000ULL + off; }
};

// Walks the shadow as the CPU would: the machine address behind va, or ~0.
uint64_t shadow_translate(ShadowMem &sm, const vmm_shadow &s, int user_table, uint64_t va,
                          unsigned access, uint32_t *error = nullptr) {
  vmm_paging p{};
  p.cr3 = s.top[user_table] << 12;
  p.wp = p.nxe = 1;
  p.maxphyaddr = 52;
  vmm_walk_result w{};
  if (vmm_walk(&sm.view, &p, va, access, &w)) {
    if (error) *error = w.fault.error;
    return ~0ULL;
  }
  return w.gpa;
}

}  // namespace

TEST_CASE("a shadow miss installs the guest's translation through the p2m", "[shadow]") {
  ShadowMem sm;
  Guest g;
  g.map(3, P | W | D);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  CHECK(shadow_translate(sm, s, 0, Guest::va(3, 0x10), 0) == ~0ULL);  // empty: the miss
  vmm_walk_result w{};
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(3, 0x10), VMM_ACCESS_WRITE, &w) == 0);
  CHECK(shadow_translate(sm, s, 0, Guest::va(3, 0x10), VMM_ACCESS_WRITE) ==
        ((0x103 + kMachineOffset) << 12 | 0x10));
  CHECK(s.npages == 3);  // one L3, L2, L1
  // a neighbour shares the intermediate tables
  g.map(4, P | W | D);
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(4), VMM_ACCESS_READ, &w) == 0);
  CHECK(s.npages == 3);
  CHECK(shadow_translate(sm, s, 0, Guest::va(4), 0) == (0x104 + kMachineOffset) << 12);
}

TEST_CASE("guest faults are not installed; clean pages are read-only until written", "[shadow]") {
  ShadowMem sm;
  Guest g;
  g.map(5, P | W);  // supervisor, clean
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  vmm_walk_result w{};
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(5), VMM_ACCESS_USER, &w) == 1);
  CHECK(w.fault.error == (X86_PF_P | X86_PF_U));
  CHECK(s.npages == 0);

  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(5), VMM_ACCESS_READ, &w) == 0);
  uint32_t err = 0;
  CHECK(shadow_translate(sm, s, 0, Guest::va(5), VMM_ACCESS_WRITE, &err) == ~0ULL);
  CHECK(err == (X86_PF_P | X86_PF_W));  // the write faults into the VMM ...
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(5), VMM_ACCESS_WRITE, &w) == 0);
  CHECK((g.mem.get(0x4000 + 8 * 5) & D) != 0);  // ... which sets the guest's D bit
  CHECK(shadow_translate(sm, s, 0, Guest::va(5), VMM_ACCESS_WRITE) != ~0ULL);
  // the user table never maps a supervisor page
  CHECK(shadow_translate(sm, s, 1, Guest::va(5), VMM_ACCESS_USER) == ~0ULL);
}

TEST_CASE("user pages go to the user table; invlpg and flush drop translations", "[shadow]") {
  ShadowMem sm;
  Guest g;
  g.map(6, P | W | U | D);
  g.map(7, P | U);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  vmm_walk_result w{};
  unsigned user = VMM_ACCESS_USER;
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(6), user | VMM_ACCESS_WRITE, &w) == 0);
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(7), user, &w) == 0);
  CHECK(shadow_translate(sm, s, 1, Guest::va(6), user | VMM_ACCESS_WRITE) != ~0ULL);
  CHECK(shadow_translate(sm, s, 1, Guest::va(7), user | VMM_ACCESS_WRITE) == ~0ULL);  // read-only
  CHECK(shadow_translate(sm, s, 0, Guest::va(6), 0) == ~0ULL);  // not filled in kernel mode yet

  vmm_shadow_invlpg(&s, Guest::va(6));
  CHECK(shadow_translate(sm, s, 1, Guest::va(6), user) == ~0ULL);
  CHECK(shadow_translate(sm, s, 1, Guest::va(7), user) != ~0ULL);

  size_t before = sm.in_use;
  vmm_shadow_flush(&s);
  CHECK(shadow_translate(sm, s, 1, Guest::va(7), user) == ~0ULL);
  CHECK(sm.in_use == before - 3);  // the tops stay, the rest went back to the pool
  CHECK(s.npages == 0);
}

TEST_CASE("running out of shadow pages flushes and refills", "[shadow]") {
  ShadowMem sm;
  sm.limit = 2 + 3;  // two tops and one path of three tables
  Guest g;
  g.map(1, P | W | D);
  // a second region in another PML4 slot needs three more tables
  g.mem.set(0x1000 + 8 * 300, 0x5000 | P | W);
  g.mem.set(0x5000, 0x6000 | P | W);
  g.mem.set(0x6000, 0x7000 | P | W);
  g.mem.set(0x7000, (0x200ULL << 12) | P | W | D);
  uint64_t other = 0xffff800000000000ULL + (uint64_t(300 - 256) << 39);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  vmm_walk_result w{};
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(1), VMM_ACCESS_READ, &w) == 0);
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, other, VMM_ACCESS_READ, &w) == 0);
  CHECK(s.flushes == 1);
  CHECK(shadow_translate(sm, s, 0, other, 0) == (0x200 + kMachineOffset) << 12);
  CHECK(shadow_translate(sm, s, 0, Guest::va(1), 0) == ~0ULL);  // evicted by the flush
}

TEST_CASE("linked tables stay in the kernel table across flushes and invlpg", "[shadow]") {
  ShadowMem sm;
  Guest g;
  g.map(2, P | W | D);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  // the backend's own L1 (not from the pool the shadow manages) mapping the
  // 2 MiB at 0x200000 with page 1 -> machine frame 0x777
  const uint64_t own_l1 = 0x90000, linked_va = 0x200000;
  sm.pages[own_l1].fill(0);
  sm.pages[own_l1][1] = (0x777ULL << 12) | P | W | U;
  REQUIRE(vmm_shadow_link(&s, linked_va + 0x1234, 2, (own_l1 << 12) | P | W | U) == 0);
  CHECK(vmm_shadow_linked(&s, linked_va + 0x1fffff));
  CHECK_FALSE(vmm_shadow_linked(&s, linked_va + 0x200000));
  CHECK(shadow_translate(sm, s, 0, linked_va + 0x1008, 0) == (0x777ULL << 12 | 8));
  CHECK(shadow_translate(sm, s, 1, linked_va + 0x1008, VMM_ACCESS_USER) == ~0ULL);  // kernel only
  // the guest's own translations come and go; the link stays
  vmm_walk_result w{};
  REQUIRE(vmm_shadow_fault(&s, &g.mem.phys, &g.paging, Guest::va(2), VMM_ACCESS_READ, &w) == 0);
  vmm_shadow_flush(&s);
  CHECK(shadow_translate(sm, s, 0, Guest::va(2), 0) == ~0ULL);
  CHECK(shadow_translate(sm, s, 0, linked_va + 0x1008, 0) == (0x777ULL << 12 | 8));
  vmm_shadow_invlpg(&s, linked_va + 0x1000);
  CHECK((sm.pages[own_l1][1] & ~X86_PTE_A) == ((0x777ULL << 12) | P | W | U));  // walks set A
  // a fill inside the linked range never writes into the backend's table
  CHECK(vmm_shadow_set(&s, linked_va + 0x1000, 0, (0x555ULL << 12) | P) == 0);
  CHECK((sm.pages[own_l1][1] & ~X86_PTE_A) == ((0x777ULL << 12) | P | W | U));  // walks set A
}

TEST_CASE("the hypervisor's top-level slots are never written; writes are committed per operation",
          "[shadow]") {
  ShadowMem sm;
  static int commits;
  commits = 0;
  sm.ops.commit = [](void *) { commits++; };
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  s.foreign_first = 256;
  s.foreign_end = 272;
  // what a hypervisor puts there itself
  sm.pages[s.top[0]][260] = 0x1234000 | P;
  sm.pages[s.top[1]][260] = 0x1234000 | P;
  vmm_shadow_flush(&s);
  CHECK(sm.pages[s.top[0]][260] == (0x1234000 | P));
  CHECK(sm.pages[s.top[1]][260] == (0x1234000 | P));
  CHECK(commits == 1);
  CHECK(vmm_shadow_set(&s, 0xffff820000000000ULL, 0, (0x99ULL << 12) | P) == -1);
  CHECK(vmm_shadow_set(&s, 0x400000, 0, (0x99ULL << 12) | P) == 0);
  CHECK(commits == 3);
}
