// SPDX-License-Identifier: GPL-3.0-or-later
#include "site_text.hh"

#include <algorithm>

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
// 1 while the current section is a replacement section; a .L symbol, so it
// never reaches the object's symbol table.
constexpr const char *kReplacementSymbol = ".Lprevirt_replacement_v1";

// The padding macro. Padding must be fixed-size data, never a variable frag
// (as .nops and a .skip of a not-yet-known size are): GNU as picks the
// shortest encoding for an immediate or displacement that is a label
// difference only when the difference is known while it assembles that
// instruction, so a variable frag between the labels would change the code
// around the site. The NOP forms up to 7 bytes are GNU as's own; longer
// runs (popf sites) take as few NOPs as x86 allows: at most 15 bytes each.
constexpr const char *kPadMacro =
    ".macro previrt_pad_v1 n\n"
    ".if (\\n) <= 0\n"  // the instruction fills the site
    ".elseif (\\n) == 1\n.byte 0x90\n"
    ".elseif (\\n) == 2\n.byte 0x66,0x90\n"
    ".elseif (\\n) == 3\n.byte 0x0f,0x1f,0x00\n"
    ".elseif (\\n) == 4\n.byte 0x0f,0x1f,0x40,0x00\n"
    ".elseif (\\n) == 5\n.byte 0x0f,0x1f,0x44,0x00,0x00\n"
    ".elseif (\\n) == 6\n.byte 0x66,0x0f,0x1f,0x44,0x00,0x00\n"
    ".elseif (\\n) == 7\n.byte 0x0f,0x1f,0x80,0x00,0x00,0x00,0x00\n"
    // 8..14: 0x66 prefixes on an 8-byte NOP; longer: a 15-byte NOP first
    ".elseif (\\n) < 15\n.rept (\\n)-8\n.byte 0x66\n.endr\n"
    ".byte 0x0f,0x1f,0x84,0x00,0x00,0x00,0x00,0x00\n"
    ".elseif (\\n) <= 64\n.byte 0x66,0x66,0x66,0x66,0x66,0x66,0x2e,0x0f,0x1f,0x84,0,0,0,0,0\n"
    "previrt_pad_v1 (\\n)-15\n"
    ".else\n.error \"previrt: a site needs more than 64 bytes of padding\"\n"
    ".endif\n"
    ".endm\n";

}  // namespace

std::string producer_string() { return std::string("pv-as ") + kPrevirtVersion; }

std::string preamble_text() {
  std::string producer = producer_string();
  size_t desc_size = 8 + producer.size() + 1;
  std::string out = kPadMacro;
  out += ".pushsection " PREVIRT_SITES_SECTION ",\"a\",@progbits ; .balign 4 ; .popsection ; ";
  out += replacement_state_text(false) + " ; ";
  out += ".pushsection " PREVIRT_NOTE_SECTION ",\"aG\",@note," PREVIRT_NOTE_GROUP ",comdat ; ";
  out += ".balign 4 ; .long 8, " + std::to_string(desc_size) + ", " +
         std::to_string(PREVIRT_NOTE_TYPE_ABI) + " ; ";
  out += ".asciz \"" PREVIRT_NOTE_OWNER "\" ; ";
  out += ".long " + std::to_string(PREVIRT_ABI_VERSION) + ", " +
         std::to_string(PREVIRT_SITE_SIZE) + " ; ";
  out += ".asciz \"" + producer + "\" ; .balign 4 ; .popsection";
  return out;
}

std::string replacement_state_text(bool replacement) {
  return std::string(".set ") + kReplacementSymbol + ", " + (replacement ? "1" : "0");
}

std::string site_prologue(const SiteShape &shape) {
  std::string out = std::string(kStart) + ": ";
  if (shape.prefix_pad && shape.pad > shape.insn_length) {
    // Plain bytes of a known count: no frag of variable size (see kPadMacro).
    out += ".byte 0x3e";
    for (unsigned i = 1; i < shape.pad - shape.insn_length; ++i) out += ",0x3e";
    out += " ; ";
  }
  return out;
}

std::string site_epilogue(const SiteShape &shape) {
  const std::string start = std::string(kStart) + "b";
  const std::string insn_len = "(" + std::string(kInsnEnd) + "b-" + start + ")";
  const std::string pad = std::to_string(shape.pad);
  std::string out = " ; ";
  // The label stands alone: while GAS skips a false conditional (a .ifc chain
  // of macro arguments), it sees nested conditionals only at statement start.
  out += std::string(kInsnEnd) + ": ; ";
  if (!shape.prefix_pad) out += "previrt_pad_v1 (" + pad + "-" + insn_len + ") ; ";
  // pv-as counted the prefixes from the length it expects: GNU as checks it
  // (.err takes no string, and this text holds no double quotes).
  if (shape.prefix_pad)
    out += ".if " + insn_len + "-" + std::to_string(std::max(shape.pad, shape.insn_length)) +
           " ; .err ; .endif ; ";
  out += std::string(kSiteEnd) + ": ; ";
  out += ".pushsection " PREVIRT_SITES_SECTION " ; ";
  out += ".long " + start + "-. ; ";
  std::string flags = std::to_string(shape.flags);
  if (shape.replacement_from_gas)
    flags = std::to_string(shape.flags & ~unsigned(PV_SITE_REPLACEMENT)) + "+" +
            std::to_string(PV_SITE_REPLACEMENT) + "*" + kReplacementSymbol;
  out += ".byte " + std::string(kSiteEnd) + "b-" + start + "," + insn_len + "," +
         std::to_string(shape.insn_class) + "," + flags + " ; ";
  out += ".popsection";
  return out;
}

}  // namespace previrt
