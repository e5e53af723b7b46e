// SPDX-License-Identifier: GPL-3.0-or-later
// Instruction emulation through the dispatcher: one site descriptor as
// elfrewrite would emit it, the guest's registers, and what the guest sees.
#include <catch2/catch.hpp>

#include "machine.hh"

using namespace vmmtest;

namespace {

vmm_operand gpr(unsigned reg, unsigned size = 8) {
  vmm_operand o{};
  o.kind = VMM_OP_GPR;
  o.reg = uint8_t(reg);
  o.size = uint8_t(size);
  o.base = o.index = VMM_REG_NONE;
  o.seg = VMM_SEG_DEFAULT;
  return o;
}

vmm_operand reg_of(unsigned kind, unsigned reg) {
  vmm_operand o = gpr(reg);
  o.kind = uint8_t(kind);
  return o;
}

vmm_operand mem(unsigned base, int32_t disp, unsigned size, unsigned seg = VMM_SEG_DEFAULT) {
  vmm_operand o{};
  o.kind = VMM_OP_MEM;
  o.size = uint8_t(size);
  o.base = uint8_t(base);
  o.index = VMM_REG_NONE;
  o.scale = 1;
  o.seg = uint8_t(seg);
  o.disp = disp;
  return o;
}

vmm_operand imm(int64_t v, unsigned size) {
  vmm_operand o{};
  o.kind = VMM_OP_IMM;
  o.size = uint8_t(size);
  o.imm = v;
  o.base = o.index = VMM_REG_NONE;
  return o;
}

// The #GP frame after a faulting site: error code, then rip = the site.
void require_fault(Machine &m, unsigned vector, uint64_t error) {
  REQUIRE(m.regs.rip == kHandler + vector * 16);
  auto f = m.frame(2);
  CHECK(f[0] == error);
  CHECK(f[1] == kSite);
}

}  // namespace

TEST_CASE("cli and sti change only the virtual IF; pushf and popf see and set it", "[emulate]") {
  Machine m;
  vmm_set_vif(&m.vcpu, 1);
  REQUIRE(m.run(m.site(PV_CLASS_CLI, 1, 8)) == VMM_DONE);
  CHECK_FALSE(vmm_vif(&m.vcpu));
  CHECK(m.regs.rip == kSite + 8);

  m.regs.rflags = 0x202 | X86_FLAGS_CF;
  REQUIRE(m.run(m.site(PV_CLASS_PUSHF)) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RSP] == kKernelStack - 8);
  CHECK(m.read64(kKernelStack - 8) == (0x2 | X86_FLAGS_CF));  // IF = 0 as the guest set it

  m.write64(kKernelStack - 8, 0x202 | X86_FLAGS_ZF | (3 << 12));
  REQUIRE(m.run(m.site(PV_CLASS_POPF)) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RSP] == kKernelStack);
  CHECK(vmm_vif(&m.vcpu));
  CHECK((vmm_vflags_sys(&m.vcpu) & X86_FLAGS_IOPL) == (3 << 12));
  CHECK((m.regs.rflags & X86_FLAGS_ZF) != 0);
  CHECK((m.regs.rflags & X86_FLAGS_CF) == 0);

  REQUIRE(m.run(m.site(PV_CLASS_STI, 1, 8)) == VMM_DONE);
  CHECK(vmm_vif(&m.vcpu));
}

TEST_CASE("cli in user mode without IOPL raises #GP(0); popf there keeps IF", "[emulate]") {
  Machine m;
  m.enter_user();
  REQUIRE(m.run(m.site(PV_CLASS_CLI, 1, 8)) == VMM_DONE);
  require_fault(m, X86_EXC_GP, 0);
  CHECK(m.vcpu.cpl == 0);

  Machine p;
  p.enter_user();
  p.write64(kUserStack - 8, 0x2);  // tries to clear IF
  p.regs.gpr[VMM_RSP] = kUserStack - 8;
  REQUIRE(p.run(p.site(PV_CLASS_POPF)) == VMM_DONE);
  CHECK(vmm_vif(&p.vcpu));  // silently kept, as the CPU does
  CHECK(p.regs.gpr[VMM_RSP] == kUserStack);
}

