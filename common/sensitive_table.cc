// SPDX-License-Identifier: GPL-3.0-or-later
#include "sensitive_table.hh"

#include <algorithm>
#include <cctype>

extern "C" {
#include "previrt/sites.h"
}

namespace previrt {

namespace {

// A prefix-form site is one instruction, and x86 allows at most 15 bytes.
#define PV_CLASS(NAME, id, modes, attrs, pad, why) \
  static_assert(!((attrs) & PV_ATTR_PREFIX_PAD) || (pad) <= 15, #NAME ": prefix form over 15 bytes");
#include "previrt/sensitive.def"

std::vector<SensitiveClass> build_table() {
  std::vector<SensitiveClass> table;
#define PV_CLASS(NAME, id, modes, attrs, pad, why) \
  table.push_back(SensitiveClass{id, "", modes, attrs, pad, why, {}});
#include "previrt/sensitive.def"
  // Names are the enum suffixes in lower case; keep their storage static.
  static std::vector<std::string> names;
  static const char *const raw_names[] = {
#define PV_CLASS(NAME, id, modes, attrs, pad, why) #NAME,
#include "previrt/sensitive.def"
  };
  names.clear();
  for (const char *n : raw_names) names.push_back(to_lower(n));
  for (size_t i = 0; i < table.size(); ++i) table[i].name = names[i];

  auto add = [&](int id, std::string_view mnemonic, int operands) {
    for (auto &c : table)
      if (c.id == id) c.spellings.push_back({mnemonic, operands});
  };
#define PV_SPELLING(NAME, mnemonic, operands) add(PV_CLASS_##NAME, mnemonic, operands);
#include "previrt/sensitive.def"
  std::sort(table.begin(), table.end(),
            [](const SensitiveClass &a, const SensitiveClass &b) { return a.id < b.id; });
  return table;
}

// Splits operands at commas outside (), [] and quotes.
std::vector<std::string> split_operands(std::string_view ops) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    char c = ops[i];
    if (c == '(' || c == '[') ++depth;
    else if ((c == ')' || c == ']') && depth > 0) --depth;
    else if (c == ',' && depth == 0) {
      out.emplace_back(trim_space(ops.substr(start, i - start)));
      start = i + 1;
    }
  }
  auto last = trim_space(ops.substr(start));
  if (!last.empty() || !out.empty()) out.emplace_back(last);
  return out;
}

enum class RegKind { none, control, debug, segment };

// Kind of a whole operand that is exactly one register, e.g. "%cr3".
RegKind register_kind(std::string_view operand, const AsmDialect &d) {
  std::string op = to_lower(trim_space(operand));
  std::string_view r = op;
  if (!r.empty() && r.front() == '%') r.remove_prefix(1);
  else if (d.register_prefix) return RegKind::none;
  auto numbered = [&](std::string_view stem) {
    if (r.size() <= stem.size() || r.substr(0, stem.size()) != stem) return false;
    std::string_view n = r.substr(stem.size());
    if (n.size() > 2) return false;
    for (char c : n)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return std::stoi(std::string(n)) < 16;
  };
  if (numbered("cr")) return RegKind::control;
  if (numbered("dr") || numbered("db")) return RegKind::debug;
  static const char *const segs[] = {"cs", "ds", "es", "fs", "gs", "ss"};
  for (const char *s : segs)
    if (r == s) return RegKind::segment;
  return RegKind::none;
}

bool has_word(std::string_view text, std::string_view word) {
  std::string t = to_lower(text);
  size_t pos = 0;
  while ((pos = t.find(word, pos)) != std::string::npos) {
    bool left = pos == 0 || !(std::isalnum(static_cast<unsigned char>(t[pos - 1])) || t[pos - 1] == '_');
    size_t end = pos + word.size();
    bool right = end >= t.size() || !(std::isalnum(static_cast<unsigned char>(t[end])) || t[end] == '_');
    if (left && right) return true;
    pos = end;
  }
  return false;
}

bool is_far_transfer(const std::vector<std::string> &ops, const AsmDialect &d) {
  if (d.syntax == Syntax::att) {
    // "jmp $sel, $off" is the direct far form; "jmp *mem" is near unless
    // spelled ljmp (handled by the mnemonic).
    return ops.size() == 2 && !ops[0].empty() && ops[0][0] == '$' && !ops[1].empty() &&
           ops[1][0] == '$';
  }
  if (ops.size() != 1) return ops.size() == 2;  // "jmp sel, off" (Intel)
  if (has_word(ops[0], "far")) return true;
  // Intel direct far form "sel:off": a colon that is not a segment override.
  size_t colon = ops[0].find(':');
  if (colon == std::string::npos) return false;
  return register_kind(ops[0].substr(0, colon), AsmDialect{Syntax::intel, false}) ==
             RegKind::none &&
         ops[0].find('[') == std::string::npos;
}

bool operands_match(int rule, const std::vector<std::string> &ops, const AsmDialect &d) {
  if (rule == PV_OPS_ANY) return true;
  if (rule == PV_OPS_FAR) return is_far_transfer(ops, d);
  if (ops.empty() || ops.size() > 2) return false;
  // Normalize to (source, destination); a single operand is both for push
  // (source) and pop (destination).
  std::string_view src = ops.front(), dst = ops.back();
  if (ops.size() == 2 && d.syntax == Syntax::intel) std::swap(src, dst);
  switch (rule) {
    case PV_OPS_CR_DST: return ops.size() == 2 && register_kind(dst, d) == RegKind::control;
    case PV_OPS_CR_SRC: return ops.size() == 2 && register_kind(src, d) == RegKind::control;
    case PV_OPS_DR_DST: return ops.size() == 2 && register_kind(dst, d) == RegKind::debug;
    case PV_OPS_DR_SRC: return ops.size() == 2 && register_kind(src, d) == RegKind::debug;
    case PV_OPS_SEG_DST: return register_kind(dst, d) == RegKind::segment;
    case PV_OPS_SEG_SRC: return register_kind(src, d) == RegKind::segment;
  }
  return false;
}

}  // namespace

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::vector<SensitiveClass> &sensitive_classes() {
  static const std::vector<SensitiveClass> table = build_table();
  return table;
}

