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
  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_ALL);
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
  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_ALL);
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
  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_ALL);
  CHECK(sm.pages[s.top[0]][260] == (0x1234000 | P));
  CHECK(sm.pages[s.top[1]][260] == (0x1234000 | P));
  CHECK(commits == 1);
  CHECK(vmm_shadow_set(&s, 0xffff820000000000ULL, 0, (0x99ULL << 12) | P) == -1);
  CHECK(vmm_shadow_set(&s, 0x400000, 0, (0x99ULL << 12) | P) == 0);
  CHECK(commits == 3);
}

namespace {

constexpr uint64_t G = X86_PTE_G;

// A guest with PGE on; page 1 in a second PT (0x5000) under the same PD, so
// that the region has two leaf tables below one L2 entry ... the PD.
struct GlobalGuest : Guest {
  GlobalGuest() {
    paging.pge = 1;
    mem.set(0x3000 + 8 * 1, 0x5000 | P | W | U);  // 2 MiB further: its own PT
  }
  void map_far(unsigned page, uint64_t flags) { mem.set(0x5000 + 8 * page, ((0x180ULL + page) << 12) | flags); }
  static uint64_t far_va(unsigned page) { return kBase + 0x200000 + page * 0x1000ULL; }
};

// Counts entry writes, to show what a flush costs.
struct WriteCounter {
  static inline int writes;
  static inline int (*inner)(void *, uint64_t, unsigned, uint64_t);
  static int write(void *c, uint64_t mfn, unsigned i, uint64_t e) {
    writes++;
    return inner(c, mfn, i, e);
  }
  ShadowMem &sm;
  explicit WriteCounter(ShadowMem &m) : sm(m) {
    inner = sm.ops.write;
    sm.ops.write = write;
    writes = 0;
  }
  ~WriteCounter() { sm.ops.write = inner; }
};

int fault(vmm_shadow &s, Guest &g, uint64_t va, unsigned access = VMM_ACCESS_READ) {
  vmm_walk_result w{};
  return vmm_shadow_fault(&s, &g.mem.phys, &g.paging, va, access, &w);
}

}  // namespace

TEST_CASE("the shadow leaf of a G = 1 entry is global only while CR4.PGE is set", "[shadow][global]") {
  vmm_walk_result w{};
  vmm_paging p{};
  w.leaf = P | G | D;
  w.writable = w.user = 1;
  p.pge = 1;
  CHECK((vmm_shadow_pte(&w, &p, 0x42, 0, 1) & VMM_SHADOW_GLOBAL) != 0);
  p.pge = 0;
  CHECK((vmm_shadow_pte(&w, &p, 0x42, 0, 1) & VMM_SHADOW_GLOBAL) == 0);
  p.pge = 1;
  w.leaf = P | D;
  CHECK((vmm_shadow_pte(&w, &p, 0x42, 0, 1) & VMM_SHADOW_GLOBAL) == 0);
}

TEST_CASE("a cr3-load flush keeps global translations and drops the others", "[shadow][global]") {
  ShadowMem sm;
  GlobalGuest g;
  g.map(3, P | W | D | G);
  g.map(4, P | W | D | G);
  g.map_far(5, P | W | D);  // not global, in the other PT
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  REQUIRE(fault(s, g, Guest::va(3)) == 0);
  REQUIRE(fault(s, g, Guest::va(4)) == 0);
  REQUIRE(fault(s, g, GlobalGuest::far_va(5)) == 0);
  CHECK(s.npages == 4);  // L3, L2, and two L1
  CHECK(s.nglobal == 3);  // the far L1 holds no global leaf
  size_t before = sm.in_use;
  uint64_t fills = s.fills;

  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_NONGLOBAL);
  CHECK(shadow_translate(sm, s, 0, Guest::va(3), 0) == (0x103 + kMachineOffset) << 12);
  CHECK(shadow_translate(sm, s, 0, Guest::va(4), 0) == (0x104 + kMachineOffset) << 12);
  CHECK(shadow_translate(sm, s, 0, GlobalGuest::far_va(5), 0) == ~0ULL);
  CHECK(s.npages == 3);
  CHECK(sm.in_use == before - 1);  // the far L1 went back
  CHECK(s.fills == fills);  // used as is, without a new fill

  // the far L1 comes back when needed, and the pool stays consistent
  REQUIRE(fault(s, g, GlobalGuest::far_va(5)) == 0);
  CHECK(shadow_translate(sm, s, 0, GlobalGuest::far_va(5), 0) == (0x185 + kMachineOffset) << 12);
  CHECK(s.npages == 4);
  CHECK(s.nglobal == 3);

  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_ALL);
  CHECK(shadow_translate(sm, s, 0, Guest::va(3), 0) == ~0ULL);
  CHECK(shadow_translate(sm, s, 0, Guest::va(4), 0) == ~0ULL);
  CHECK(s.npages == 0);
  CHECK(s.nglobal == 0);
  CHECK(sm.in_use == 2);  // the tops only
}

