// SPDX-License-Identifier: GPL-3.0-or-later
#include "table_report.hh"

#include <istream>
#include <ostream>
#include <string>

#include "sensitive_table.hh"

extern "C" {
#include "previrt/sites.h"
}

namespace previrt {

namespace {

std::string modes_text(unsigned modes) {
  std::string s;
  if (modes & PV_MODE_32) s += "32";
  if (modes & PV_MODE_64) s += s.empty() ? "64" : ", 64";
  return s;
}

std::string operands_text(int rule) {
  switch (rule) {
    case PV_OPS_CR_DST: return "to %crN";
    case PV_OPS_CR_SRC: return "from %crN";
    case PV_OPS_DR_DST: return "to %drN";
    case PV_OPS_DR_SRC: return "from %drN";
    case PV_OPS_SEG_DST: return "to a segment register";
    case PV_OPS_SEG_SRC: return "from a segment register";
    case PV_OPS_FAR: return "far form";
  }
  return "";
}

std::string spellings_text(const SensitiveClass &c, bool markdown) {
  std::string s;
  for (const auto &sp : c.spellings) {
    if (!s.empty()) s += markdown ? " " : ",";
    std::string m = markdown ? "`" + std::string(sp.mnemonic) + "`" : std::string(sp.mnemonic);
    std::string ops = operands_text(sp.operands);
    if (!ops.empty()) m += markdown ? " (" + ops + ")" : "(" + ops + ")";
    s += m;
  }
  return s;
}

}  // namespace

bool print_table(std::ostream &out, const std::string &format) {
  const auto &classes = sensitive_classes();
  if (format == "tsv") {
    out << "id\tname\tmodes\tpad\tnostack\tspellings\tprefix_form\n";
    for (const auto &c : classes)
      out << c.id << '\t' << c.name << '\t' << modes_text(c.modes) << '\t' << c.pad << '\t'
          << ((c.attrs & PV_ATTR_NOSTACK) ? 1 : 0) << '\t' << spellings_text(c, false) << '\t'
          << ((c.attrs & PV_ATTR_PREFIX_PAD) ? "required" : "when-length-known") << '\n';
    return true;
  }
  if (format == "markdown") {
    out << "<!-- SPDX-License-Identifier: MIT -->\n"
           "<!-- Generated from include/previrt/sensitive.def by `pv-as --print-table=markdown`"
           " (make docs); do not edit. -->\n"
           "# Sensitive instructions\n\n"
           "Every class pv-as annotates, elfrewrite verifies and the VMM emulates. The class id is\n"
           "stored in each site record and never changes meaning. Modes are the code sizes in which\n"
           "sites are made: 16-bit code (`.code16`, `.code16gcc`) is never annotated, because it runs\n"
           "before any VMM can exist (real-mode boot code, AP start-up trampolines). Pad is the minimum\n"
           "site length in bytes. Sites are padded with DS prefixes in front of the instruction when\n"
           "pv-as knows its length, else with NOPs after it; *prefix form* marks the classes whose\n"
           "sites need the prefix form for correctness (see annotations.md). *No stack* marks\n"
           "classes whose sites must be rewritten without touching the stack. Prefixes (`rep`, `lock`,\n"
           "`data16`, `rex.w`, segment overrides, `{...}` pseudo-prefixes) are accepted on every\n"
           "spelling and belong to the site.\n\n"
           "| id | class | modes | pad | prefix form | no stack | spellings | why it is sensitive |\n"
           "|---:|---|---|---:|---|---|---|---|\n";
    for (const auto &c : classes)
      out << "| " << c.id << " | " << c.name << " | " << modes_text(c.modes) << " | " << c.pad
          << " | " << ((c.attrs & PV_ATTR_PREFIX_PAD) ? "required" : "") << " | "
          << ((c.attrs & PV_ATTR_NOSTACK) ? "yes" : "") << " | "
          << spellings_text(c, true) << " | " << c.why << " |\n";
    out << "\n## Deliberately not annotated\n\n"
           "- `syscall`, `sysenter`, `int N`, `int3`, `into`, `ud2`: they trap or enter the kernel by\n"
           "  design; a hypervisor intercepts them without help from the guest's code.\n"
           "- `xgetbv`, `rdpid`, `rdrand`, `rdseed`: readable at any privilege level and not\n"
           "  virtualized differently for a para-virtual guest.\n"
           "- VMX and SVM instructions (`vmlaunch`, `vmrun`, ...): a pre-virtualized guest does not\n"
           "  run its own hypervisor.\n"
           "- Instructions emitted as data other than one `.byte` directive of plain numbers (which\n"
           "  pv-as decodes and annotates, as Linux writes `clac` or `xsaves`), for example\n"
           "  `.long`, symbolic values or bytes split over directives: pv-as cannot see them;\n"
           "  `elfrewrite --verify` finds them in the linked image.\n";
    return true;
  }
  return false;
}

void classify_lines(std::istream &in, std::ostream &out, int code_bits) {
  AsmDialect dialect;  // objdump's default AT&T output
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    std::string address = tab == std::string::npos ? "" : line.substr(0, tab);
    std::string text = tab == std::string::npos ? line : line.substr(tab + 1);
    size_t comment = text.find('#');
    if (comment != std::string::npos) text.resize(comment);
    InstructionText insn = split_instruction(text);
    if (const SensitiveClass *c = classify(insn, dialect, code_bits))
      out << address << '\t' << c->name << '\n';
  }
}

}  // namespace previrt
