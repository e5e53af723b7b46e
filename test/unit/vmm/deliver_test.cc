// SPDX-License-Identifier: GPL-3.0-or-later
// Event delivery into the guest's IDT and iretq, against the SDM's rules.
#include <catch2/catch.hpp>

#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint64_t kRip = 0xffffffff81234567ULL;

}  // namespace

TEST_CASE("an exception in kernel mode pushes the 64-bit frame on the same stack", "[deliver]") {
  Machine m;
  vmm_set_vif(&m.vcpu, 1);
  m.regs.rip = kRip;
  m.regs.gpr[VMM_RSP] = kKernelStack - 8;  // not 16-byte aligned: delivery aligns
  m.regs.rflags = 0x202 | X86_FLAGS_CF | X86_FLAGS_TF;
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, X86_EXC_GP, VMM_EVENT_EXCEPTION, 1, 0x1234) == VMM_DONE);

  CHECK(m.regs.rip == kHandler + 13 * 16);
  CHECK(m.regs.gpr[VMM_RSP] == kKernelStack - 16 - 48);
  auto f = m.frame(6);
  CHECK(f[0] == 0x1234);                                       // error code
  CHECK(f[1] == kRip);                                         // rip
  CHECK(f[2] == kKernelCs);                                    // cs
  CHECK(f[3] == (0x2 | X86_FLAGS_IF | X86_FLAGS_CF | X86_FLAGS_TF));  // rflags as the guest saw them
  CHECK(f[4] == kKernelStack - 8);                             // the old rsp, unaligned
  CHECK(f[5] == kKernelDs);                                    // ss
  CHECK_FALSE(vmm_vif(&m.vcpu));                               // interrupt gate clears IF
  CHECK((m.regs.rflags & X86_FLAGS_TF) == 0);                  // and TF
  CHECK((m.regs.rflags & X86_FLAGS_CF) != 0);                  // arithmetic flags stay
  CHECK(m.vcpu.cpl == 0);
  CHECK(m.vcpu.mode_switch == 0);
}

TEST_CASE("a trap gate keeps IF; a vector without error code pushes five words", "[deliver]") {
  Machine m;
  m.set_gate(X86_EXC_BP, 0xf);
  vmm_set_vif(&m.vcpu, 1);
  m.regs.rip = kRip;
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, X86_EXC_BP, VMM_EVENT_EXCEPTION, 0, 0) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RSP] == kKernelStack - 40);
  CHECK(m.frame(1)[0] == kRip);
  CHECK(vmm_vif(&m.vcpu));
}

TEST_CASE("an interrupt from user mode switches to TSS.rsp0 and CPL 0", "[deliver]") {
  Machine m;
  m.enter_user();
  m.regs.rip = 0x400123;
  m.regs.gpr[VMM_RSP] = kUserStack - 0x18;
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, 0x20, VMM_EVENT_EXTERNAL, 0, 0) == VMM_DONE);
  CHECK(m.vcpu.cpl == 0);
  CHECK(m.pcpu.user == 0);
  CHECK(m.vcpu.mode_switch == 1);
  CHECK(m.regs.gpr[VMM_RSP] == kRsp0 - 40);
  auto f = m.frame(5);
  CHECK(f[0] == 0x400123);
  CHECK(f[1] == kUserCs);
  CHECK((f[2] & X86_FLAGS_IF) != 0);
  CHECK(f[3] == kUserStack - 0x18);
  CHECK(f[4] == kUserDs);
  CHECK(m.vcpu.seg[VMM_SEG_SS].sel == 0);  // null ss with RPL 0
  CHECK(m.vcpu.seg[VMM_SEG_CS].sel == kKernelCs);
}

TEST_CASE("an IST gate takes its stack from the TSS even without a CPL change", "[deliver]") {
  Machine m;
  m.set_gate(X86_EXC_DF, 0xe, 1);
  m.regs.rip = kRip;
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, X86_EXC_DF, VMM_EVENT_EXCEPTION, 1, 0) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RSP] == kIst1 - 48);
  CHECK(m.frame(6)[4] == kKernelStack);
}

TEST_CASE("delivery through a missing gate escalates to #DF, then to a triple fault", "[deliver]") {
  Machine m;
  m.set_gate(X86_EXC_DF, 0xe, 1);
  m.set_gate(X86_EXC_GP, 0xe, 0, 0, false);
  m.regs.rip = kRip;
  // #GP, its gate not present: #NP(13*8+2+EXT), contributory after contributory: #DF(0)
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, X86_EXC_GP, VMM_EVENT_EXCEPTION, 1, 0) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + 8 * 16);
  CHECK(m.frame(1)[0] == 0);     // #DF's error code
  CHECK(m.frame(2)[1] == kRip);  // the rip of the original fault

  Machine t;
  t.clear_gate(X86_EXC_DF);
  t.set_gate(X86_EXC_GP, 0xe, 0, 0, false);
  CHECK(vmm_deliver(&t.vcpu, &t.regs, X86_EXC_GP, VMM_EVENT_EXCEPTION, 1, 0) == VMM_SHUTDOWN);
  CHECK(t.vcpu.shutdown_status == 255);
}

