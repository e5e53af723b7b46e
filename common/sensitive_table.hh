// SPDX-License-Identifier: GPL-3.0-or-later
// The sensitive-instruction table (include/previrt/sensitive.def) as C++ data,
// and the one matcher that decides whether an instruction, spelled as GAS or
// the libopcodes disassembler spells it, belongs to a sensitive class.
// pv-as uses it on source text, elfrewrite's verifier on disassembly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace previrt {

struct Spelling {
  std::string_view mnemonic;  // lower case, without prefixes
  int operands;               // PV_OPS_*
};

struct SensitiveClass {
  int id;                  // class number in site records
  std::string_view name;   // short lower-case name, e.g. "mov_to_cr"
  unsigned modes;          // PV_MODE_* bits
  unsigned attrs;          // PV_ATTR_* bits
  unsigned pad;            // minimum site length in bytes
  std::string_view why;
  std::vector<Spelling> spellings;
};

// Every class, in table order (ascending id).
const std::vector<SensitiveClass> &sensitive_classes();

// The class with this id, or nullptr.
const SensitiveClass *find_class(int id);

// The class with this name ("cli", "mov_to_cr", ...), or nullptr.
const SensitiveClass *find_class(std::string_view name);

enum class Syntax { att, intel };

struct AsmDialect {
  Syntax syntax = Syntax::att;
  // Registers need the '%' prefix (AT&T default, ".intel_syntax prefix").
  bool register_prefix = true;
};

// One instruction statement split into its prefix words, mnemonic and
// operand text, e.g. "rep insb (%dx),%es:(%rdi)" -> {"rep"}, "insb", "...".
struct InstructionText {
  std::vector<std::string> prefixes;  // lower case
  std::string mnemonic;               // lower case
  std::string operands;               // as written, trimmed
};

// Splits a statement that is known to be an instruction (no label, no
// directive). Prefix words are recognised by name; "{...}" pseudo-prefixes
// count as prefixes.
InstructionText split_instruction(std::string_view statement);

// True if the word is an x86 instruction prefix GAS accepts as a separate
// word or statement (rep, lock, data16, rex.w, cs, {disp32}, ...).
bool is_prefix_word(std::string_view word);

// The sensitive class of the instruction, or nullptr. `code_bits` is 16, 32
// or 64; 16-bit code never matches.
const SensitiveClass *classify(const InstructionText &insn, const AsmDialect &dialect,
                               int code_bits);

// Lower-cases ASCII.
std::string to_lower(std::string_view s);

// ASCII blank (space, tab, CR, LF, VT, FF); assembly text is ASCII.
inline bool is_blank(char c) { return c == ' ' || c == '\t' || (c >= '\n' && c <= '\r'); }

// Leading and trailing blanks removed.
std::string_view trim_space(std::string_view s);

}  // namespace previrt
