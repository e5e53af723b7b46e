// SPDX-License-Identifier: GPL-3.0-or-later
// The site decoder against GNU as: each instruction is assembled by the
// real assembler, and the descriptor must say what the assembly text says.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <unistd.h>

#include "previrt/vmm_decode.h"
#include "previrt/sites.h"
#include "machine.hh"

namespace {

// A scratch directory for the assembler, removed at exit.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vmm-decode-XXXXXX").string();
    if (mkdtemp(tmpl.data())) path = tmpl;
  }
  ~ScratchDir() {
    if (!path.empty()) std::filesystem::remove_all(path);
  }
};

// Assembles one line of 64-bit AT&T assembly; returns its bytes.
std::vector<uint8_t> assemble(const std::string &line) {
  static ScratchDir scratch;
  REQUIRE_FALSE(scratch.path.empty());
  const std::string &dir = scratch.path;
  {
    std::ofstream s(dir + "/t.s");
    s << "\t.code64\n\t" << line << "\n";
  }
  std::string cmd = "as --64 -o " + dir + "/t.o " + dir + "/t.s && objcopy -O binary -j .text " +
                    dir + "/t.o " + dir + "/t.bin";
  INFO(line);
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream b(dir + "/t.bin", std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(b), {});
}

vmm_site_desc decode(const std::string &line) {
  auto bytes = assemble(line);
  vmm_site_desc d{};
  d.flags = PV_SITE_NOSTACK;  // the caller's fields survive decoding
  d.padded_length = 9;
  INFO(line);
  REQUIRE(vmm_decode(bytes.data(), unsigned(bytes.size()), &d) == 0);
  CHECK(d.insn_length == bytes.size());
  CHECK(d.flags == PV_SITE_NOSTACK);
  CHECK(d.padded_length == 9);
  CHECK(d.abi_version == PREVIRT_VMM_ABI_VERSION);
  return d;
}

bool is_gpr(const vmm_operand &o, unsigned reg, unsigned size) {
  return o.kind == VMM_OP_GPR && o.reg == reg && o.size == size;
}

bool is_mem(const vmm_operand &o, unsigned base, unsigned index, unsigned scale, int32_t disp,
            unsigned size, unsigned seg = VMM_SEG_DEFAULT) {
  return o.kind == VMM_OP_MEM && o.base == base && o.index == index && o.scale == scale &&
         o.disp == disp && o.size == size && o.seg == seg;
}

}  // namespace

TEST_CASE("decoder: classes without operands", "[decode]") {
  struct { const char *text; unsigned cls; } cases[] = {
      {"cli", PV_CLASS_CLI},       {"sti", PV_CLASS_STI},         {"hlt", PV_CLASS_HLT},
      {"clts", PV_CLASS_CLTS},     {"rdmsr", PV_CLASS_RDMSR},     {"wrmsr", PV_CLASS_WRMSR},
      {"rdpmc", PV_CLASS_RDPMC},   {"rdtsc", PV_CLASS_RDTSC},     {"rdtscp", PV_CLASS_RDTSCP},
      {"cpuid", PV_CLASS_CPUID},   {"wbinvd", PV_CLASS_WBINVD},   {"invd", PV_CLASS_INVD},
      {"monitor", PV_CLASS_MONITOR}, {"mwait", PV_CLASS_MWAIT},   {"swapgs", PV_CLASS_SWAPGS},
      {"xsetbv", PV_CLASS_XSETBV}, {"stac", PV_CLASS_STAC},       {"clac", PV_CLASS_CLAC},
      {"sysretq", PV_CLASS_SYSRET}, {"sysexitq", PV_CLASS_SYSEXIT}, {"iretq", PV_CLASS_IRET},
      {"lretq", PV_CLASS_LRET},    {"wbnoinvd", PV_CLASS_WBINVD}, {"monitorx", PV_CLASS_MONITOR},
  };
  for (auto &c : cases) {
    INFO(c.text);
    CHECK(decode(c.text).insn_class == c.cls);
  }
  CHECK(decode("iretq").opsize == 8);
  CHECK(decode("iretl").opsize == 4);
  CHECK(decode("sysretq").opsize == 8);
  CHECK((decode("sysexitq").prefixes & VMM_PFX_REX_W) != 0);
  CHECK(decode("pushfq").opsize == 8);
  CHECK(decode("pushfw").opsize == 2);
  CHECK(decode("popfq").insn_class == PV_CLASS_POPF);
}

