// SPDX-License-Identifier: GPL-3.0-or-later
// A site that runs at a second address (Linux runs startup_64 1:1 at its
// physical address before it jumps to where it is linked): the dispatcher
// resumes, faults and addresses RIP-relative operands where it ran.
#include <catch2/catch.hpp>

#include <vector>

#include "previrt/vmm_decode.h"
#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t kLinked = 0xffffffff81000100ULL;  // where the site is linked
constexpr uint64_t kRan = 0x100100;                  // where it ran (1:1 alias)

vmm_site_desc decoded(std::vector<uint8_t> bytes, uint64_t site) {
  vmm_site_desc d{};
  REQUIRE(vmm_decode(bytes.data(), unsigned(bytes.size()), &d) == 0);
  d.site = site;
  d.resume = site + bytes.size();
  d.padded_length = uint8_t(bytes.size());
  d.abi_version = PREVIRT_VMM_ABI_VERSION;
  return d;
}

}  // namespace

TEST_CASE("vmm_site_as_run: the linked descriptor when the site ran where it is linked",
          "[alias]") {
  Machine m;
  vmm_site_desc d = m.site(PV_CLASS_RDMSR, 2), copy{};
  CHECK(vmm_site_as_run(&d, d.site + VMM_SITE_CALL_LENGTH, &copy) == &d);
  CHECK(vmm_site_as_run(&d, 0, &copy) == &d);  // entered by jmp: no return address
  CHECK(vmm_site_as_run(nullptr, kRan, &copy) == nullptr);
}

TEST_CASE("vmm_site_as_run: site and resume move to where the site ran", "[alias]") {
  Machine m;
  vmm_site_desc d = m.site(PV_CLASS_RDMSR, 2, 5), copy{};
  d.site = kLinked;
  d.resume = kLinked + 5;
  const vmm_site_desc *r = vmm_site_as_run(&d, kRan + VMM_SITE_CALL_LENGTH, &copy);
  REQUIRE(r == &copy);
  CHECK(r->site == kRan);
  CHECK(r->resume == kRan + 5);
  CHECK(r->insn_class == d.insn_class);
  CHECK(r->insn_length == d.insn_length);
  CHECK(d.site == kLinked);  // the image's descriptor is left alone
}

TEST_CASE("a site run at its alias resumes and reads RIP-relative operands there", "[alias]") {
  Machine m;
  // lgdt 0x200(%rip): the operand is 0x200 past the end of the instruction
  vmm_site_desc d = decoded({0x0f, 0x01, 0x15, 0x00, 0x02, 0x00, 0x00}, kLinked), copy{};
  const uint64_t operand = kRan + 7 + 0x200;
  m.write64(operand, 0x27 | (0x5000ULL << 16));
  m.write64(operand + 8, 0);
  REQUIRE(m.run(*vmm_site_as_run(&d, kRan + VMM_SITE_CALL_LENGTH, &copy)) == VMM_DONE);
  CHECK(m.vcpu.gdtr.limit == 0x27);
  CHECK(m.vcpu.gdtr.base == 0x5000);
  CHECK(m.regs.rip == kRan + 7);
}

TEST_CASE("a site run at its alias faults at the alias", "[alias]") {
  Machine m;
  vmm_site_desc d = m.site(PV_CLASS_RDMSR, 2), copy{};
  d.site = kLinked;
  d.resume = kLinked + 5;
  m.regs.gpr[VMM_RCX] = 0x12345678;  // no such MSR: #GP(0)
  REQUIRE(m.run(*vmm_site_as_run(&d, kRan + VMM_SITE_CALL_LENGTH, &copy)) == VMM_DONE);
  REQUIRE(m.regs.rip == kHandler + X86_EXC_GP * 16);
  auto f = m.frame(2);
  CHECK(f[0] == 0);
  CHECK(f[1] == kRan);
}
