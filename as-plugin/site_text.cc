// SPDX-License-Identifier: GPL-3.0-or-later
#include "site_text.hh"

#include "previrt/sites.h"
#include "version.hh"

namespace previrt {

namespace {
// Numeric local labels: GAS resolves "Nb" to the nearest earlier definition,
// so the same text works in every macro expansion and .rept iteration, and in
// both AT&T and Intel syntax. The numbers are far from what code uses.
constexpr const char *kStart = "9707001";
constexpr const char *kInsnEnd = "9707002";
constexpr const char *kSiteEnd = "9707003";
}  // namespace

std::string producer_string() { return std::string("pv-as ") + kPrevirtVersion; }

std::string preamble_text() {
  std::string producer = producer_string();
  size_t desc_size = 8 + producer.size() + 1;
  std::string out;
  out += ".pushsection " PREVIRT_SITES_SECTION ",\"a\",@progbits ; .balign 4 ; .popsection ; ";
  out += ".pushsection " PREVIRT_NOTE_SECTION ",\"aG\",@note," PREVIRT_NOTE_GROUP ",comdat ; ";
  out += ".balign 4 ; .long 8, " + std::to_string(desc_size) + ", " +
         std::to_string(PREVIRT_NOTE_TYPE_ABI) + " ; ";
  out += ".asciz \"" PREVIRT_NOTE_OWNER "\" ; ";
  out += ".long " + std::to_string(PREVIRT_ABI_VERSION) + ", " +
         std::to_string(PREVIRT_SITE_SIZE) + " ; ";
  out += ".asciz \"" + producer + "\" ; .balign 4 ; .popsection";
  return out;
}

std::string site_prologue() { return std::string(kStart) + ": "; }

std::string site_epilogue(const SiteShape &shape) {
  const std::string start = std::string(kStart) + "b";
  const std::string insn_len = "(" + std::string(kInsnEnd) + "b-" + start + ")";
  const std::string pad = std::to_string(shape.pad);
  std::string out = " ; ";
  out += std::string(kInsnEnd) + ": ";
  // NOPs up to `pad` bytes; GAS's relational operators yield -1 for true.
  out += ".nops -(((" + pad + ")-" + insn_len + ")>0)*((" + pad + ")-" + insn_len + ") ; ";
  out += std::string(kSiteEnd) + ": ; ";
  out += ".pushsection " PREVIRT_SITES_SECTION " ; ";
  out += ".long " + start + "-. ; ";
  out += ".byte " + std::string(kSiteEnd) + "b-" + start + "," + insn_len + "," +
         std::to_string(shape.insn_class) + "," + std::to_string(shape.flags) + " ; ";
  out += ".popsection";
  return out;
}

}  // namespace previrt
