// SPDX-License-Identifier: GPL-3.0-or-later
// Produces a rewritten ELF64 image by appending to an annotated one: the
// original bytes stay where they are (only site bytes and the ELF header
// change), and after the original end of file come a new loadable region
// (the target's VMM), the .previrt_orig record, a new section name table
// and new program and section header tables. Appending keeps every
// original offset and address valid and makes restoring exact.
#pragma once

#include <cstdint>
#include <vector>

#include "elf_file.hh"
#include "error.hh"

namespace elfrewrite {

struct Appendix {
  std::vector<uint8_t> vmm;  // contents of the new PT_LOAD (may be empty)
  uint64_t vmm_vaddr = 0;    // from plan_vmm_address()
  std::vector<uint8_t> orig; // contents of .previrt_orig
};

// Where the new loadable region goes: the first page after every
// allocated byte of the image.
uint64_t plan_vmm_address(const ElfFile &elf);

// Checks that the image can take an appendix (ELF64, no PT_PHDR, room in
// the header counts).
Status check_appendable(const ElfFile &elf);

// `patched` is elf.bytes() with site bytes replaced.
Result<std::vector<uint8_t>> append_image(const ElfFile &elf, std::vector<uint8_t> patched,
                                          const Appendix &app);

}  // namespace elfrewrite