TEST_CASE("sti delivers a pending interrupt after the site, or after a following hlt", "[emulate][irq]") {
  Machine m;
  vmm_pic_io_write(&m.devices.pic, 0x21, 0x00);  // unmask all
  vmm_pic_pulse(&m.devices.pic, 1);
  auto d = m.site(PV_CLASS_STI, 1, 8);
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + (0x08 + 1) * 16);  // the BIOS's master base 0x08
  CHECK(m.frame(1)[0] == kSite + 8);
  CHECK_FALSE(vmm_vif(&m.vcpu));

  Machine h;  // sti; hlt: the shadow lets the pending interrupt wake the hlt
  vmm_pic_io_write(&h.devices.pic, 0x21, 0x00);
  vmm_pic_pulse(&h.devices.pic, 1);
  auto s = h.site(PV_CLASS_STI, 1, 8);
  s.next_hlt_length = 5;
  REQUIRE(h.run(s) == VMM_DONE);
  CHECK(h.frame(1)[0] == kSite + 8 + 5);
}

TEST_CASE("rdmsr of an unknown MSR raises #GP(0) at the site", "[emulate][msr]") {
  Machine m;
  m.regs.gpr[VMM_RCX] = 0x12345678;
  m.regs.gpr[VMM_RAX] = 0xaaaa;
  REQUIRE(m.run(m.site(PV_CLASS_RDMSR, 2)) == VMM_DONE);
  require_fault(m, X86_EXC_GP, 0);
  CHECK(m.regs.gpr[VMM_RAX] == 0xaaaa);  // nothing written
}