TEST_CASE("decoder: port I/O operands in Intel order", "[decode]") {
  auto d = decode("inb $0x21, %al");
  CHECK(d.insn_class == PV_CLASS_IN);
  CHECK(is_gpr(d.op[0], VMM_RAX, 1));
  CHECK((d.op[1].kind == VMM_OP_IMM && d.op[1].imm == 0x21));
  d = decode("outl %eax, (%dx)");
  CHECK(d.insn_class == PV_CLASS_OUT);
  CHECK(is_gpr(d.op[0], VMM_RDX, 2));
  CHECK(is_gpr(d.op[1], VMM_RAX, 4));
  d = decode("outb %al, $0xf4");
  CHECK((d.op[0].kind == VMM_OP_IMM && d.op[0].imm == 0xf4));  // not sign-extended
  d = decode("inw (%dx), %ax");
  CHECK(is_gpr(d.op[0], VMM_RAX, 2));
  d = decode("rep outsb %fs:(%rsi), (%dx)");
  CHECK(d.insn_class == PV_CLASS_OUTS);
  CHECK((d.prefixes & VMM_PFX_REP) != 0);
  CHECK(is_mem(d.op[1], VMM_RSI, VMM_REG_NONE, 1, 0, 1, VMM_SEG_FS));
  d = decode("insl (%dx), %es:(%rdi)");
  CHECK(is_mem(d.op[0], VMM_RDI, VMM_REG_NONE, 1, 0, 4, VMM_SEG_ES));
}

TEST_CASE("decoder: control, debug and segment registers", "[decode]") {
  auto d = decode("mov %cr3, %r9");
  CHECK(d.insn_class == PV_CLASS_MOV_FROM_CR);
  CHECK(is_gpr(d.op[0], VMM_R9, 8));
  CHECK((d.op[1].kind == VMM_OP_CR && d.op[1].reg == 3));
  d = decode("mov %rax, %cr8");
  CHECK(d.insn_class == PV_CLASS_MOV_TO_CR);
  CHECK((d.op[0].kind == VMM_OP_CR && d.op[0].reg == 8));
  d = decode("mov %db7, %rcx");
  CHECK(d.insn_class == PV_CLASS_MOV_FROM_DR);
  CHECK((d.op[1].kind == VMM_OP_DR && d.op[1].reg == 7));
  d = decode("mov %ax, %ds");
  CHECK(d.insn_class == PV_CLASS_MOV_TO_SEG);
  CHECK((d.op[0].kind == VMM_OP_SREG && d.op[0].reg == VMM_SEG_DS));
  CHECK(is_gpr(d.op[1], VMM_RAX, 2));
  d = decode("mov %cs, %edi");
  CHECK(d.insn_class == PV_CLASS_MOV_FROM_SEG);
  CHECK(is_gpr(d.op[0], VMM_RDI, 4));
  CHECK((d.op[1].kind == VMM_OP_SREG && d.op[1].reg == VMM_SEG_CS));
  d = decode("mov %ss, 8(%rsp)");
  CHECK(is_mem(d.op[0], VMM_RSP, VMM_REG_NONE, 1, 8, 2));
  d = decode("pushq %fs");
  CHECK(d.insn_class == PV_CLASS_PUSH_SEG);
  CHECK(d.op[0].reg == VMM_SEG_FS);
  CHECK(decode("popq %gs").op[0].reg == VMM_SEG_GS);
  d = decode("lgs 4(%rax), %r10d");
  CHECK(d.insn_class == PV_CLASS_LOAD_FAR_POINTER);
  CHECK(is_gpr(d.op[0], VMM_R10, 4));
  CHECK(d.op[0].sel == VMM_SEG_GS);
  CHECK(is_mem(d.op[1], VMM_RAX, VMM_REG_NONE, 1, 4, 6));
}

