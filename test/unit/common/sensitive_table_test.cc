// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>
#include <set>

#include "sensitive_table.hh"

extern "C" {
#include "previrt/sites.h"
}

using namespace previrt;

namespace {
std::string cls(const std::string &text, Syntax syntax = Syntax::att, bool prefix = true,
                int bits = 64) {
  const SensitiveClass *c = classify(split_instruction(text), AsmDialect{syntax, prefix}, bits);
  return c ? std::string(c->name) : "-";
}
}  // namespace

TEST_CASE("the table has unique ids, names and complete entries") {
  std::set<int> ids;
  std::set<std::string> names;
  for (const auto &c : sensitive_classes()) {
    CHECK(c.id > 0);
    CHECK(c.id < PV_CLASS_LIMIT);
    CHECK(ids.insert(c.id).second);
    CHECK(names.insert(std::string(c.name)).second);
    CHECK(!c.spellings.empty());
    CHECK(c.pad >= 5);  // room for call/jmp rel32
    CHECK(!c.why.empty());
    CHECK(c.modes != 0);
  }
  CHECK(sensitive_classes().size() == PV_CLASS_LIMIT - 1);
  REQUIRE(find_class("mov_to_cr") != nullptr);
  CHECK(find_class("mov_to_cr")->id == PV_CLASS_MOV_TO_CR);
  CHECK(find_class(PV_CLASS_SWAPGS)->attrs & PV_ATTR_NOSTACK);
}

TEST_CASE("every spelling of the issue's list classifies in AT&T syntax") {
  CHECK(cls("cli") == "cli");
  CHECK(cls("sti") == "sti");
  CHECK(cls("pushfq") == "pushf");
  CHECK(cls("popfw") == "popf");
  CHECK(cls("inb $0x60, %al") == "in");
  CHECK(cls("in (%dx),%al") == "in");
  CHECK(cls("outl %eax, %dx") == "out");
  CHECK(cls("rep insb (%dx),%es:(%rdi)") == "ins");
  CHECK(cls("rep outsw %ds:(%rsi),(%dx)") == "outs");
  CHECK(cls("mov %cr0,%rax") == "mov_from_cr");
  CHECK(cls("movq %rax, %cr3") == "mov_to_cr");
  CHECK(cls("mov %db7,%rax") == "mov_from_dr");
  CHECK(cls("mov %rax,%dr7") == "mov_to_dr");
  CHECK(cls("clts") == "clts");
  CHECK(cls("lmsw %ax") == "lmsw");
  CHECK(cls("smsw %eax") == "smsw");
  CHECK(cls("lgdt (%rax)") == "lgdt");
  CHECK(cls("lidtq 0x10(%rip)") == "lidt");
  CHECK(cls("ltr %ax") == "ltr");
  CHECK(cls("sldt %eax") == "sldt");
  CHECK(cls("str %eax") == "str");
  CHECK(cls("rdmsr") == "rdmsr");
  CHECK(cls("wrmsr") == "wrmsr");
  CHECK(cls("rdpmc") == "rdpmc");
  CHECK(cls("rdtscp") == "rdtscp");
  CHECK(cls("cpuid") == "cpuid");
  CHECK(cls("invlpg (%rdi)") == "invlpg");
  CHECK(cls("invpcid (%rax),%rdx") == "invpcid");
  CHECK(cls("wbinvd") == "wbinvd");
  CHECK(cls("hlt") == "hlt");
  CHECK(cls("monitor %rax,%ecx,%edx") == "monitor");
  CHECK(cls("mwait %eax,%ecx") == "mwait");
  CHECK(cls("iretq") == "iret");
  CHECK(cls("lretq") == "lret");
  CHECK(cls("sysretq") == "sysret");
  CHECK(cls("sysexit") == "sysexit");
  CHECK(cls("swapgs") == "swapgs");
  CHECK(cls("xsetbv") == "xsetbv");
  CHECK(cls("mov %cs,%eax") == "mov_from_seg");
  CHECK(cls("mov %ss,%eax") == "mov_from_seg");
  CHECK(cls("movw %ax,%ds") == "mov_to_seg");
  CHECK(cls("mov (%rax),%ss") == "mov_to_seg");
  CHECK(cls("push %fs") == "push_seg");
  CHECK(cls("pop %gs") == "pop_seg");
  CHECK(cls("lss (%rax),%rsp") == "load_far_pointer");
  CHECK(cls("ljmp *(%rax)") == "ljmp");
  CHECK(cls("jmp $0x10,$0x1000", Syntax::att, true, 32) == "ljmp");
  CHECK(cls("lcall *(%rax)") == "lcall");
  CHECK(cls("lar %ax,%eax") == "lar");
  CHECK(cls("lsl %eax,%eax") == "lsl");
  CHECK(cls("verr %ax") == "verr");
  CHECK(cls("verw 0x10(%rip)") == "verw");
  CHECK(cls("wrfsbase %rax") == "wrfsbase");
  CHECK(cls("rdgsbase %rax") == "rdgsbase");
  CHECK(cls("stac") == "stac");
  CHECK(cls("xrstors64 (%rdi)") == "xrstors");
}