TEST_CASE("a mixed leaf table keeps only its global leaf", "[shadow][global]") {
  ShadowMem sm;
  GlobalGuest g;
  g.map(3, P | W | D | G);
  g.map(4, P | W | D);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  REQUIRE(fault(s, g, Guest::va(4)) == 0);  // non-global first: the path turns mixed later
  REQUIRE(fault(s, g, Guest::va(3)) == 0);
  CHECK(s.nglobal == 3);
  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_NONGLOBAL);
  CHECK(shadow_translate(sm, s, 0, Guest::va(3), 0) == (0x103 + kMachineOffset) << 12);
  CHECK(shadow_translate(sm, s, 0, Guest::va(4), 0) == ~0ULL);
  CHECK(s.npages == 3);
  // the entries above now say "global only": the next flush writes nothing
  WriteCounter count(sm);
  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_NONGLOBAL);
  CHECK(WriteCounter::writes == 0);
  CHECK(shadow_translate(sm, s, 0, Guest::va(3), 0) == (0x103 + kMachineOffset) << 12);
}

TEST_CASE("invlpg drops a global translation; without PGE nothing is kept", "[shadow][global]") {
  ShadowMem sm;
  GlobalGuest g;
  g.map(3, P | W | D | G);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  REQUIRE(fault(s, g, Guest::va(3)) == 0);
  vmm_shadow_invlpg(&s, Guest::va(3));
  CHECK(shadow_translate(sm, s, 0, Guest::va(3), 0) == ~0ULL);
  CHECK_FALSE(vmm_shadow_mapped(&s, Guest::va(3), 0));
  REQUIRE(fault(s, g, Guest::va(3)) == 0);
  CHECK(vmm_shadow_mapped(&s, Guest::va(3), 0));

  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_ALL);  // what clearing CR4.PGE does
  g.paging.pge = 0;
  REQUIRE(fault(s, g, Guest::va(3)) == 0);
  CHECK(s.nglobal == 0);
  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_NONGLOBAL);
  CHECK(shadow_translate(sm, s, 0, Guest::va(3), 0) == ~0ULL);
  CHECK(s.npages == 0);
  CHECK(sm.in_use == 2);
}

TEST_CASE("a cr3-load flush of a context switch writes no more than a full one", "[shadow][global]") {
  ShadowMem sm;
  GlobalGuest g;
  // kernel half global; user pages at 0x400000 non-global, in both tables
  for (unsigned i = 0; i < 8; i++) g.map(i, P | W | D | G);
  g.mem.set(0x1000, 0x6000 | P | W | U);
  g.mem.set(0x6000, 0x7000 | P | W | U);
  g.mem.set(0x7000 + 8 * 2, 0x8000 | P | W | U);
  for (unsigned i = 0; i < 8; i++) g.mem.set(0x8000 + 8 * i, ((0x300ULL + i) << 12) | P | W | U | D);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  auto fill_all = [&] {
    for (unsigned i = 0; i < 8; i++) {
      REQUIRE(fault(s, g, Guest::va(i)) == 0);
      REQUIRE(fault(s, g, 0x400000 + i * 0x1000ULL) == 0);
      REQUIRE(fault(s, g, 0x400000 + i * 0x1000ULL, VMM_ACCESS_USER) == 0);
    }
  };
  fill_all();
  int full, nonglobal;
  {
    WriteCounter count(sm);
    vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_ALL);
    full = WriteCounter::writes;
  }
  fill_all();
  {
    WriteCounter count(sm);
    vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_NONGLOBAL);
    nonglobal = WriteCounter::writes;
  }
  CHECK(full == 3);       // kernel's user slot, kernel's kernel slot, user's user slot
  CHECK(nonglobal == 2);  // the kernel slot stays
  CHECK(shadow_translate(sm, s, 0, Guest::va(7), 0) == (0x107 + kMachineOffset) << 12);
  CHECK(shadow_translate(sm, s, 0, 0x400000, 0) == ~0ULL);
  CHECK(shadow_translate(sm, s, 1, 0x400000, VMM_ACCESS_USER) == ~0ULL);
}

