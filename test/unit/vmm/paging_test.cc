// SPDX-License-Identifier: GPL-3.0-or-later
// The 4-level page walk over guest-physical memory and the shadow entries
// derived from it.
#include <catch2/catch.hpp>

#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t P = X86_PTE_P, W = X86_PTE_W, U = X86_PTE_U, PS = X86_PTE_PS,
                   A = X86_PTE_A, D = X86_PTE_D, NX = X86_PTE_NX;

// Page tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD), 0x4000 (PT).
struct Tables {
  PhysMem mem;
  vmm_paging paging{};
  Tables(uint64_t top_flags = P | W | U) {
    paging.cr3 = 0x1000;
    paging.wp = 1;
    paging.nxe = 1;
    paging.maxphyaddr = 46;
    mem.set(0x1000 + 8 * 1, 0x2000 | top_flags);  // PML4[1]: 512 GiB .. 1 TiB
    mem.set(0x2000 + 8 * 2, 0x3000 | P | W | U);  // PDPT[2]
    mem.set(0x3000 + 8 * 3, 0x4000 | P | W | U);  // PD[3]
  }
  static uint64_t va(unsigned pt, uint64_t offset = 0) {
    return (1ULL << 39) | (2ULL << 30) | (3ULL << 21) | (uint64_t(pt) << 12) | offset;
  }
  int walk(uint64_t va, unsigned access, vmm_walk_result &w) {
    return vmm_walk(&mem.phys, &paging, va, access, &w);
  }
};

}  // namespace

TEST_CASE("a 4 KiB translation sets accessed bits, and dirty on a write", "[paging]") {
  Tables t;
  t.mem.set(0x4000 + 8 * 5, 0x777000 | P | W);
  vmm_walk_result w{};
  REQUIRE(t.walk(Tables::va(5, 0x123), VMM_ACCESS_READ, w) == 0);
  CHECK(w.gpa == 0x777123);
  CHECK(w.page_size == 0x1000);
  CHECK(w.levels == 4);
  CHECK(w.writable == 1);
  CHECK(w.user == 0);  // the leaf is supervisor-only
  CHECK((t.mem.get(0x1000 + 8) & A) != 0);
  CHECK((t.mem.get(0x4000 + 8 * 5) & A) != 0);
  CHECK((t.mem.get(0x4000 + 8 * 5) & D) == 0);
  REQUIRE(t.walk(Tables::va(5), VMM_ACCESS_WRITE, w) == 0);
  CHECK((t.mem.get(0x4000 + 8 * 5) & D) != 0);
  CHECK(w.entry_gpa[3] == 0x4000 + 8 * 5);
}

TEST_CASE("2 MiB and 1 GiB pages", "[paging]") {
  Tables t;
  t.mem.set(0x3000 + 8 * 4, 0x40000000 | P | W | PS);  // PD[4]: 2 MiB at 1 GiB
  t.mem.set(0x2000 + 8 * 5, 0x80000000 | P | PS);      // PDPT[5]: 1 GiB at 2 GiB
  vmm_walk_result w{};
  uint64_t va2m = (1ULL << 39) | (2ULL << 30) | (4ULL << 21) | 0x12345;
  REQUIRE(t.walk(va2m, VMM_ACCESS_READ, w) == 0);
  CHECK(w.gpa == 0x40012345);
  CHECK(w.page_size == 2 << 20);
  uint64_t va1g = (1ULL << 39) | (5ULL << 30) | 0x2345678;
  REQUIRE(t.walk(va1g, VMM_ACCESS_READ, w) == 0);
  CHECK(w.gpa == 0x82345678);
  CHECK(w.page_size == 1 << 30);
  CHECK(w.levels == 2);

  SECTION("reserved low bits of a large page") {
    t.mem.set(0x3000 + 8 * 4, 0x40002000 | P | W | PS);
    REQUIRE(t.walk(va2m, VMM_ACCESS_READ, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_RSVD));
  }
}

