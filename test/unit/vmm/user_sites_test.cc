// SPDX-License-Identifier: GPL-3.0-or-later
// Rewritten sites reached in user mode fault on the VMM (which the user
// shadow does not map); the VMM recovers the site from the fault and
// emulates it with user privilege.
#include <catch2/catch.hpp>

#include "vmm/user_sites.h"
#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t kUserSite = 0x60000, kThunk = 0x50000, kNostackThunk = 0x50100,
                   kDesc = 0x51000;
const vmm_entry_points kEntry = {0x70000, 0x70200, 0x71000};

void put(Machine &m, uint64_t at, std::vector<uint8_t> bytes) {
  std::copy(bytes.begin(), bytes.end(), m.ram.begin() + long(at));
}

void put32(std::vector<uint8_t> &v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(uint8_t(x >> (8 * i)));
}

// The user stack after the site's `call`, which ends the site: the return
// address (the site's end) on top.
void called_from_site(Machine &m, uint64_t entry, unsigned site_length = 5) {
  m.enter_user();
  m.regs.gpr[VMM_RSP] = kUserStack - 8;
  m.write64(kUserStack - 8, kUserSite + site_length);
  m.regs.rip = entry;
}

void require_user_fault(Machine &m, unsigned vector, uint64_t error) {
  REQUIRE(m.regs.rip == kHandler + vector * 16);
  CHECK(m.vcpu.cpl == 0);
  auto f = m.frame(5);
  CHECK(f[0] == error);
  CHECK(f[1] == kUserSite);  // rip = the site, as if the original instruction faulted
  CHECK(f[2] == kUserCs);
  CHECK(f[4] == kUserStack);  // the user's %rsp before the call
}

}  // namespace

TEST_CASE("a user-mode inline cli faults on vmm_pcpu and becomes #GP at the cli", "[user-sites]") {
  Machine m;
  std::vector<uint8_t> cli = {0xc6, 0x05};
  put32(cli, uint32_t(kEntry.pcpu + 1 - (kUserSite + 7)));
  cli.push_back(0x00);
  cli.push_back(0x90);
  put(m, kUserSite, cli);
  m.enter_user();
  m.regs.rip = kUserSite;
  REQUIRE(vmm_user_site_fault(&m.vcpu, &m.regs, kEntry.pcpu + 1, &kEntry) == VMM_DONE);
  require_user_fault(m, X86_EXC_GP, 0);

  // the form elfrewrite writes: a DS prefix makes the site one instruction
  Machine p;
  std::vector<uint8_t> prefixed = {0x3e, 0xc6, 0x05};
  put32(prefixed, uint32_t(kEntry.pcpu + 1 - (kUserSite + 8)));
  prefixed.push_back(0x00);
  put(p, kUserSite, prefixed);
  p.enter_user();
  p.regs.rip = kUserSite;
  REQUIRE(vmm_user_site_fault(&p.vcpu, &p.regs, kEntry.pcpu + 1, &kEntry) == VMM_DONE);
  require_user_fault(p, X86_EXC_GP, 0);
}

TEST_CASE("a user-mode call to vmm_sti becomes #GP at the sti", "[user-sites]") {
  Machine m;
  called_from_site(m, kEntry.sti, VMM_STI_SITE_LENGTH);
  REQUIRE(vmm_user_site_fault(&m.vcpu, &m.regs, kEntry.sti, &kEntry) == VMM_DONE);
  require_user_fault(m, X86_EXC_GP, 0);
}

// The popf site of elfrewrite --target=xen at kUserSite (24 bytes).
void put_popf_site(Machine &m) {
  std::vector<uint8_t> site = {0xf7, 0x04, 0x24, 0x00, 0x72, 0x24, 0x00, 0x74, 0x05, 0xe8};
  put32(site, uint32_t(kEntry.popf_slow - (kUserSite + 14)));
  site.insert(site.end(), {0x66, 0xc7, 0x05});
  put32(site, uint32_t(kEntry.pcpu - (kUserSite + 23)));
  site.insert(site.end(), {0x00, 0x00, 0x9d});
  REQUIRE(site.size() == VMM_POPF_SITE_LENGTH);
  put(m, kUserSite, site);
}

TEST_CASE("a user-mode pushf site's read of vmm_pcpu: the pushfq undone, pushf emulated",
          "[user-sites]") {
  Machine m;
  std::vector<uint8_t> site = {0x9c, 0xff, 0x15};
  put32(site, uint32_t(kEntry.pcpu - (kUserSite + 7)));
  put(m, kUserSite, site);
  m.enter_user();
  m.regs.rip = kUserSite + 1;  // the call; the pushfq has run
  m.regs.gpr[VMM_RSP] = kUserStack - 8;
  m.regs.rflags = 0x202 | X86_FLAGS_CF;
  REQUIRE(vmm_user_site_fault(&m.vcpu, &m.regs, kEntry.pcpu, &kEntry) == VMM_DONE);
  CHECK(m.regs.rip == kUserSite + VMM_PUSHF_SITE_LENGTH);
  CHECK(m.regs.gpr[VMM_RSP] == kUserStack - 8);
  CHECK(m.read64(kUserStack - 8) == (0x202 | X86_FLAGS_CF));  // IF = 1 in user mode
  CHECK(m.vcpu.cpl == 3);
}