TEST_CASE("a benign event through a bad gate becomes #NP or #GP with IDT and EXT bits", "[deliver]") {
  Machine m;
  m.set_gate(0x21, 0xe, 0, 0, false);
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, 0x21, VMM_EVENT_EXTERNAL, 0, 0) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + X86_EXC_NP * 16);
  CHECK(m.frame(1)[0] == 0x21 * 8 + X86_ERR_IDT + X86_ERR_EXT);

  Machine l;  // beyond the IDT limit
  l.vcpu.idtr.limit = 0x30 * 16 - 1;
  REQUIRE(vmm_deliver(&l.vcpu, &l.regs, 0x40, VMM_EVENT_EXTERNAL, 0, 0) == VMM_DONE);
  CHECK(l.regs.rip == kHandler + X86_EXC_GP * 16);
  CHECK(l.frame(1)[0] == 0x40 * 8 + X86_ERR_IDT + X86_ERR_EXT);

  Machine t;  // a task gate is not a 64-bit gate
  t.set_gate(0x22, 0x5);
  REQUIRE(vmm_deliver(&t.vcpu, &t.regs, 0x22, VMM_EVENT_EXTERNAL, 0, 0) == VMM_DONE);
  CHECK(t.frame(1)[0] == 0x22 * 8 + X86_ERR_IDT + X86_ERR_EXT);
}

TEST_CASE("software int n checks the gate's DPL against CPL", "[deliver]") {
  Machine m;
  m.enter_user();
  m.set_gate(0x80, 0xf, 0, 3);
  m.set_gate(0x81, 0xe, 0, 0);
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, 0x80, VMM_EVENT_SOFTWARE, 0, 0) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + 0x80 * 16);

  Machine u;
  u.enter_user();
  u.set_gate(0x81, 0xe, 0, 0);
  REQUIRE(vmm_deliver(&u.vcpu, &u.regs, 0x81, VMM_EVENT_SOFTWARE, 0, 0) == VMM_DONE);
  CHECK(u.regs.rip == kHandler + X86_EXC_GP * 16);
  CHECK(u.frame(1)[0] == 0x81 * 8 + X86_ERR_IDT);  // no EXT for int n
}

TEST_CASE("a page fault while pushing a #PF frame becomes #DF", "[deliver]") {
  Machine m;
  m.set_gate(X86_EXC_DF, 0xe, 1);
  m.make_absent(kKernelStack - 0x1000);
  m.regs.rip = kRip;
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, X86_EXC_PF, VMM_EVENT_EXCEPTION, 1, 2) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + X86_EXC_DF * 16);
  CHECK(m.regs.gpr[VMM_RSP] == kIst1 - 48);
}

TEST_CASE("a gate whose code segment is not 64-bit code raises #GP(selector)", "[deliver]") {
  Machine m;
  m.set_gate(0x30, 0xe, 0, 0, true, kKernelDs);
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, 0x30, VMM_EVENT_EXTERNAL, 0, 0) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + X86_EXC_GP * 16);
  CHECK(m.frame(1)[0] == (kKernelDs | X86_ERR_EXT));
}

TEST_CASE("iretq returns to user mode and back to the kernel's frame", "[deliver][iret]") {
  Machine m;
  uint64_t sp = kKernelStack - 40;
  m.write64(sp, 0x401000);
  m.write64(sp + 8, kUserCs);
  m.write64(sp + 16, 0x202 | X86_FLAGS_ZF);
  m.write64(sp + 24, kUserStack - 8);
  m.write64(sp + 32, kUserDs);
  m.regs.gpr[VMM_RSP] = sp;
  auto d = m.site(PV_CLASS_IRET, 2);
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.regs.rip == 0x401000);
  CHECK(m.regs.gpr[VMM_RSP] == kUserStack - 8);
  CHECK(m.vcpu.cpl == 3);
  CHECK(m.pcpu.user == 1);
  CHECK(m.vcpu.mode_switch == 1);
  CHECK(vmm_vif(&m.vcpu));
  CHECK((m.regs.rflags & X86_FLAGS_ZF) != 0);
  CHECK(m.vcpu.seg[VMM_SEG_CS].sel == kUserCs);
  CHECK(m.vcpu.seg[VMM_SEG_SS].sel == kUserDs);
}

TEST_CASE("iretq refuses a return to a more privileged level", "[deliver][iret]") {
  Machine m;
  m.enter_user();
  m.vcpu.cpl = 3;
  uint64_t sp = kUserStack - 40;
  m.write64(sp, 0x401000);
  m.write64(sp + 8, kKernelCs);
  m.write64(sp + 16, 0x202);
  m.write64(sp + 24, kUserStack);
  m.write64(sp + 32, kKernelDs);
  m.regs.gpr[VMM_RSP] = sp;
  auto d = m.site(PV_CLASS_IRET, 2);
  REQUIRE(m.run(d) == VMM_DONE);
  // #GP(cs) delivered into the guest, rip = the iretq site, from user mode
  CHECK(m.regs.rip == kHandler + X86_EXC_GP * 16);
  CHECK(m.vcpu.cpl == 0);
  auto f = m.frame(3);
  CHECK(f[0] == kKernelCs);
  CHECK(f[1] == kSite);
}

TEST_CASE("iretq within the kernel keeps CPL 0 and a null ss", "[deliver][iret]") {
  Machine m;
  vmm_set_vif(&m.vcpu, 0);
  m.regs.rip = kRip;
  m.regs.gpr[VMM_RSP] = kKernelStack;
  REQUIRE(vmm_deliver(&m.vcpu, &m.regs, 0x20, VMM_EVENT_EXTERNAL, 0, 0) == VMM_DONE);
  m.vcpu.seg[VMM_SEG_SS].sel = 0;
  m.write64(m.regs.gpr[VMM_RSP] + 32, 0);
  m.write64(m.regs.gpr[VMM_RSP] + 16, 0x202);
  auto d = m.site(PV_CLASS_IRET, 2);
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.regs.rip == kRip);
  CHECK(m.regs.gpr[VMM_RSP] == kKernelStack);
  CHECK(m.vcpu.cpl == 0);
  CHECK(vmm_vif(&m.vcpu));
}
