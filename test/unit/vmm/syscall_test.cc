// SPDX-License-Identifier: GPL-3.0-or-later
// syscall and sysenter from guest user mode into the guest kernel's entry
// points, and back with sysretq.
#include <catch2/catch.hpp>

#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t kLstar = 0xffffffff81001000ULL, kUserRip = 0x401002;

void setup_syscall(Machine &m) {
  m.vcpu.efer |= X86_EFER_SCE;
  m.vcpu.star = (uint64_t(0x13) << 48) | (uint64_t(kKernelCs) << 32);
  m.vcpu.lstar = kLstar;
  m.vcpu.sfmask = X86_FLAGS_IF | X86_FLAGS_DF | X86_FLAGS_TF;
  m.enter_user();
  m.vcpu.seg[VMM_SEG_CS].attr = 0x20fb;  // 64-bit user code
  m.regs.rip = kUserRip;
  m.regs.rflags = 0x202 | X86_FLAGS_DF | X86_FLAGS_CF;
}

}  // namespace

TEST_CASE("syscall enters LSTAR at CPL 0 with rcx, r11 and SFMASK as the CPU sets them", "[syscall]") {
  Machine m;
  setup_syscall(m);
  REQUIRE(vmm_syscall(&m.vcpu, &m.regs, 2) == VMM_DONE);
  CHECK(m.regs.rip == kLstar);
  CHECK(m.regs.gpr[VMM_RCX] == kUserRip);
  CHECK(m.regs.gpr[VMM_R11] == (0x202 | X86_FLAGS_DF | X86_FLAGS_CF));
  CHECK_FALSE(vmm_vif(&m.vcpu));
  CHECK((m.regs.rflags & X86_FLAGS_DF) == 0);
  CHECK((m.regs.rflags & X86_FLAGS_CF) != 0);
  CHECK(m.regs.gpr[VMM_RSP] == kUserStack);  // the stack is the kernel's business
  CHECK(m.vcpu.cpl == 0);
  CHECK(m.vcpu.mode_switch == 1);
  CHECK(m.vcpu.seg[VMM_SEG_CS].sel == kKernelCs);
  CHECK(m.vcpu.seg[VMM_SEG_SS].sel == kKernelDs);

  // and sysretq goes back to where the syscall came from
  m.vcpu.mode_switch = 0;
  auto d = m.site(PV_CLASS_SYSRET, 3);
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.regs.rip == kUserRip);
  CHECK(m.vcpu.cpl == 3);
  CHECK(vmm_vif(&m.vcpu));
  CHECK((m.regs.rflags & X86_FLAGS_DF) != 0);
}

TEST_CASE("syscall without EFER.SCE is #UD at the syscall", "[syscall]") {
  Machine m;
  setup_syscall(m);
  m.vcpu.efer &= ~uint64_t(X86_EFER_SCE);
  REQUIRE(vmm_syscall(&m.vcpu, &m.regs, 2) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + X86_EXC_UD * 16);
  CHECK(m.frame(1)[0] == kUserRip - 2);
}

TEST_CASE("sysenter: Intel enters SYSENTER_EIP with IF clear, AMD raises #UD", "[syscall]") {
  Machine m;
  m.backend.cpuid = [](void *, uint32_t leaf, uint32_t, uint32_t out[4]) {
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == 0) out[1] = 0x756e6547;  // "Genu"ineIntel
  };
  m.enter_user();
  m.vcpu.sysenter_cs = kKernelCs;
  m.vcpu.sysenter_eip = kLstar + 0x100;
  m.vcpu.sysenter_esp = 0x28000;
  m.regs.rip = kUserRip;
  REQUIRE(vmm_sysenter(&m.vcpu, &m.regs, 2) == VMM_DONE);
  CHECK(m.regs.rip == kLstar + 0x100);
  CHECK(m.regs.gpr[VMM_RSP] == 0x28000);
  CHECK(m.vcpu.cpl == 0);
  CHECK_FALSE(vmm_vif(&m.vcpu));

  Machine a;
  a.backend.cpuid = [](void *, uint32_t leaf, uint32_t, uint32_t out[4]) {
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == 0) out[1] = 0x68747541;  // "Auth"enticAMD
  };
  a.enter_user();
  a.vcpu.sysenter_cs = kKernelCs;
  a.regs.rip = kUserRip;
  REQUIRE(vmm_sysenter(&a.vcpu, &a.regs, 2) == VMM_DONE);
  CHECK(a.regs.rip == kHandler + X86_EXC_UD * 16);
  CHECK(a.frame(1)[0] == kUserRip - 2);
}