TEST_CASE("wrmsr and rdmsr: known MSRs, reserved bits, canonical addresses", "[emulate][msr]") {
  Machine m;
  auto wr = m.site(PV_CLASS_WRMSR, 2);
  auto rd = m.site(PV_CLASS_RDMSR, 2);

  SECTION("LSTAR round trip") {
    m.regs.gpr[VMM_RCX] = X86_MSR_LSTAR;
    m.regs.gpr[VMM_RDX] = 0xffffffff;
    m.regs.gpr[VMM_RAX] = 0x81000000;
    REQUIRE(m.run(wr) == VMM_DONE);
    CHECK(m.regs.rip == kSite + 5);
    m.regs.gpr[VMM_RAX] = m.regs.gpr[VMM_RDX] = 0;
    REQUIRE(m.run(rd) == VMM_DONE);
    CHECK(m.regs.gpr[VMM_RAX] == 0x81000000);
    CHECK(m.regs.gpr[VMM_RDX] == 0xffffffff);
  }
  SECTION("non-canonical LSTAR") {
    m.regs.gpr[VMM_RCX] = X86_MSR_LSTAR;
    m.regs.gpr[VMM_RDX] = 0x00008000;
    m.regs.gpr[VMM_RAX] = 0;
    REQUIRE(m.run(wr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
  SECTION("IA32_PKRS reserved bits") {
    m.regs.gpr[VMM_RCX] = X86_MSR_PKRS;
    m.regs.gpr[VMM_RDX] = 1;
    REQUIRE(m.run(wr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
    CHECK(m.vcpu.pkrs == 0);
  }
  SECTION("EFER: SCE writable, reserved bits fault, LMA stays") {
    m.regs.gpr[VMM_RCX] = X86_MSR_EFER;
    m.regs.gpr[VMM_RDX] = 0;
    m.regs.gpr[VMM_RAX] = X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE;
    REQUIRE(m.run(wr) == VMM_DONE);
    CHECK(m.vcpu.efer == (X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE | X86_EFER_LMA));
    m.regs.gpr[VMM_RAX] = X86_EFER_LME | 0x2;
    REQUIRE(m.run(wr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
  SECTION("FS_BASE reaches the backend") {
    m.regs.gpr[VMM_RCX] = X86_MSR_FS_BASE;
    m.regs.gpr[VMM_RDX] = 0x7f;
    m.regs.gpr[VMM_RAX] = 0x2000;
    REQUIRE(m.run(wr) == VMM_DONE);
    REQUIRE(m.bases.size() == 1);
    CHECK(m.bases[0].first == VMM_SEG_FS);
    CHECK(m.bases[0].second == 0x7f00002000ULL);
  }
  SECTION("PAT with an undefined memory type") {
    m.regs.gpr[VMM_RCX] = X86_MSR_PAT;
    m.regs.gpr[VMM_RDX] = 0;
    m.regs.gpr[VMM_RAX] = 0x02;
    REQUIRE(m.run(wr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
  SECTION("wrmsr from user mode") {
    m.enter_user();
    m.regs.gpr[VMM_RCX] = X86_MSR_STAR;
    REQUIRE(m.run(wr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
}

TEST_CASE("control registers: values, flushes and #GP on bad writes", "[emulate][cr]") {
  Machine m;
  auto to_cr = m.site(PV_CLASS_MOV_TO_CR, 3);
  to_cr.op[0] = reg_of(VMM_OP_CR, 3);
  to_cr.op[1] = gpr(VMM_RAX);
  m.regs.gpr[VMM_RAX] = 0x123000;
  REQUIRE(m.run(to_cr) == VMM_DONE);
  CHECK(m.vcpu.cr3 == 0x123000);
  REQUIRE(m.flushes.size() == 1);
  CHECK(m.flushes[0].second == VMM_TLB_FLUSH_NONGLOBAL);  // global translations stay

  auto from_cr = m.site(PV_CLASS_MOV_FROM_CR, 3);
  from_cr.op[0] = gpr(VMM_R9);
  from_cr.op[1] = reg_of(VMM_OP_CR, 0);
  REQUIRE(m.run(from_cr) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_R9] == m.vcpu.cr0);
  CHECK((m.regs.gpr[VMM_R9] & X86_CR0_PG) != 0);

  SECTION("clearing CR0.PG in long mode") {
    to_cr.op[0].reg = 0;
    m.regs.gpr[VMM_RAX] = X86_CR0_PE;
    REQUIRE(m.run(to_cr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
  SECTION("a reserved CR4 bit") {
    to_cr.op[0].reg = 4;
    m.regs.gpr[VMM_RAX] = X86_CR4_PAE | (1ULL << 30);
    REQUIRE(m.run(to_cr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
  SECTION("CR5 does not exist") {
    from_cr.op[1].reg = 5;
    REQUIRE(m.run(from_cr) == VMM_DONE);
    CHECK(m.regs.rip == kHandler + X86_EXC_UD * 16);
  }
  SECTION("cr2 as the guest sees it after a page fault") {
    m.vcpu.fault = vmm_fault{X86_EXC_PF, 1, 2, 0xdead000};
    REQUIRE(vmm_deliver_fault(&m.vcpu, &m.regs) == VMM_DONE);
    from_cr.op[1].reg = 2;
    REQUIRE(m.run(from_cr) == VMM_DONE);
    CHECK(m.regs.gpr[VMM_R9] == 0xdead000);
  }
}

TEST_CASE("lgdt, lidt, sgdt, ltr and sldt go through the virtual descriptor tables", "[emulate][desc]") {
  Machine m;
  // pseudo-descriptor at 0x8000: limit 0xfff, base kIdt
  m.vcpu.idtr = vmm_dtr{};
  m.ram[0x8000] = 0xff;
  m.ram[0x8001] = 0x0f;
  m.write64(0x8002, kIdt);
  m.regs.gpr[VMM_RBX] = 0x8000;
  auto lidt = m.site(PV_CLASS_LIDT, 3);
  lidt.op[0] = mem(VMM_RBX, 0, 10);
  REQUIRE(m.run(lidt) == VMM_DONE);
  CHECK(m.vcpu.idtr.base == kIdt);
  CHECK(m.vcpu.idtr.limit == 0x0fff);

  auto sgdt = m.site(PV_CLASS_SGDT, 3);
  sgdt.op[0] = mem(VMM_RBX, 0x10, 10);
  REQUIRE(m.run(sgdt) == VMM_DONE);
  CHECK((m.ram[0x8010] | (m.ram[0x8011] << 8)) == 0x4f);
  CHECK(m.read64(0x8012) == kGdt);

  auto ltr = m.site(PV_CLASS_LTR, 3);
  ltr.op[0] = gpr(VMM_RAX, 2);
  m.regs.gpr[VMM_RAX] = kTssSel;
  m.vcpu.tr = vmm_segment{};
  REQUIRE(m.run(ltr) == VMM_DONE);
  CHECK(m.vcpu.tr.base == kTss);
  CHECK(m.vcpu.tr.limit == 0x67);
  CHECK(((m.read64(kGdt + kTssSel) >> 40) & 0xf) == X86_DESC_TSS_BUSY);

  auto lldt = m.site(PV_CLASS_LLDT, 3);
  lldt.op[0] = gpr(VMM_RAX, 2);
  m.regs.gpr[VMM_RAX] = kLdtSel;
  REQUIRE(m.run(lldt) == VMM_DONE);
  CHECK(m.vcpu.ldtr.base == 0x5000);
  auto sldt = m.site(PV_CLASS_SLDT, 3);
  sldt.op[0] = gpr(VMM_RDX, 4);
  m.regs.gpr[VMM_RDX] = ~0ULL;
  REQUIRE(m.run(sldt) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RDX] == kLdtSel);

  SECTION("ltr of a data segment") {
    m.regs.gpr[VMM_RAX] = kKernelDs;
    REQUIRE(m.run(ltr) == VMM_DONE);
    require_fault(m, X86_EXC_GP, kKernelDs);
  }
  SECTION("lgdt in user mode") {
    m.enter_user();
    auto lgdt = m.site(PV_CLASS_LGDT, 3);
    lgdt.op[0] = mem(VMM_RBX, 0, 10);
    REQUIRE(m.run(lgdt) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
}

TEST_CASE("port I/O reaches the UART, the PIC and the debug-exit port", "[emulate][io]") {
  Machine m;
  auto out = m.site(PV_CLASS_OUT, 1);
  out.op[0] = gpr(VMM_RDX, 2);
  out.op[1] = gpr(VMM_RAX, 1);
  m.regs.gpr[VMM_RDX] = 0x3f8;
  for (char c : std::string("ok\n")) {
    m.regs.gpr[VMM_RAX] = 0x4100 | uint8_t(c);  // only al goes out
    REQUIRE(m.run(out) == VMM_DONE);
  }
  CHECK(m.console == "ok\n");

  auto in = m.site(PV_CLASS_IN, 1);
  in.op[0] = gpr(VMM_RAX, 1);
  in.op[1] = gpr(VMM_RDX, 2);
  m.regs.gpr[VMM_RDX] = 0x3fd;
  m.regs.gpr[VMM_RAX] = 0x1234;
  REQUIRE(m.run(in) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RAX] == 0x1260);  // LSR: transmitter empty, in al only

  in.op[1] = imm(0x21, 1);
  REQUIRE(m.run(in) == VMM_DONE);
  CHECK((m.regs.gpr[VMM_RAX] & 0xff) == 0xff);  // the PIC's mask after reset

  in.op[0] = gpr(VMM_RAX, 4);
  in.op[1] = imm(0x1234 & 0xff, 1);
  REQUIRE(m.run(in) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RAX] == 0xffffffff);  // nobody decodes port 0x34

  m.console.clear();
  m.regs.gpr[VMM_RAX] = 'x';
  m.regs.gpr[VMM_RDX] = 0x3f8;
  REQUIRE(m.run(out) == VMM_DONE);
  CHECK(m.console.empty());  // buffered until a newline
  auto exit = m.site(PV_CLASS_OUT, 1);
  exit.op[0] = imm(0xf4, 1);
  exit.op[1] = gpr(VMM_RAX, 4);
  m.regs.gpr[VMM_RAX] = 1;
  REQUIRE(m.run(exit) == VMM_SHUTDOWN);
  CHECK(m.vcpu.shutdown_status == 1);
  CHECK(m.console == "x");  // flushed on exit

  SECTION("user mode without IOPL") {
    Machine u;
    u.enter_user();
    REQUIRE(u.run(out) == VMM_DONE);
    require_fault(u, X86_EXC_GP, 0);
  }
}

TEST_CASE("rep outsb writes a string to the UART", "[emulate][io]") {
  Machine m;
  std::memcpy(&m.ram[0x9000], "abc\n", 4);
  auto outs = m.site(PV_CLASS_OUTS, 2);
  outs.prefixes = VMM_PFX_REP;
  outs.op[0] = gpr(VMM_RDX, 2);
  outs.op[1] = mem(VMM_RSI, 0, 1);
  m.regs.gpr[VMM_RSI] = 0x9000;
  m.regs.gpr[VMM_RCX] = 4;
  m.regs.gpr[VMM_RDX] = 0x3f8;
  REQUIRE(m.run(outs) == VMM_DONE);
  CHECK(m.console == "abc\n");
  CHECK(m.regs.gpr[VMM_RCX] == 0);
  CHECK(m.regs.gpr[VMM_RSI] == 0x9004);
}

TEST_CASE("cpuid hides what the VMM does not offer; rdtsc and rdtscp add the guest offset", "[emulate]") {
  Machine m;
  m.regs.gpr[VMM_RAX] = 1;
  REQUIRE(m.run(m.site(PV_CLASS_CPUID, 2)) == VMM_DONE);
  CHECK((m.regs.gpr[VMM_RDX] & (1u << 9)) == 0);   // no local APIC
  CHECK((m.regs.gpr[VMM_RCX] & (1u << 3)) != 0);   // MONITOR as offered (mwait is emulated)
  CHECK((m.regs.gpr[VMM_RCX] & (1u << 5)) == 0);   // no VMX
  CHECK((m.regs.gpr[VMM_RCX] & (1u << 27)) == 0);  // OSXSAVE follows the virtual CR4
  CHECK((m.regs.gpr[VMM_RCX] & (1u << 26)) != 0);  // XSAVE kept
  CHECK((m.regs.gpr[VMM_RBX] >> 24) == 0);
  CHECK((m.regs.gpr[VMM_RCX] & (1u << 31)) == 0);  // no hypervisor advertised
  CHECK((m.regs.gpr[VMM_RDX] & (1u << 12)) == 0);  // no MTRRs
  CHECK((m.regs.gpr[VMM_RDX] & 1) == 1);           // FPU kept

  m.regs.gpr[VMM_RAX] = 0x40000000;
  REQUIRE(m.run(m.site(PV_CLASS_CPUID, 2)) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RAX] == 0);  // the hypervisor's leaves are hidden
  CHECK(m.regs.gpr[VMM_RBX] == 0);

  m.regs.gpr[VMM_RAX] = 7;
  m.regs.gpr[VMM_RCX] = 0;
  REQUIRE(m.run(m.site(PV_CLASS_CPUID, 2)) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RBX] == 1);  // FSGSBASE kept
  CHECK(m.regs.gpr[VMM_RDX] == 0);  // speculation-control MSRs are not emulated

  m.vcpu.cr4 |= X86_CR4_OSXSAVE;
  m.regs.gpr[VMM_RAX] = 1;
  REQUIRE(m.run(m.site(PV_CLASS_CPUID, 2)) == VMM_DONE);
  CHECK((m.regs.gpr[VMM_RCX] & (1u << 27)) != 0);

  // the guest sets its TSC to 5000: later reads count from there
  m.regs.gpr[VMM_RCX] = X86_MSR_TSC;
  m.regs.gpr[VMM_RDX] = 0;
  m.regs.gpr[VMM_RAX] = 5000;
  REQUIRE(m.run(m.site(PV_CLASS_WRMSR, 2)) == VMM_DONE);
  m.tsc += 300;
  m.vcpu.tsc_aux = 7;
  REQUIRE(m.run(m.site(PV_CLASS_RDTSCP, 3)) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RAX] == 5300);
  CHECK(m.regs.gpr[VMM_RDX] == 0);
  CHECK(m.regs.gpr[VMM_RCX] == 7);

  m.vcpu.cr4 |= X86_CR4_TSD;
  m.enter_user();
  REQUIRE(m.run(m.site(PV_CLASS_RDTSC, 2)) == VMM_DONE);
  require_fault(m, X86_EXC_GP, 0);
}

TEST_CASE("swapgs exchanges the gs bases; user mode gets #UD", "[emulate]") {
  Machine m;
  m.vcpu.seg[VMM_SEG_GS].base = 0x1111;
  m.vcpu.kernel_gs_base = 0x2222;
  auto d = m.site(PV_CLASS_SWAPGS, 3);
  d.flags = PV_SITE_NOSTACK;
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.vcpu.seg[VMM_SEG_GS].base == 0x2222);
  CHECK(m.vcpu.kernel_gs_base == 0x1111);
  CHECK(m.bases.size() == 2);

  m.enter_user();
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + X86_EXC_UD * 16);
}

TEST_CASE("sysretq enters user mode with STAR's selectors and r11's flags", "[emulate]") {
  Machine m;
  m.vcpu.efer |= X86_EFER_SCE;
  m.vcpu.star = (uint64_t(0x13) << 48) | (uint64_t(kKernelCs) << 32);
  m.regs.gpr[VMM_RCX] = 0x401234;
  m.regs.gpr[VMM_R11] = 0x202 | X86_FLAGS_CF;
  m.regs.gpr[VMM_RSP] = kUserStack;
  auto d = m.site(PV_CLASS_SYSRET, 3);
  d.flags = PV_SITE_NOSTACK;
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.regs.rip == 0x401234);
  CHECK(m.regs.gpr[VMM_RSP] == kUserStack);
  CHECK(m.vcpu.cpl == 3);
  CHECK(m.vcpu.mode_switch == 1);
  CHECK(m.vcpu.seg[VMM_SEG_CS].sel == kUserCs);
  CHECK(m.vcpu.seg[VMM_SEG_SS].sel == kUserDs);
  CHECK(vmm_vif(&m.vcpu));
  CHECK((m.regs.rflags & X86_FLAGS_CF) != 0);

  Machine n;  // a non-canonical rcx: #GP in kernel mode, before the switch
  n.vcpu.efer |= X86_EFER_SCE;
  n.regs.gpr[VMM_RCX] = 0x0000800000000000ULL;
  REQUIRE(n.run(d) == VMM_DONE);
  require_fault(n, X86_EXC_GP, 0);
}

TEST_CASE("segment loads check descriptors; segment reads give the virtual selector", "[emulate][seg]") {
  Machine m;
  auto mov = m.site(PV_CLASS_MOV_TO_SEG, 2);
  mov.op[0] = reg_of(VMM_OP_SREG, VMM_SEG_DS);
  mov.op[1] = gpr(VMM_RAX, 2);
  m.regs.gpr[VMM_RAX] = kUserDs;
  REQUIRE(m.run(mov) == VMM_DONE);
  CHECK(m.vcpu.seg[VMM_SEG_DS].sel == kUserDs);

  auto get = m.site(PV_CLASS_MOV_FROM_SEG, 2);
  get.op[0] = gpr(VMM_RBX, 4);
  get.op[1] = reg_of(VMM_OP_SREG, VMM_SEG_CS);
  m.regs.gpr[VMM_RBX] = ~0ULL;
  REQUIRE(m.run(get) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RBX] == kKernelCs);  // RPL 0: the guest's own view

  SECTION("ss with the wrong RPL") {
    mov.op[0].reg = VMM_SEG_SS;
    m.regs.gpr[VMM_RAX] = kUserDs;
    REQUIRE(m.run(mov) == VMM_DONE);
    require_fault(m, X86_EXC_GP, kUserDs & ~3u);
  }
  SECTION("a kernel data segment from user mode") {
    m.enter_user();
    m.regs.gpr[VMM_RAX] = kKernelDs | 3;
    REQUIRE(m.run(mov) == VMM_DONE);
    require_fault(m, X86_EXC_GP, kKernelDs);
  }
  SECTION("beyond the GDT limit") {
    m.regs.gpr[VMM_RAX] = 0x100;
    REQUIRE(m.run(mov) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0x100);
  }
  SECTION("lar and verw set ZF by what the privilege level may see") {
    auto lar = m.site(PV_CLASS_LAR, 3);
    lar.op[0] = gpr(VMM_RDX, 4);
    lar.op[1] = gpr(VMM_RAX, 2);
    m.regs.gpr[VMM_RAX] = kKernelCs;
    REQUIRE(m.run(lar) == VMM_DONE);
    CHECK((m.regs.rflags & X86_FLAGS_ZF) != 0);
    CHECK(m.regs.gpr[VMM_RDX] == 0x00a09a00);
    m.enter_user();
    REQUIRE(m.run(lar) == VMM_DONE);
    CHECK((m.regs.rflags & X86_FLAGS_ZF) == 0);
    auto verw = m.site(PV_CLASS_VERW, 3);
    verw.op[0] = gpr(VMM_RAX, 2);
    m.regs.gpr[VMM_RAX] = kUserDs;
    REQUIRE(m.run(verw) == VMM_DONE);
    CHECK((m.regs.rflags & X86_FLAGS_ZF) != 0);
  }
}

TEST_CASE("memory operands: RIP-relative from the original instruction's end, fs base", "[emulate][operand]") {
  Machine m;
  auto d = m.site(PV_CLASS_SIDT, 7, 8);
  vmm_operand rel = mem(VMM_REG_RIP, 0x10, 10);
  CHECK(vmm_operand_address(&m.vcpu, &m.regs, &d, &rel) == kSite + 7 + 0x10);
  vmm_operand fs = mem(VMM_RBX, -8, 8, VMM_SEG_FS);
  m.regs.gpr[VMM_RBX] = 0x100;
  m.vcpu.seg[VMM_SEG_FS].base = 0x5000;
  CHECK(vmm_operand_address(&m.vcpu, &m.regs, &d, &fs) == 0x50f8);

  vmm_operand ah = gpr(VMM_GPR_HIGH_BYTE + VMM_RAX, 1);
  m.regs.gpr[VMM_RAX] = 0x11223344;
  REQUIRE(vmm_operand_write(&m.vcpu, &m.regs, &d, &ah, 0xee) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RAX] == 0x1122ee44);
  vmm_operand eax = gpr(VMM_RAX, 4);
  m.regs.gpr[VMM_RAX] = ~0ULL;
  REQUIRE(vmm_operand_write(&m.vcpu, &m.regs, &d, &eax, 1) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RAX] == 1);  // zero-extended

  // an unmapped operand raises #PF with the address in cr2
  m.make_absent(0x9000);
  auto sidt = m.site(PV_CLASS_SIDT, 3);
  sidt.op[0] = mem(VMM_RBX, 0x9000 - 0x100, 10);
  REQUIRE(m.run(sidt) == VMM_DONE);
  require_fault(m, X86_EXC_PF, X86_PF_W);
  CHECK(m.vcpu.cr2 == 0x9000);
}

TEST_CASE("hlt blocks until the PIT's next tick and delivers it after the hlt", "[emulate][irq]") {
  Machine m;
  m.set_gate(0x20);
  // what test/guest's pic_init and timer_start do
  for (auto [port, v] : std::vector<std::pair<uint16_t, uint8_t>>{
           {0x20, 0x11}, {0xa0, 0x11}, {0x21, 0x20}, {0xa1, 0x28}, {0x21, 0x04}, {0xa1, 0x02},
           {0x21, 0x01}, {0xa1, 0x01}, {0x21, 0xfe}, {0xa1, 0xff}, {0x43, 0x34}, {0x40, 0xa9},
           {0x40, 0x04}})
    vmm_io_write(&m.devices, &m.backend, port, 1, v);
  vmm_arm_timer(&m.vcpu);
  CHECK(m.timer_deadline == vmm_pit_ns_from_ticks(1193));
  vmm_set_vif(&m.vcpu, 1);
  auto hlt = m.site(PV_CLASS_HLT, 1);
  REQUIRE(m.run(hlt) == VMM_DONE);
  CHECK(m.blocks == 1);
  CHECK(m.now_ns >= 999000);
  CHECK(m.regs.rip == kHandler + 0x20 * 16);
  CHECK(m.frame(1)[0] == kSite + 5);
  CHECK(m.devices.pic.master.isr == 1);  // in service until the guest's EOI

  SECTION("hlt with IF clear never wakes") {
    vmm_set_vif(&m.vcpu, 0);
    CHECK(m.run(hlt) == VMM_HALT);
  }
  SECTION("hlt in user mode") {
    m.enter_user();
    REQUIRE(m.run(hlt) == VMM_DONE);
    require_fault(m, X86_EXC_GP, 0);
  }
}

TEST_CASE("every class of the table has an emulation routine", "[emulate]") {
  for (unsigned c = 1; c < PV_CLASS_LIMIT; ++c) CHECK(vmm_emulator(c) != nullptr);
  CHECK(vmm_emulator(0) == nullptr);
  CHECK(vmm_emulator(PV_CLASS_LIMIT) == nullptr);
  Machine m;  // a descriptor of another ABI version is refused with #UD
  auto d = m.site(PV_CLASS_CLI, 1, 8);
  d.abi_version = 99;
  REQUIRE(m.run(d) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + X86_EXC_UD * 16);
}
