// SPDX-License-Identifier: GPL-3.0-or-later
#include "encoded_length.hh"

#include <cctype>
#include <string>
#include <vector>

extern "C" {
#include "previrt/sites.h"
}

namespace previrt {

namespace {

// Instructions without operands, by mnemonic: {length in 32-bit code,
// length in 64-bit code}; 0 where GNU as rejects the form.
struct NoOperandLength {
  const char *mnemonic;
  unsigned bits32, bits64;
};

constexpr NoOperandLength kNoOperand[] = {
    {"cli", 1, 1},     {"sti", 1, 1},      {"hlt", 1, 1},      {"pushf", 1, 1},
    {"popf", 1, 1},    {"pushfl", 1, 0},   {"popfl", 1, 0},    {"pushfd", 1, 0},
    {"popfd", 1, 0},   {"pushfq", 0, 1},   {"popfq", 0, 1},    {"pushfw", 2, 2},
    {"popfw", 2, 2},   {"insb", 1, 1},     {"insl", 1, 1},     {"insd", 1, 1},
    {"insw", 2, 2},    {"outsb", 1, 1},    {"outsl", 1, 1},    {"outsd", 1, 1},
    {"outsw", 2, 2},   {"iret", 1, 1},     {"iretl", 1, 1},    {"iretd", 1, 1},
    {"iretw", 2, 2},   {"iretq", 0, 2},    {"lret", 1, 1},     {"lretl", 1, 1},
    {"lretw", 2, 2},   {"lretq", 0, 2},    {"clts", 2, 2},     {"invd", 2, 2},
    {"wbinvd", 2, 2},  {"wbnoinvd", 3, 3}, {"rdmsr", 2, 2},    {"wrmsr", 2, 2},
    {"rdtsc", 2, 2},   {"rdpmc", 2, 2},    {"cpuid", 2, 2},    {"rdtscp", 3, 3},
    {"swapgs", 0, 3},  {"xsetbv", 3, 3},   {"stac", 3, 3},     {"clac", 3, 3},
    {"sysret", 2, 2},  {"sysretl", 2, 2},  {"sysretq", 0, 3},  {"sysexit", 2, 2},
    {"sysexitl", 2, 2}, {"sysexitq", 0, 3},
};

// Register operands of "%a, %b" (AT&T with register prefixes), lower case
// and without '%'; nothing if an operand is not a plain %register or $imm.
std::optional<std::vector<std::string>> simple_operands(std::string_view ops) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= ops.size()) {
    size_t comma = ops.find(',', start);
    std::string_view op = trim_space(
        ops.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (op == "(%dx)") op = "%dx";
    if (op.empty() || (op.front() != '%' && op.front() != '$')) return std::nullopt;
    if (op.front() == '%') {
      op.remove_prefix(1);
      for (char c : op)
        if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
    }
    out.push_back(to_lower(op));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool is_segment(const std::string &r) {
  return r == "cs" || r == "ds" || r == "es" || r == "fs" || r == "gs" || r == "ss";
}

// A general register: 0 for eax..edi / ax..di / rax..rdi forms, 1 for
// r8..r15 forms (which need a REX prefix), nothing otherwise.
std::optional<unsigned> general_register(const std::string &r, int code_bits) {
  static const char *const legacy[] = {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
                                       "ax",  "bx",  "cx",  "dx",  "si",  "di",  "bp",  "sp"};
  for (const char *l : legacy)
    if (r == l) return 0u;
  if (code_bits != 64) return std::nullopt;
  static const char *const wide[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"};
  for (const char *w : wide)
    if (r == w) return 0u;
  if (r.size() >= 2 && r[0] == 'r' && std::isdigit(static_cast<unsigned char>(r[1]))) {
    size_t digits = 1;
    while (digits + 1 < r.size() && std::isdigit(static_cast<unsigned char>(r[digits + 1]))) ++digits;
    int n = std::stoi(r.substr(1, digits));
    std::string suffix = r.substr(1 + digits);
    if (n >= 8 && n <= 15 && (suffix.empty() || suffix == "d" || suffix == "w")) return 1u;
  }
  return std::nullopt;
}

// %crN / %drN (or %dbN): the number, or nothing.
std::optional<int> numbered(const std::string &r, const char *stem) {
  size_t n = std::string(stem).size();
  if (r.size() <= n || r.compare(0, n, stem) != 0) return std::nullopt;
  for (size_t i = n; i < r.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(r[i]))) return std::nullopt;
  return std::stoi(r.substr(n));
}

}  // namespace

std::optional<unsigned> encoded_length(const SensitiveClass &cls, const InstructionText &insn,
                                       int code_bits, const AsmDialect &dialect) {
  if (!insn.prefixes.empty() || dialect.syntax != Syntax::att || !dialect.register_prefix)
    return std::nullopt;
  const std::string &m = insn.mnemonic;
  std::string_view ops = trim_space(insn.operands);
  if (cls.id == PV_CLASS_MONITOR || cls.id == PV_CLASS_MWAIT)  // operands are implicit
    return 3u;
  if (ops.empty()) {
    for (const auto &e : kNoOperand)
      if (m == e.mnemonic) {
        unsigned len = code_bits == 64 ? e.bits64 : e.bits32;
        return len ? std::optional<unsigned>(len) : std::nullopt;
      }
    return std::nullopt;
  }
  if (cls.id == PV_CLASS_INVLPG && code_bits == 64) {
    // invlpg (%reg): 0f 01 /7, in 64-bit code where a DS override is ignored.
    // %rsp/%r12 need a SIB byte, %rbp/%r13 a zero displacement.
    if (ops.size() < 4 || ops.front() != '(' || ops.back() != ')' || ops[1] != '%') return std::nullopt;
    std::string base = to_lower(ops.substr(2, ops.size() - 3));
    auto g = general_register(base, code_bits);
    if (!g || base[0] != 'r' || base.back() == 'd' || base.back() == 'w') return std::nullopt;
    bool sib = base == "rsp" || base == "r12", disp = base == "rbp" || base == "r13";
    return 3u + *g + (sib ? 1u : 0u) + (disp ? 1u : 0u);
  }
  auto regs = simple_operands(ops);
  if (!regs) return std::nullopt;
  const std::vector<std::string> &r = *regs;
  switch (cls.id) {
    case PV_CLASS_MOV_TO_CR:
    case PV_CLASS_MOV_FROM_CR:
    case PV_CLASS_MOV_TO_DR:
    case PV_CLASS_MOV_FROM_DR: {
      // 0f 20-23 /r, plus REX when either register is numbered 8 or more.
      if (r.size() != 2) return std::nullopt;
      bool to = cls.id == PV_CLASS_MOV_TO_CR || cls.id == PV_CLASS_MOV_TO_DR;
      const std::string &special = to ? r[1] : r[0];
      const std::string &gpr = to ? r[0] : r[1];
      auto n = numbered(special, "cr");
      if (!n) n = numbered(special, "dr");
      if (!n) n = numbered(special, "db");
      auto g = general_register(gpr, code_bits);
      if (!n || !g || (gpr.size() == 2 && gpr[0] != 'r') || gpr.back() == 'w') return std::nullopt;
      if (code_bits == 32 && (gpr[0] != 'e' || *n >= 8)) return std::nullopt;
      return 3u + ((*g || *n >= 8) ? 1u : 0u);
    }
    case PV_CLASS_IN:
    case PV_CLASS_OUT: {
      // e4/e5 ib, ec/ed, e6/e7 ib, ee/ef; 66 for the 16-bit forms.
      if (r.size() != 2) return std::nullopt;
      const std::string &port = cls.id == PV_CLASS_IN ? r[0] : r[1];
      const std::string &data = cls.id == PV_CLASS_IN ? r[1] : r[0];
      if (data != "al" && data != "ax" && data != "eax") return std::nullopt;
      unsigned len = port == "dx" ? 1 : port[0] == '$' ? 2 : 0;
      if (!len) return std::nullopt;
      return len + (data == "ax" ? 1 : 0);
    }
    case PV_CLASS_MOV_TO_SEG: {
      if (r.size() != 2 || !is_segment(r[1])) return std::nullopt;
      auto g = general_register(r[0], code_bits);
      if (!g) return std::nullopt;
      return 2u + *g;  // 8e /r (GNU as drops the operand-size prefix)
    }
    case PV_CLASS_POP_SEG: {
      if (r.size() != 1 || !is_segment(r[0])) return std::nullopt;
      if (m == "popl" && code_bits == 64) return std::nullopt;
      unsigned len = (r[0] == "fs" || r[0] == "gs") ? 2 : 1;  // 0f a1 / 0f a9, else 1 byte
      return len + (m == "popw" ? 1 : 0);
    }
  }
  return std::nullopt;
}

}  // namespace previrt
