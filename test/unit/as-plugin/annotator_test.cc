// SPDX-License-Identifier: GPL-3.0-or-later
#include <catch2/catch.hpp>

#include "as-plugin/annotator.hh"
#include "as-plugin/gas_lexer.hh"

using namespace previrt;

namespace {
std::vector<std::string> classes_of(const std::string &src, int bits = 64) {
  AnnotateOptions o;
  o.default_code_bits = bits;
  std::vector<std::string> out;
  for (const auto &s : annotate(src, o).sites) out.push_back(s.class_name);
  return out;
}
size_t count_lines(const std::string &s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

TEST_CASE("lexer: separators, comments, strings, character constants") {
  GasLexer lx;
  auto st = lx.split("cli ; sti # comment ; hlt");
  REQUIRE(st.size() == 2);
  CHECK(st[0].text == "cli ");
  CHECK(st[1].text == " sti ");
  st = lx.split(".ascii \"a;b#c\" ; cli");
  REQUIRE(st.size() == 2);
  CHECK(st[1].text == " cli");
  st = lx.split("movb $';', %al ; cli");
  REQUIRE(st.size() == 2);
  st = lx.split("/ a line comment; cli");
  CHECK(st.empty());
  st = lx.split("cli /* open");
  REQUIRE(st.size() == 1);
  CHECK(lx.in_block_comment());
  st = lx.split("still comment ; hlt */ sti");
  REQUIRE(st.size() == 1);
  CHECK(std::string(trim_space(st[0].text)) == "sti");
  CHECK(!lx.in_block_comment());
}

TEST_CASE("annotation keeps every line on its line") {
  std::string src = "\t.text\nf:\tcli # c\n\tsti; hlt\n1:\trdmsr\n\t.loc 1 2 3\n";
  auto r = annotate(src, {});
  CHECK(r.sites.size() == 4);
  CHECK(count_lines(r.text) == count_lines(src));
  CHECK(r.text.find("# c") != std::string::npos);
  CHECK(r.text.find("1:\t9707001: .byte 0x3e,0x3e,0x3e ; rdmsr") != std::string::npos);
  CHECK(r.sites[3].line == 4);
}

TEST_CASE("16-bit code and non-executable sections are left alone") {
  CHECK(classes_of(".code16\ncli\n.code16gcc\nsti\n.code32\nhlt\n") == std::vector<std::string>{"hlt"});
  CHECK(classes_of(".data\ncli\n.section .foo,\"ax\"\nsti\n.section .bar\nhlt\n") ==
        std::vector<std::string>{"sti"});
  CHECK(classes_of(".pushsection .rodata\ncli\n.popsection\nsti\n") == std::vector<std::string>{"sti"});
  CHECK(classes_of(".section .foo,\"ax\"\n.section .data\n.previous\ncli\n") ==
        std::vector<std::string>{"cli"});
}

TEST_CASE("syntax switches follow .intel_syntax and .att_syntax") {
  CHECK(classes_of(".intel_syntax noprefix\nmov cr3, rax\n.att_syntax\nmov %cr3,%rax\n") ==
        std::vector<std::string>{"mov_to_cr", "mov_from_cr"});
}

TEST_CASE("flags: 32-bit code, no-stack classes, replacement sections") {
  AnnotateOptions o;
  auto r = annotate(".code32\ncli\n.code64\nswapgs\n.pushsection .altinstr_replacement,\"ax\"\nhlt\n.popsection\n", o);
  REQUIRE(r.sites.size() == 3);
  CHECK(r.text.find(",1,2 ;") != std::string::npos);   // cli, CODE32
  CHECK(r.text.find(",41,1 ;") != std::string::npos);  // swapgs, NOSTACK
  CHECK(r.text.find(",34,4 ;") != std::string::npos);  // hlt, REPLACEMENT
}

TEST_CASE("a prefix statement joins the site of the next instruction") {
  auto r = annotate("\trep; insb\n\trep\n\toutsb\n", {});
  REQUIRE(r.sites.size() == 2);
  CHECK(r.text.find("\t9707001: rep; insb ;") != std::string::npos);
  CHECK(r.text.find("\t9707001: rep\n\toutsb ;") != std::string::npos);
}

TEST_CASE("macros: bodies, user macros named like instructions, arguments in instruction position") {
  std::string src =
      ".macro body\n cli\n.endm\n"
      ".macro hlt\n nop\n.endm\n hlt\n"
      ".macro ALT old, new\n140: \\old\n.pushsection .altinstr_replacement,\"ax\"\n \\new\n.popsection\n.endm\n"
      " ALT \"\", \"swapgs\"\n"
      ".macro MSG text\n .ascii \"\\text\"\n.endm\n MSG \"cli\"\n";
  auto r = annotate(src, {});
  REQUIRE(r.sites.size() == 2);
  CHECK(r.sites[0].class_name == "cli");
  CHECK(r.sites[0].in_macro_body);
  CHECK(r.sites[1].class_name == "swapgs");
  CHECK(r.sites[1].from_macro_argument);
  // the replacement context of \new is recorded: NOSTACK | REPLACEMENT
  CHECK(r.text.find(",41,5 ;") != std::string::npos);
  CHECK(r.text.find(" MSG \"cli\"") != std::string::npos);  // data, not code
}

TEST_CASE("section state set inside a macro body does not leak out") {
  CHECK(classes_of(".macro m\n.data\n.endm\ncli\n") == std::vector<std::string>{"cli"});
}

TEST_CASE("no padding mode keeps the site structure with zero NOPs") {
  AnnotateOptions o;
  o.pad = false;
  auto r = annotate("cli\ninvlpg 8(%rdi)\n", o);
  CHECK(r.text.find("9707001: cli ; 9707002: ; .if (9707002b-9707001b)-1 ; .err ; .endif ;") == 0);
  CHECK(r.text.find("invlpg 8(%rdi) ; 9707002: ; previrt_pad_v1 (0-(9707002b-9707001b))") !=
        std::string::npos);
}

TEST_CASE("a bare-word argument used in instruction position and in a symbol name") {
  std::string src =
      ".macro op_safe op\n\\op\\()_safe:\n1:\t\\op\n.endm\nop_safe rdmsr\nop_safe wrmsr\nop_safe nop\n";
  auto r = annotate(src, {});
  REQUIRE(r.sites.size() == 2);
  CHECK(r.sites[0].class_name == "rdmsr");
  CHECK(r.sites[1].class_name == "wrmsr");
  // The body statement becomes a .ifc chain; the symbol name is untouched.
  CHECK(r.text.find("1:\t.ifc \\op,rdmsr ; 9707001: .byte 0x3e,0x3e,0x3e ; \\op") != std::string::npos);
  CHECK(r.text.find("\\op\\()_safe:") != std::string::npos);
  CHECK(r.text.find("op_safe rdmsr\n") != std::string::npos);
}

TEST_CASE("sites whose length pv-as knows pad with DS prefixes in front, checked by GAS") {
  auto r = annotate("sti\ninvlpg 8(%rdi)\nmov %cr3, %r9\n", {});
  REQUIRE(r.sites.size() == 3);
  // sti: seven 0x3e bytes before it (its length is known: 1) and no NOPs
  // after, so its shadow reaches the next instruction; GAS checks the length.
  CHECK(r.text.find("9707001: .byte 0x3e,0x3e,0x3e,0x3e,0x3e,0x3e,0x3e ; sti ; 9707002: ; "
                    ".if (9707002b-9707001b)-8 ; .err ; .endif ; 9707003:") == 0);
  // A memory operand: the length is GAS's business, NOPs after.
  CHECK(r.text.find("invlpg 8(%rdi) ; 9707002: ; previrt_pad_v1 (5-(9707002b-9707001b))") != std::string::npos);
  // REX for %r9: 4 bytes, one prefix.
  CHECK(r.text.find("9707001: .byte 0x3e ; mov %cr3, %r9") != std::string::npos);
  AnnotateOptions o32;
  o32.default_code_bits = 32;
  auto m = annotate("mov (%ebp), %ss\nmov %eax, %ss\n", o32);
  REQUIRE(m.sites.size() == 2);
  // A DS override would change (%ebp)'s default SS segment in 32-bit code.
  CHECK(m.text.find("9707001: mov (%ebp), %ss ; 9707002: ; previrt_pad_v1") != std::string::npos);
  CHECK(m.text.find("9707001: .byte 0x3e,0x3e,0x3e ; mov %eax, %ss") != std::string::npos);
}
