// SPDX-License-Identifier: GPL-3.0-or-later
// Produces a rewritten ELF64 image by appending to an annotated one: the
// original bytes stay where they are (only site bytes and the ELF header
// change), and after the original end of file come a new loadable region
// (the target's VMM), the .previrt_orig record, a new section name table
// and new program and section header tables. Appending keeps every
// original offset and address valid and makes restoring exact.
//
// The new program header table normally follows the file's other tables,
// outside any segment (kernel loaders read it from the file). An image
// with PT_PHDR needs its table loaded (the dynamic loader finds itself
// through it), so there the table opens the new loadable region, the VMM
// follows it, and PT_PHDR is moved with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "elf_file.hh"
#include "error.hh"

namespace elfrewrite {

struct Appendix {
  std::vector<uint8_t> vmm;    // the VMM, linked at plan_vmm_address() (may be empty)
  std::vector<uint8_t> orig;   // contents of .previrt_orig
  std::vector<uint8_t> notes;  // the target's ELF notes, encoded (may be empty): a
                               // .note.previrt.target section and a PT_NOTE segment
  uint64_t region_align = 0x1000;  // alignment of the new region's address
  std::optional<uint64_t> entry;   // new e_entry, if the target sets one
};

struct NoteSpec {
  std::string owner;
  uint32_t type = 0;
  std::vector<uint8_t> desc;
};
// Encodes notes in the ELF format (4-byte aligned name and descriptor).
std::vector<uint8_t> encode_notes(const std::vector<NoteSpec> &notes);

// The new loadable region starts at the first multiple of `align` (a power
// of two, at least a page) after every allocated byte of the image.
uint64_t plan_segment_address(const ElfFile &elf, uint64_t align = 0x1000);
// Where the VMM goes in it: at its start, or after the program header
// table when the image has PT_PHDR.
uint64_t plan_vmm_address(const ElfFile &elf, uint64_t align = 0x1000);

// Checks that the image can take an appendix (ELF64, no PT_PHDR, room in
// the header counts).
Status check_appendable(const ElfFile &elf);

// `patched` is elf.bytes() with site bytes replaced.
Result<std::vector<uint8_t>> append_image(const ElfFile &elf, std::vector<uint8_t> patched,
                                          const Appendix &app);

}  // namespace elfrewrite
