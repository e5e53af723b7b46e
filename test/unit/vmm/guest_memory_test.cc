// SPDX-License-Identifier: GPL-3.0-or-later
// Guest linear memory through the guest's page tables: the emulation and
// event delivery running on top of the page walk, as under shadow paging.
#include <catch2/catch.hpp>

#include "vmm/guest_memory.h"
#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t P = X86_PTE_P, W = X86_PTE_W, U = X86_PTE_U, D = X86_PTE_D;

// Page tables at 0x1000..0x4000 mapping the 2 MiB region at va 0xffff800000000000:
// page i of it -> guest frame 0x100000 + i * 0x1000 with the given flags.
struct Paged {
  PhysMem phys;
  Machine m;
  vmm_paged_mem pm{};
  static constexpr uint64_t kBase = 0xffff800000000000ULL;
  Paged() {
    phys.limit = 8 << 20;
    phys.set(0x1000 + 8 * 256, 0x2000 | P | W | U);
    phys.set(0x2000, 0x3000 | P | W | U);
    phys.set(0x3000, 0x4000 | P | W | U);
    vmm_paged_mem_init(&pm, &m.vcpu, &phys.phys);
    m.vcpu.mem = &pm.mem;
    m.vcpu.cr3 = 0x1000;
  }
  void map(unsigned page, uint64_t flags) {
    phys.set(0x4000 + 8 * page, (0x100000 + page * 0x1000ULL) | flags);
  }
  static uint64_t va(unsigned page, uint64_t off = 0) { return kBase + page * 0x1000ULL + off; }
  static uint64_t pa(unsigned page, uint64_t off = 0) { return 0x100000 + page * 0x1000ULL + off; }
};

}  // namespace

TEST_CASE("an exception from user mode lands on the translated rsp0 stack", "[guest-memory]") {
  Paged g;
  // descriptor tables and TSS live in pages 0..2, the kernel stack in page 5,
  // the user stack in page 9
  for (unsigned i : {0u, 1u, 2u, 5u}) g.map(i, P | W);
  g.map(9, P | W | U);
  g.m.vcpu.gdtr.base = Paged::va(0);
  g.m.vcpu.idtr.base = Paged::va(1);
  g.m.vcpu.tr.base = Paged::va(2);
  for (uint64_t off = 0; off < 0x50; off += 8) g.phys.set(Paged::pa(0, off), g.m.read64(kGdt + off));
  for (uint64_t off = 0; off < 0x1000; off += 8) g.phys.set(Paged::pa(1, off), g.m.read64(kIdt + off));
  g.phys.set(Paged::pa(2, 0), Paged::va(6) << 32);  // rsp0 low half at offset 4
  g.phys.set(Paged::pa(2, 8), Paged::va(6) >> 32);
  g.m.enter_user();
  g.m.regs.gpr[VMM_RSP] = Paged::va(10);
  g.m.regs.rip = 0x401000;
  REQUIRE(vmm_deliver(&g.m.vcpu, &g.m.regs, X86_EXC_GP, VMM_EVENT_EXCEPTION, 1, 0) == VMM_DONE);
  CHECK(g.m.regs.gpr[VMM_RSP] == Paged::va(6) - 48);
  CHECK(g.phys.get(Paged::pa(5, 0x1000 - 48)) == 0);           // error code
  CHECK(g.phys.get(Paged::pa(5, 0x1000 - 40)) == 0x401000);    // rip
  CHECK(g.phys.get(Paged::pa(5, 0x1000 - 16)) == Paged::va(10));  // user rsp
  CHECK((g.phys.get(0x4000 + 8 * 5) & D) != 0);                // the stack page is dirty now
}

TEST_CASE("a push across into an unmapped page faults without a partial write", "[guest-memory]") {
  Paged g;
  g.map(3, P | W);  // page 4 stays unmapped
  g.phys.set(Paged::pa(3, 0xff8), 0x1111);
  uint64_t value = 0x2222222222222222ULL;
  vmm_fault f{};
  REQUIRE(g.pm.mem.write(g.pm.mem.ctx, Paged::va(3, 0xffc), &value, 8, 0, &f) != 0);
  CHECK(f.vector == X86_EXC_PF);
  CHECK(f.cr2 == Paged::va(4));
  CHECK(f.error == X86_PF_W);
  CHECK(g.phys.get(Paged::pa(3, 0xff8)) == 0x1111);

  g.map(4, P | W);
  REQUIRE(g.pm.mem.write(g.pm.mem.ctx, Paged::va(3, 0xffc), &value, 8, 0, &f) == 0);
  uint64_t back = 0;
  REQUIRE(g.pm.mem.read(g.pm.mem.ctx, Paged::va(3, 0xffc), &back, 8, 0, &f) == 0);
  CHECK(back == value);
  CHECK(g.phys.get(Paged::pa(3, 0xff8)) == 0x2222222200001111ULL);
}

TEST_CASE("user-mode operands obey U/S and R/W; the guest sees #PF with its cr2", "[guest-memory]") {
  Paged g;
  g.map(7, P | W);      // supervisor
  g.map(8, P | U);      // user read-only
  vmm_fault f{};
  uint64_t x;
  CHECK(g.pm.mem.read(g.pm.mem.ctx, Paged::va(7), &x, 8, 1, &f) != 0);
  CHECK(f.error == (X86_PF_P | X86_PF_U));
  CHECK(g.pm.mem.read(g.pm.mem.ctx, Paged::va(8), &x, 8, 1, &f) == 0);
  CHECK(g.pm.mem.write(g.pm.mem.ctx, Paged::va(8), &x, 8, 1, &f) != 0);
  CHECK(f.error == (X86_PF_P | X86_PF_W | X86_PF_U));
  CHECK(g.pm.mem.write(g.pm.mem.ctx, Paged::va(8), &x, 8, 0, &f) != 0);  // CR0.WP
  g.m.vcpu.cr0 &= ~uint64_t(X86_CR0_WP);
  CHECK(g.pm.mem.write(g.pm.mem.ctx, Paged::va(8), &x, 8, 0, &f) == 0);
}

TEST_CASE("an access that wraps around the address space is #GP(0)", "[guest-memory]") {
  Paged g;
  uint64_t x = 0;
  vmm_fault f{};
  CHECK(g.pm.mem.read(g.pm.mem.ctx, ~0ULL - 3, &x, 8, 0, &f) != 0);
  CHECK(f.vector == X86_EXC_GP);
  CHECK(f.error == 0);
  // ending exactly at the top is no wrap: the last page is walked (and absent here)
  CHECK(g.pm.mem.read(g.pm.mem.ctx, ~0ULL - 7, &x, 8, 0, &f) != 0);
  CHECK(f.vector == X86_EXC_PF);
  CHECK(f.cr2 == ~0ULL - 7);
}