TEST_CASE("a user-mode popf site, fast store or slow call, is emulated with user rights",
          "[user-sites]") {
  Machine m;
  put_popf_site(m);
  m.enter_user();
  m.regs.rip = kUserSite + 14;  // the movw to vmm_pcpu
  m.regs.gpr[VMM_RSP] = kUserStack - 8;
  m.write64(kUserStack - 8, 0x2 | X86_FLAGS_CF);
  REQUIRE(vmm_user_site_fault(&m.vcpu, &m.regs, kEntry.pcpu, &kEntry) == VMM_DONE);
  CHECK(m.regs.rip == kUserSite + VMM_POPF_SITE_LENGTH);
  CHECK(m.regs.gpr[VMM_RSP] == kUserStack);
  CHECK((m.regs.rflags & X86_FLAGS_CF) != 0);
  CHECK(vmm_vif(&m.vcpu));  // at CPL 3 with IOPL 0 popf keeps IF

  Machine s;
  put_popf_site(s);
  s.enter_user();
  s.regs.rip = kEntry.popf_slow;
  s.regs.gpr[VMM_RSP] = kUserStack - 16;
  s.write64(kUserStack - 16, kUserSite + 14);  // the call's return address
  s.write64(kUserStack - 8, 0x202 | X86_FLAGS_ZF | X86_FLAGS_IOPL);
  REQUIRE(vmm_user_site_fault(&s.vcpu, &s.regs, kEntry.popf_slow, &kEntry) == VMM_DONE);
  CHECK(s.regs.rip == kUserSite + VMM_POPF_SITE_LENGTH);
  CHECK(s.regs.gpr[VMM_RSP] == kUserStack);
  CHECK((s.regs.rflags & X86_FLAGS_ZF) != 0);
  CHECK((vmm_vflags_sys(&s.vcpu) & X86_FLAGS_IOPL) == 0);  // IOPL is not the user's to set
}

TEST_CASE("a user-mode call to a thunk runs the site's descriptor", "[user-sites]") {
  Machine m;
  std::vector<uint8_t> thunk = {0x68};
  put32(thunk, uint32_t(kDesc));
  thunk.push_back(0xe9);
  put32(thunk, 0);
  put(m, kThunk, thunk);
  vmm_site_desc d = m.site(PV_CLASS_MOV_FROM_SEG, 2, 5);
  d.site = kUserSite;
  d.resume = kUserSite + 5;
  d.op[0].kind = VMM_OP_GPR;
  d.op[0].reg = VMM_RBX;
  d.op[0].size = 4;
  d.op[1].kind = VMM_OP_SREG;
  d.op[1].reg = VMM_SEG_CS;
  std::memcpy(&m.ram[kDesc], &d, sizeof d);
  called_from_site(m, kThunk);
  REQUIRE(vmm_user_site_fault(&m.vcpu, &m.regs, kThunk, &kEntry) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RBX] == kUserCs);  // the guest's ring-3 selector, not the hypervisor's
  CHECK(m.regs.rip == kUserSite + 5);
  CHECK(m.regs.gpr[VMM_RSP] == kUserStack);
  CHECK(m.vcpu.cpl == 3);
}

TEST_CASE("a user-mode jmp to a NOSTACK thunk: swapgs is #UD at the site", "[user-sites]") {
  Machine m;
  std::vector<uint8_t> thunk = {0x48, 0x89, 0x25, 0, 0, 0, 0, 0x48, 0x8d, 0x25, 0, 0, 0, 0, 0x68};
  put32(thunk, uint32_t(kDesc));
  put(m, kNostackThunk, thunk);
  vmm_site_desc d = m.site(PV_CLASS_SWAPGS, 3, 5);
  d.site = kUserSite;
  d.resume = kUserSite + 5;
  d.flags = PV_SITE_NOSTACK;
  std::memcpy(&m.ram[kDesc], &d, sizeof d);
  m.enter_user();
  m.regs.rip = kNostackThunk;
  REQUIRE(vmm_user_site_fault(&m.vcpu, &m.regs, kNostackThunk, &kEntry) == VMM_DONE);
  REQUIRE(m.regs.rip == kHandler + X86_EXC_UD * 16);
  auto f = m.frame(4);
  CHECK(f[0] == kUserSite);
  CHECK(f[3] == kUserStack);
}

TEST_CASE("faults that are not a site's are left to the backend", "[user-sites]") {
  Machine m;
  m.enter_user();
  m.regs.rip = 0x401000;
  m.regs.gpr[VMM_RAX] = 5;
  auto before = m.regs;
  CHECK(vmm_user_site_fault(&m.vcpu, &m.regs, 0x12345000, &kEntry) == -1);
  CHECK(std::memcmp(&before, &m.regs, sizeof before) == 0);
  m.regs.rip = kThunk;  // a fetch fault on a page that holds no thunk
  CHECK(vmm_user_site_fault(&m.vcpu, &m.regs, kThunk, &kEntry) == -1);
  CHECK(m.regs.gpr[VMM_RSP] == before.gpr[VMM_RSP]);
  Machine k;  // kernel mode never takes this path
  k.regs.rip = kEntry.sti;
  CHECK(vmm_user_site_fault(&k.vcpu, &k.regs, kEntry.sti, &kEntry) == -1);
}