const SensitiveClass *find_class(int id) {
  for (const auto &c : sensitive_classes())
    if (c.id == id) return &c;
  return nullptr;
}

const SensitiveClass *find_class(std::string_view name) {
  for (const auto &c : sensitive_classes())
    if (c.name == name) return &c;
  return nullptr;
}

bool is_prefix_word(std::string_view word) {
  std::string w = to_lower(word);
  if (w.size() >= 2 && w.front() == '{' && w.back() == '}') return true;
  static const char *const prefixes[] = {
      "rep",  "repe",   "repz",   "repne",  "repnz", "lock",     "data16",   "data32",
      "addr16", "addr32", "rex",  "rex64",  "notrack", "bnd",    "xacquire", "xrelease",
      "cs",   "ds",     "es",     "fs",     "gs",    "ss",
  };
  for (const char *p : prefixes)
    if (w == p) return true;
  // rex.w, rex.wrxb, ... as GAS and objdump spell them.
  if (w.size() > 4 && w.compare(0, 4, "rex.") == 0) {
    for (char c : w.substr(4))
      if (c != 'w' && c != 'r' && c != 'x' && c != 'b') return false;
    return true;
  }
  return false;
}

InstructionText split_instruction(std::string_view statement) {
  InstructionText out;
  std::string_view s = trim_space(statement);
  while (!s.empty()) {
    size_t end = 0;
    while (end < s.size() && !is_blank(s[end])) ++end;
    std::string_view word = s.substr(0, end);
    // "{disp32}mov" style pseudo-prefix glued to the mnemonic.
    if (word.size() > 1 && word.front() == '{') {
      size_t close = word.find('}');
      if (close != std::string_view::npos && close + 1 < word.size()) {
        out.prefixes.push_back(to_lower(word.substr(0, close + 1)));
        s = s.substr(close + 1);
        continue;
      }
    }
    std::string_view rest = trim_space(s.substr(end));
    if (is_prefix_word(word) && !rest.empty()) {
      out.prefixes.push_back(to_lower(word));
      s = rest;
      continue;
    }
    out.mnemonic = to_lower(word);
    out.operands = std::string(rest);
    break;
  }
  return out;
}

const SensitiveClass *classify(const InstructionText &insn, const AsmDialect &dialect,
                               int code_bits) {
  if (code_bits != 32 && code_bits != 64) return nullptr;
  unsigned mode = code_bits == 64 ? PV_MODE_64 : PV_MODE_32;
  std::vector<std::string> ops;
  bool ops_split = false;
  for (const auto &c : sensitive_classes()) {
    if (!(c.modes & mode)) continue;
    for (const auto &sp : c.spellings) {
      if (sp.mnemonic != insn.mnemonic) continue;
      if (!ops_split) {
        ops = split_operands(insn.operands);
        ops_split = true;
      }
      if (operands_match(sp.operands, ops, dialect)) return &c;
    }
  }
  return nullptr;
}

}  // namespace previrt
