// SPDX-License-Identifier: GPL-3.0-or-later
// The trap hook's policy: a shadow miss is filled and restarted, a fault
// the guest's own tables explain is delivered to the guest with its cr2,
// the VMM's region is filled from the VMM's translation, and other
// exceptions are reflected with their error codes.
#include <catch2/catch.hpp>

#include <array>
#include <map>

#include "vmm/guest_memory.h"
#include "vmm/traps.h"
#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t P = X86_PTE_P, W = X86_PTE_W, U = X86_PTE_U;

// Shadow tables in a map of machine pages; p2m: mfn = gfn + 0x10000.
struct Shadow {
  std::map<uint64_t, std::array<uint64_t, 512>> pages;
  uint64_t next = 0x80000;
  vmm_shadow_ops ops{};
  vmm_shadow shadow{};
  Shadow() {
    ops.ctx = this;
    ops.alloc = [](void *c) -> uint64_t {
      auto &s = *static_cast<Shadow *>(c);
      s.pages[s.next].fill(0);
      return s.next++;
    };
    ops.release = [](void *c, uint64_t mfn) { static_cast<Shadow *>(c)->pages.erase(mfn); };
    ops.read = [](void *c, uint64_t mfn, unsigned i, uint64_t *e) {
      *e = static_cast<Shadow *>(c)->pages.at(mfn)[i];
      return 0;
    };
    ops.write = [](void *c, uint64_t mfn, unsigned i, uint64_t e) {
      static_cast<Shadow *>(c)->pages.at(mfn)[i] = e;
      return 0;
    };
    ops.p2m = [](void *, uint64_t gfn) -> uint64_t { return gfn + 0x10000; };
    REQUIRE(vmm_shadow_init(&shadow, &ops, 1) == 0);
  }
  // The shadow leaf for va in the kernel (0) or user (1) table, or 0.
  uint64_t leaf(uint64_t va, int table) {
    uint64_t t = shadow.top[table];
    for (unsigned level = 4; level > 1; --level) {
      uint64_t e = pages.at(t)[(va >> (12 + 9 * (level - 1))) & 511];
      if (!(e & P)) return 0;
      t = (e >> 12) & 0xffffffffffULL;
    }
    return pages.at(t)[(va >> 12) & 511];
  }
};

struct Env {
  Machine m;
  PhysMem phys;
  Shadow sh;
  vmm_trap_env env{};
  static constexpr uint64_t kVa = 0xffff800000000000ULL;
  static constexpr uint64_t kVmmStart = 0xffffffffc0000000ULL;
  Env() {
    phys.limit = 64 << 20;
    // guest tables: PML4 0x1000 -> 0x2000 -> 0x3000 -> PT 0x4000 for kVa
    phys.set(0x1000 + 8 * 256, 0x2000 | P | W | U);
    phys.set(0x2000, 0x3000 | P | W | U);
    phys.set(0x3000, 0x4000 | P | W | U);
    m.vcpu.cr3 = 0x1000;
    env.shadow = &sh.shadow;
    env.guest_phys = &phys.phys;
    env.vmm_start = kVmmStart;
    env.vmm_end = kVmmStart + 0x100000;
    env.vmm_frame = [](void *, uint64_t va) -> uint64_t { return 0x7000 + ((va >> 12) & 0xff); };
  }
};

}  // namespace

TEST_CASE("a shadow miss is filled and the instruction restarted", "[traps]") {
  Env e;
  e.phys.set(0x4000 + 8 * 2, (0x200ULL << 12) | P | W);
  e.m.regs.rip = 0xffffffff81000010ULL;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_PF, X86_PF_W, Env::kVa + 0x2008,
                              &e.env) == VMM_DONE);
  CHECK(e.m.regs.rip == 0xffffffff81000010ULL);  // restarted, not delivered
  uint64_t leaf = e.sh.leaf(Env::kVa + 0x2000, 0);
  CHECK((leaf >> 12) == 0x200 + 0x10000);
  CHECK((leaf & W) != 0);
}

TEST_CASE("a fault of the guest's own tables reaches its IDT with its cr2", "[traps]") {
  Env e;
  e.m.regs.rip = 0xffffffff81000010ULL;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_PF, 0, Env::kVa + 0x5000, &e.env) ==
          VMM_DONE);
  CHECK(e.m.regs.rip == kHandler + X86_EXC_PF * 16);
  CHECK(e.m.vcpu.cr2 == Env::kVa + 0x5000);
  auto f = e.m.frame(2);
  CHECK(f[0] == 0);  // not present, read, supervisor
  CHECK(f[1] == 0xffffffff81000010ULL);
}

TEST_CASE("the VMM's region is filled from its own translation", "[traps]") {
  Env e;
  uint64_t va = Env::kVmmStart + 0x3010;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_PF, 0, va, &e.env) == VMM_DONE);
  CHECK((e.sh.leaf(va, 0) >> 12) == 0x7003);
  CHECK(e.sh.leaf(va, 1) == 0);  // never in the user table
}

