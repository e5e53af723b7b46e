// SPDX-License-Identifier: GPL-3.0-or-later
// Runtime code patching: where Linux runs the code of .altinstr_replacement.
//
// At boot, Linux (6.1 arch/x86/kernel/alternative.c, apply_alternatives)
// walks .altinstructions, 12-byte records
//
//   s32 instr_offset   original code = &instr_offset + instr_offset
//   s32 repl_offset    replacement   = &repl_offset + repl_offset
//   u16 cpuid          CPU feature (bit 15: patch if absent)
//   u8  instrlen       bytes of the original code
//   u8  replacementlen bytes of the replacement (at most instrlen)
//
// and, for each record whose feature the CPU has, copies the replacement
// over the original code, fills the rest with NOPs and then turns runs of
// one-byte NOPs into longer NOPs (optimize_nops). The copy is moved, not
// relocated: the only fix-ups are on the first instruction of a 5-byte
// replacement (a call e8 gets its displacement adjusted by the distance of
// the move; a jmp e9/eb is recomputed for the new place by recompute_jump).
//
// So a site inside a replacement runs at instr + (site - replacement), once
// per record that copies it, never where it was linked (.altinstr_replacement
// is init code). A target encodes a replacement site's bytes for the place it
// runs at (encode_address), and gives its VMM that place (a Xen descriptor's
// site and resume). A site copied to several places must be the same bytes
// for all of them; passes.cc refuses it otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "elf_file.hh"
#include "error.hh"
#include "site_table.hh"

namespace elfrewrite {

constexpr const char *kAltInstructions = ".altinstructions";
constexpr const char *kAltReplacement = ".altinstr_replacement";
constexpr size_t kAltRecordSize = 12;
// Linux's insn_buff (MAX_PATCH_LEN): it refuses longer original code.
constexpr unsigned kAltMaxPatchLength = 254;

struct AltRecord {
  size_t index = 0;             // in .altinstructions
  uint64_t record_address = 0;
  uint64_t instr = 0;           // where the replacement is copied to
  uint64_t replacement = 0;     // where it is linked
  unsigned cpuid = 0;
  unsigned instrlen = 0;
  unsigned replacementlen = 0;
};

// An address range of the image, [start, end), for validation.
struct CodeRange {
  uint64_t start = 0, end = 0;
  std::string name;
};

// Decodes and checks `size` bytes of .altinstructions linked at `base`:
// every original range must lie in one of `code`, every replacement in
// `replacement` (a zero-length one may point at its end), and no
// replacement may be longer than its original or the original longer than
// Linux accepts. The first problem is the error (naming the record).
Result<std::vector<AltRecord>> decode_alt_records(const uint8_t *bytes, size_t size,
                                                  uint64_t base, const std::vector<CodeRange> &code,
                                                  const CodeRange *replacement);

// The records of `elf`'s .altinstructions (none if it has no such section),
// checked against its executable sections and .altinstr_replacement.
Result<std::vector<AltRecord>> read_alt_records(const ElfFile &elf);

// One place where a site's code runs.
struct RunPlace {
  uint64_t address = 0;
  // The site is the whole first instruction of a 5-byte replacement: Linux
  // adjusts a call (e8) or recomputes a jmp (e9) written there.
  bool fixup_at_start = false;
  size_t record = SIZE_MAX;     // the .altinstructions record, or SIZE_MAX: linked place
};

using SitePlaces = std::vector<std::vector<RunPlace>>;

// For every site of `table` (same index), where its code runs: its own
// address for a site outside every replacement; for a site inside
// replacements, each distinct place a record copies it to. Errors (naming
// the site, as `elf.describe`): a site that straddles a replacement's
// bounds; a site in .altinstr_replacement or flagged PV_SITE_REPLACEMENT
// that no record copies (where it would run is unknown); a site that a
// Linux fix-up of another instruction would overwrite.
// `target` names the target in the messages ("record N: T target: ...").
Result<SitePlaces> place_sites(const ElfFile &elf, const SiteTable &table,
                               const std::vector<AltRecord> &records, std::string_view target);

// The same on plain data: `replacement` is .altinstr_replacement (or
// nullptr), `byte_at` reads a byte of the annotated image (-1: none),
// `describe` names an address in messages.
Result<SitePlaces> place_sites(const std::vector<Site> &sites,
                               const std::vector<AltRecord> &records,
                               const CodeRange *replacement,
                               const std::function<int(uint64_t)> &byte_at,
                               const std::function<std::string(uint64_t)> &describe,
                               std::string_view target);

// The address a site's bytes must be encoded for (branch and RIP-relative
// displacements) to be right when they run at `place`, given the first
// byte the target writes there: the place itself, unless Linux fixes the
// displacement while copying (fixup_at_start and a call or near jmp), in
// which case it is the site's own address, because Linux keeps the target
// of the linked instruction.
uint64_t encode_address(const Site &site, const RunPlace &place, uint8_t first_byte);

}  // namespace elfrewrite