TEST_CASE("decoder: memory operands: SIB, RIP-relative, no base, overrides", "[decode]") {
  auto d = decode("lgdt 0x10(%rbx,%rcx,8)");
  CHECK(d.insn_class == PV_CLASS_LGDT);
  CHECK(is_mem(d.op[0], VMM_RBX, VMM_RCX, 8, 0x10, 10));
  d = decode("sidt gdt_ptr(%rip)");
  CHECK(d.insn_class == PV_CLASS_SIDT);
  CHECK((d.op[0].kind == VMM_OP_MEM && d.op[0].base == VMM_REG_RIP));
  d = decode("invlpg 0x12345678(,%r13,4)");
  CHECK(d.insn_class == PV_CLASS_INVLPG);
  CHECK(is_mem(d.op[0], VMM_REG_NONE, VMM_R13, 4, 0x12345678, 1));
  d = decode("invlpg -8(%r12)");
  CHECK(is_mem(d.op[0], VMM_R12, VMM_REG_NONE, 1, -8, 1));
  d = decode("lidt %gs:(%r13)");
  CHECK(is_mem(d.op[0], VMM_R13, VMM_REG_NONE, 1, 0, 10, VMM_SEG_GS));
  d = decode("ltr %ax");
  CHECK(d.insn_class == PV_CLASS_LTR);
  CHECK(is_gpr(d.op[0], VMM_RAX, 2));
  d = decode("lldt (%rsp)");
  CHECK(is_mem(d.op[0], VMM_RSP, VMM_REG_NONE, 1, 0, 2));
  d = decode("str %r11");  // GNU as encodes it as str %r11d: zero-extended anyway
  CHECK(d.insn_class == PV_CLASS_STR);
  CHECK(is_gpr(d.op[0], VMM_R11, 4));
  d = decode("smsw %eax");
  CHECK(d.insn_class == PV_CLASS_SMSW);
  CHECK(is_gpr(d.op[0], VMM_RAX, 4));
  CHECK(decode("lmsw %dx").insn_class == PV_CLASS_LMSW);
  d = decode("lar %cx, %esi");
  CHECK(d.insn_class == PV_CLASS_LAR);
  CHECK(is_gpr(d.op[0], VMM_RSI, 4));
  CHECK(is_gpr(d.op[1], VMM_RCX, 2));
  CHECK(decode("verw (%rdi)").insn_class == PV_CLASS_VERW);
  d = decode("invpcid (%rsi), %rax");
  CHECK(d.insn_class == PV_CLASS_INVPCID);
  CHECK(is_gpr(d.op[0], VMM_RAX, 8));
  CHECK(is_mem(d.op[1], VMM_RSI, VMM_REG_NONE, 1, 0, 16));
  d = decode("wrgsbase %r9");
  CHECK(d.insn_class == PV_CLASS_WRGSBASE);
  CHECK(is_gpr(d.op[0], VMM_R9, 8));
  CHECK(d.prefixes == VMM_PFX_REX_W);  // the F3 belongs to the opcode
  CHECK(is_gpr(decode("rdfsbase %eax").op[0], VMM_RAX, 4));
  d = decode("rex64 ljmp *(%rax)");  // m16:64
  CHECK(d.insn_class == PV_CLASS_LJMP);
  CHECK(is_mem(d.op[0], VMM_RAX, VMM_REG_NONE, 1, 0, 10));
  CHECK(is_mem(decode("ljmp *(%rax)").op[0], VMM_RAX, VMM_REG_NONE, 1, 0, 6));  // m16:32
  CHECK(decode("lcall *8(%rbx)").insn_class == PV_CLASS_LCALL);
  d = decode("lretq $16");
  CHECK((d.op[0].kind == VMM_OP_IMM && d.op[0].imm == 16));
  CHECK(decode("xsaves (%rdi)").insn_class == PV_CLASS_XSAVES);
  CHECK(decode("xrstors64 (%rdi)").insn_class == PV_CLASS_XRSTORS);
}