TEST_CASE("non-global flushes keep links and the hypervisor's slots", "[shadow][global]") {
  ShadowMem sm;
  GlobalGuest g;
  g.map(2, P | W | D | G);
  vmm_shadow s{};
  REQUIRE(vmm_shadow_init(&s, &sm.ops, 1) == 0);
  s.foreign_first = 260;
  s.foreign_end = 262;
  sm.pages[s.top[0]][260] = 0x1234000 | P;
  sm.pages[s.top[1]][261] = 0x1234000 | P;
  const uint64_t own_l1 = 0x90000, linked_va = 0x200000;
  sm.pages[own_l1].fill(0);
  sm.pages[own_l1][1] = (0x777ULL << 12) | P | W | U;
  REQUIRE(vmm_shadow_link(&s, linked_va, 2, (own_l1 << 12) | P | W | U) == 0);
  // a global and a non-global guest page next to the link, under its path
  g.mem.set(0x1000, 0x6000 | P | W | U);
  g.mem.set(0x6000, 0x7000 | P | W | U);
  g.mem.set(0x7000 + 8 * 2, 0x8000 | P | W | U);
  g.mem.set(0x8000, (0x300ULL << 12) | P | W | D | G);
  g.mem.set(0x8000 + 8, (0x301ULL << 12) | P | W | D);
  REQUIRE(fault(s, g, 0x400000) == 0);
  REQUIRE(fault(s, g, 0x401000) == 0);
  REQUIRE(fault(s, g, Guest::va(2)) == 0);
  // the entries on the link's path carry no marks
  uint64_t l4e = sm.pages[s.top[0]][0];
  CHECK((l4e & (VMM_SHADOW_GLOBAL | VMM_SHADOW_LOCAL)) == 0);
  uint64_t l3e = sm.pages[(l4e & 0x000ffffffffff000ULL) >> 12][0];
  CHECK((l3e & (VMM_SHADOW_GLOBAL | VMM_SHADOW_LOCAL)) == 0);

  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_NONGLOBAL);
  CHECK(shadow_translate(sm, s, 0, linked_va + 0x1008, 0) == (0x777ULL << 12 | 8));
  CHECK(shadow_translate(sm, s, 0, 0x400000, 0) == (0x300 + kMachineOffset) << 12);
  CHECK(shadow_translate(sm, s, 0, 0x401000, 0) == ~0ULL);
  CHECK(shadow_translate(sm, s, 0, Guest::va(2), 0) == (0x102 + kMachineOffset) << 12);
  CHECK(sm.pages[s.top[0]][260] == (0x1234000 | P));
  CHECK(sm.pages[s.top[1]][261] == (0x1234000 | P));
  CHECK(sm.pages[s.top[0]][0] == l4e);

  vmm_shadow_flush(&s, VMM_SHADOW_FLUSH_ALL);
  CHECK(shadow_translate(sm, s, 0, linked_va + 0x1008, 0) == (0x777ULL << 12 | 8));
  CHECK(shadow_translate(sm, s, 0, 0x400000, 0) == ~0ULL);
  CHECK(shadow_translate(sm, s, 0, Guest::va(2), 0) == ~0ULL);
  CHECK(sm.pages[s.top[0]][260] == (0x1234000 | P));
  CHECK(s.npages == 0);
}