TEST_CASE("faults carry the hardware's error code and the address", "[paging]") {
  Tables t;
  vmm_walk_result w{};
  SECTION("not present") {
    REQUIRE(t.walk(Tables::va(9, 0x10), VMM_ACCESS_WRITE | VMM_ACCESS_USER, w) != 0);
    CHECK(w.fault.vector == X86_EXC_PF);
    CHECK(w.fault.error == (X86_PF_W | X86_PF_U));
    CHECK(w.fault.cr2 == Tables::va(9, 0x10));
    CHECK((t.mem.get(0x1000 + 8) & A) == 0);  // a failed walk sets no bit
  }
  SECTION("user access to a supervisor page") {
    t.mem.set(0x4000 + 8 * 6, 0x6000 | P | W);
    REQUIRE(t.walk(Tables::va(6), VMM_ACCESS_USER, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_U));
  }
  SECTION("U must be set at every level") {
    Tables s(P | W);
    s.mem.set(0x4000 + 8 * 6, 0x6000 | P | W | U);
    REQUIRE(s.walk(Tables::va(6), VMM_ACCESS_USER, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_U));
    REQUIRE(s.walk(Tables::va(6), VMM_ACCESS_READ, w) == 0);
  }
  SECTION("a supervisor write to a read-only page: only with CR0.WP") {
    t.mem.set(0x4000 + 8 * 7, 0x7000 | P);
    REQUIRE(t.walk(Tables::va(7), VMM_ACCESS_WRITE, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_W));
    t.paging.wp = 0;
    REQUIRE(t.walk(Tables::va(7), VMM_ACCESS_WRITE, w) == 0);
    REQUIRE(t.walk(Tables::va(7), VMM_ACCESS_WRITE | VMM_ACCESS_USER, w) != 0);
  }
  SECTION("execute-disable and the reserved XD bit without NXE") {
    t.mem.set(0x4000 + 8 * 8, 0x8000 | P | NX);
    REQUIRE(t.walk(Tables::va(8), VMM_ACCESS_FETCH, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_I));
    REQUIRE(t.walk(Tables::va(8), VMM_ACCESS_READ, w) == 0);
    t.paging.nxe = 0;
    REQUIRE(t.walk(Tables::va(8), VMM_ACCESS_READ, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_RSVD));
  }
  SECTION("physical address bits above MAXPHYADDR") {
    t.mem.set(0x4000 + 8 * 8, (1ULL << 47) | P);
    REQUIRE(t.walk(Tables::va(8), VMM_ACCESS_READ, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_RSVD));
  }
  SECTION("SMEP and SMAP") {
    t.mem.set(0x4000 + 8 * 9, 0x9000 | P | W | U);
    t.paging.smep = t.paging.smap = 1;
    REQUIRE(t.walk(Tables::va(9), VMM_ACCESS_FETCH, w) != 0);
    CHECK(w.fault.error == (X86_PF_P | X86_PF_I));
    REQUIRE(t.walk(Tables::va(9), VMM_ACCESS_READ, w) != 0);
    t.paging.ac = 1;  // stac opens user pages to the kernel
    REQUIRE(t.walk(Tables::va(9), VMM_ACCESS_READ, w) == 0);
    t.paging.ac = 0;
    REQUIRE(t.walk(Tables::va(9), VMM_ACCESS_READ | VMM_ACCESS_IMPLICIT, w) == 0);
  }
  SECTION("a non-canonical address is #GP, not #PF") {
    REQUIRE(t.walk(0x0000800000000000ULL, VMM_ACCESS_READ, w) != 0);
    CHECK(w.fault.vector == X86_EXC_GP);
  }
  SECTION("a table outside guest RAM") {
    t.mem.limit = 0x3000;
    REQUIRE(t.walk(Tables::va(1), VMM_ACCESS_READ, w) != 0);
    CHECK((w.fault.error & X86_PF_RSVD) != 0);
  }
}

TEST_CASE("shadow entries: user table, dirty tracking, execute-disable", "[paging][shadow]") {
  Tables t;
  t.mem.set(0x4000 + 8 * 1, 0x1000 | P | W);           // kernel page
  t.mem.set(0x4000 + 8 * 2, 0x2000 | P | W | U | NX);  // user data page
  vmm_walk_result w{};
  REQUIRE(t.walk(Tables::va(1), VMM_ACCESS_READ, w) == 0);
  uint64_t k = vmm_shadow_pte(&w, &t.paging, 0x5555, 0, 1);
  CHECK((k & P) != 0);
  CHECK((k >> 12) == 0x5555);
  CHECK((k & U) != 0);  // the Xen PV kernel runs in ring 3
  CHECK((k & W) == 0);  // clean: the first write faults so that D can be set
  CHECK(vmm_shadow_pte(&w, &t.paging, 0x5555, 1, 1) == 0);  // not in the user table
  CHECK((vmm_shadow_pte(&w, &t.paging, 0x5555, 0, 0) & U) == 0);

  REQUIRE(t.walk(Tables::va(1), VMM_ACCESS_WRITE, w) == 0);
  CHECK((vmm_shadow_pte(&w, &t.paging, 0x5555, 0, 1) & W) != 0);

  REQUIRE(t.walk(Tables::va(2), VMM_ACCESS_WRITE | VMM_ACCESS_USER, w) == 0);
  uint64_t u = vmm_shadow_pte(&w, &t.paging, 0x6666, 1, 1);
  CHECK((u & (P | U | W | NX)) == (P | U | W | NX));
}

TEST_CASE("the walk follows the vCPU's paging controls", "[paging]") {
  Machine m;
  m.vcpu.cr3 = 0x1000;
  m.vcpu.efer |= X86_EFER_NXE;
  m.vcpu.cr4 |= X86_CR4_SMAP;
  vmm_set_vflags_sys(&m.vcpu, vmm_vflags_sys(&m.vcpu) | X86_FLAGS_AC);
  vmm_paging p{};
  vmm_paging_from_vcpu(&m.vcpu, &p);
  CHECK(p.cr3 == 0x1000);
  CHECK(p.wp == 1);
  CHECK(p.nxe == 1);
  CHECK(p.smap == 1);
  CHECK(p.smep == 0);
  CHECK(p.ac == 1);
}