TEST_CASE("other exceptions are reflected with their error codes", "[traps]") {
  Env e;
  e.m.regs.rip = 0x1234;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_GP, 0x18, 0, &e.env) == VMM_DONE);
  CHECK(e.m.frame(1)[0] == 0x18);
  Env u;
  u.m.regs.rip = 0x1234;
  REQUIRE(vmm_guest_exception(&u.m.vcpu, &u.m.regs, X86_EXC_UD, 0x99, 0, &u.env) == VMM_DONE);
  CHECK(u.m.frame(1)[0] == 0x1234);  // #UD has no error code
  CHECK(vmm_vector_has_error(X86_EXC_DF));
  CHECK(vmm_vector_has_error(X86_EXC_AC));
  CHECK_FALSE(vmm_vector_has_error(X86_EXC_BP));
}

namespace {

// A guest linked at 0xffffffff81000000, physical 0x1000000, with the VMM
// region at Env::kVmmStart: its site at kSiteLinked runs 1:1 at kSiteRan.
constexpr uint64_t kOff = 0xffffffff80000000ULL;
constexpr uint64_t kSiteLinked = 0xffffffff81000089ULL, kSiteRan = kSiteLinked - kOff;

struct AliasEnv : Env {
  vmm_site_desc site{};
  AliasEnv() {
    env.alias_offset = kOff;
    site.site = kSiteLinked;
    site.resume = kSiteLinked + 5;
    m.vcpu.sites = &site;
    m.vcpu.sites_end = &site + 1;
    m.regs.gpr[VMM_RSP] = 0x8000;
  }
};

}  // namespace

TEST_CASE("the region's 1:1 alias: a call from a site moves to where the region is linked",
          "[traps][alias]") {
  AliasEnv e;
  const uint64_t alias = Env::kVmmStart - kOff + 0x26030;  // the site's thunk, reached 1:1
  e.m.write64(0x8000, kSiteRan + 5);                       // the call's return address
  e.m.regs.rip = alias;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_PF, X86_PF_I, alias, &e.env) ==
          VMM_DONE);
  CHECK(e.m.regs.rip == Env::kVmmStart + 0x26030);
  CHECK(e.sh.leaf(alias, 0) == 0);  // not mapped at the alias
  CHECK(e.m.vcpu.cr2 == 0);         // nothing delivered
}

TEST_CASE("the region's 1:1 alias: a site's data access gets the region's page, not executable",
          "[traps][alias]") {
  AliasEnv e;
  const uint64_t data = Env::kVmmStart - kOff + 0x3001;  // vmm_pcpu+1, inline cli
  e.m.regs.rip = kSiteRan;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_PF, X86_PF_W, data, &e.env) ==
          VMM_DONE);
  CHECK(e.m.regs.rip == kSiteRan);  // restarted
  uint64_t leaf = e.sh.leaf(data, 0);
  CHECK((leaf & 0xffffffffff000ULL) >> 12 == 0x7003);  // the region's own frame
  CHECK((leaf & X86_PTE_W) != 0);
  CHECK((leaf & X86_PTE_NX) != 0);
  CHECK(e.sh.leaf(data, 1) == 0);  // never in the user table
}

TEST_CASE("the region's 1:1 alias: what does not come from a site is the guest's",
          "[traps][alias]") {
  AliasEnv e;
  const uint64_t addr = Env::kVmmStart - kOff + 0x3000;
  // a kernel access to memory the guest maps there (copy_to_user, say)
  e.m.regs.rip = 0xffffffff81234567ULL;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_PF, X86_PF_W, addr, &e.env) ==
          VMM_DONE);
  CHECK(e.m.regs.rip == kHandler + X86_EXC_PF * 16);
  CHECK(e.sh.leaf(addr, 0) == 0);
  // a jump there that no site's call made
  AliasEnv j;
  j.m.write64(0x8000, 0xffffffff81234567ULL);
  j.m.regs.rip = addr;
  REQUIRE(vmm_guest_exception(&j.m.vcpu, &j.m.regs, X86_EXC_PF, X86_PF_I, addr, &j.env) ==
          VMM_DONE);
  CHECK(j.m.regs.rip == kHandler + X86_EXC_PF * 16);
  CHECK(j.m.vcpu.cr2 == addr);
}

TEST_CASE("without an alias, low addresses are the guest's", "[traps][alias]") {
  Env e;
  const uint64_t addr = Env::kVmmStart - kOff + 0x26030;
  e.m.regs.rip = addr;
  REQUIRE(vmm_guest_exception(&e.m.vcpu, &e.m.regs, X86_EXC_PF, X86_PF_I, addr, &e.env) ==
          VMM_DONE);
  CHECK(e.m.regs.rip == kHandler + X86_EXC_PF * 16);  // the guest's #PF
  CHECK(e.m.vcpu.cr2 == addr);
}