TEST_CASE("ordinary instructions are not sensitive") {
  CHECK(cls("mov %rax,%rbx") == "-");
  CHECK(cls("mov %fs:0x28,%rax") == "-");    // segment override, not a segment register
  CHECK(cls("mov %rax,%gs:(%rbx)") == "-");
  CHECK(cls("push %rax") == "-");
  CHECK(cls("jmp *%rax") == "-");
  CHECK(cls("jmp 1f") == "-");
  CHECK(cls("call foo") == "-");
  CHECK(cls("inc %eax") == "-");
  CHECK(cls("int $0x80") == "-");
  CHECK(cls("insertps $0x1,%xmm1,%xmm0") == "-");
  CHECK(cls("strl") == "str");  // suffix spelling is still str
  CHECK(cls("mov cr0, %rax") == "-");  // a memory operand named cr0 in AT&T prefix mode
  CHECK(cls("nopw %cs:0x0(%rax,%rax,1)") == "-");
}

TEST_CASE("Intel syntax puts the destination first") {
  CHECK(cls("mov cr3, rax", Syntax::intel, false) == "mov_to_cr");
  CHECK(cls("mov rax, cr3", Syntax::intel, false) == "mov_from_cr");
  CHECK(cls("mov %cr3, %rax", Syntax::intel, true) == "mov_to_cr");
  CHECK(cls("mov ds, ax", Syntax::intel, false) == "mov_to_seg");
  CHECK(cls("push fs", Syntax::intel, false) == "push_seg");
  CHECK(cls("jmp far ptr [rax]", Syntax::intel, false) == "ljmp");
  CHECK(cls("jmp qword ptr [rax]", Syntax::intel, false) == "-");
  CHECK(cls("retf", Syntax::intel, false) == "lret");
  CHECK(cls("pushfq", Syntax::intel, false) == "pushf");
  CHECK(cls("mov rax, fs:[0x28]", Syntax::intel, false) == "-");
}

TEST_CASE("modes: 16-bit code never matches, 64-bit-only classes stay out of 32-bit code") {
  CHECK(cls("cli", Syntax::att, true, 16) == "-");
  CHECK(cls("cli", Syntax::att, true, 32) == "cli");
  CHECK(cls("swapgs", Syntax::att, true, 32) == "-");
  CHECK(cls("wrfsbase %eax", Syntax::att, true, 32) == "-");
}

TEST_CASE("prefixes are split off and kept") {
  InstructionText t = split_instruction("rep; insb");
  CHECK(t.mnemonic == "rep;");  // a separate statement is the lexer's business
  t = split_instruction("lock rex.W {disp32} cs  mov %cr0,%rax");
  CHECK(t.prefixes == std::vector<std::string>{"lock", "rex.w", "{disp32}", "cs"});
  CHECK(t.mnemonic == "mov");
  CHECK(t.operands == "%cr0,%rax");
  t = split_instruction("data16 lgdt (%eax)");
  CHECK(t.mnemonic == "lgdt");
  CHECK(is_prefix_word("REPNZ"));
  CHECK(!is_prefix_word("rex.q"));
}
