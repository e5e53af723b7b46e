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
constexpr const char *kInsnStart = "9707004";  // after DS prefix padding

// Bytes missing from `length` to reach `pad`; GAS's relational operators
// yield -1 for true.
std::string shortfall(const std::string &pad, const std::string &length) {
  return "-(((" + pad + ")-" + length + ")>0)*((" + pad + ")-" + length + ")";
}
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

std::string site_prologue(const SiteShape &shape) {
  std::string out = std::string(kStart) + ": ";
  if (shape.prefix_pad) {
    // Forward references: the instruction's length is known only once GAS
    // has assembled it, as in Linux's ALTERNATIVE padding.
    std::string len = "(" + std::string(kInsnEnd) + "f-" + kInsnStart + "f)";
    out += ".skip " + shortfall(std::to_string(shape.pad), len) + ", 0x3e ; " + kInsnStart + ": ";
  }
  return out;
}

std::string site_epilogue(const SiteShape &shape) {
  const std::string start = std::string(kStart) + "b";
  const std::string insn_len = "(" + std::string(kInsnEnd) + "b-" + start + ")";
  const std::string pad = std::to_string(shape.pad);
  std::string out = " ; ";
  out += std::string(kInsnEnd) + ": ";
  if (!shape.prefix_pad) out += ".nops " + shortfall(pad, insn_len) + " ; ";
  out += std::string(kSiteEnd) + ": ; ";
  out += ".pushsection " PREVIRT_SITES_SECTION " ; ";
  out += ".long " + start + "-. ; ";
  out += ".byte " + std::string(kSiteEnd) + "b-" + start + "," + insn_len + "," +
         std::to_string(shape.insn_class) + "," + std::to_string(shape.flags) + " ; ";
  out += ".popsection";
  return out;
}

}  // namespace previrt