TEST_CASE("decoder refuses what is not a sensitive instruction", "[decode]") {
  for (const char *text : {"nop", "mov %rax, %rbx", "push %rax", "ret", "jmp *(%rax)",
                           "call *(%rax)", "xsave (%rdi)", "lfence"}) {
    auto bytes = assemble(text);
    vmm_site_desc d{};
    INFO(text);
    CHECK(vmm_decode(bytes.data(), unsigned(bytes.size()), &d) != 0);
  }
  uint8_t truncated[] = {0x0f, 0x01};  // lgdt without its ModRM
  vmm_site_desc d{};
  CHECK(vmm_decode(truncated, 2, &d) != 0);
  uint8_t mov_to_cs[] = {0x8e, 0xc8};
  CHECK(vmm_decode(mov_to_cs, 2, &d) != 0);
}

// Decoder and emulation agree on the operand conventions: real instructions
// assembled by GNU as, decoded, then emulated.
namespace {

vmm_site_desc at_site(const std::string &line) {
  vmm_site_desc d = decode(line);
  d.site = vmmtest::kSite;
  d.padded_length = uint8_t(d.insn_length < 5 ? 5 : d.insn_length);
  d.resume = d.site + d.padded_length;
  d.flags = 0;
  return d;
}

}  // namespace

TEST_CASE("decoded instructions emulate as the assembly text says", "[decode][emulate]") {
  using namespace vmmtest;
  Machine m;
  m.vcpu.cr3 = 0x42000;
  REQUIRE(m.run(at_site("mov %cr3, %r9")) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_R9] == 0x42000);

  m.regs.gpr[VMM_R10] = 0x43000;
  REQUIRE(m.run(at_site("mov %r10, %cr3")) == VMM_DONE);
  CHECK(m.vcpu.cr3 == 0x43000);

  m.regs.gpr[VMM_RBX] = 0x8000;
  m.regs.gpr[VMM_RCX] = 2;
  m.ram[0x8000 + 0x10 + 16] = 0xff;
  m.ram[0x8000 + 0x10 + 17] = 0x0f;
  m.write64(0x8000 + 0x10 + 18, kIdt);
  REQUIRE(m.run(at_site("lidt 0x10(%rbx,%rcx,8)")) == VMM_DONE);
  CHECK(m.vcpu.idtr.base == kIdt);
  CHECK(m.vcpu.idtr.limit == 0xfff);

  m.regs.gpr[VMM_RDI] = ~0ULL;
  REQUIRE(m.run(at_site("mov %cs, %edi")) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RDI] == kKernelCs);

  m.regs.gpr[VMM_RAX] = kUserDs;
  REQUIRE(m.run(at_site("mov %ax, %es")) == VMM_DONE);
  CHECK(m.vcpu.seg[VMM_SEG_ES].sel == kUserDs);

  m.regs.gpr[VMM_RCX] = kKernelCs;
  REQUIRE(m.run(at_site("lar %cx, %esi")) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RSI] == 0x00a09a00);

  // a far pointer m16:32 at 0x9000: offset 0x1000, then selector 0x10 (kernel data)
  m.write64(0x9000, (uint64_t(kKernelDs) << 32) | 0x1000);
  m.regs.gpr[VMM_RAX] = 0x9000;
  REQUIRE(m.run(at_site("lgs (%rax), %r10d")) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_R10] == 0x1000);
  CHECK(m.vcpu.seg[VMM_SEG_GS].sel == kKernelDs);

  m.regs.gpr[VMM_RDX] = 0x3f8;
  for (char c : std::string("hi\n")) {
    m.regs.gpr[VMM_RAX] = uint8_t(c);
    REQUIRE(m.run(at_site("outb %al, (%dx)")) == VMM_DONE);
  }
  CHECK(m.console == "hi\n");
  m.regs.gpr[VMM_RAX] = 0;
  REQUIRE(m.run(at_site("inb $0x21, %al")) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RAX] == 0xff);

  m.regs.gpr[VMM_RSP] = kKernelStack;
  REQUIRE(m.run(at_site("pushfq")) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RSP] == kKernelStack - 8);
  REQUIRE(m.run(at_site("popfq")) == VMM_DONE);
  CHECK(m.regs.gpr[VMM_RSP] == kKernelStack);

  m.regs.gpr[VMM_RAX] = 3;
  REQUIRE(m.run(at_site("outl %eax, $0xf4")) == VMM_SHUTDOWN);
  CHECK(m.vcpu.shutdown_status == 3);
}
