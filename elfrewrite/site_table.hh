// SPDX-License-Identifier: GPL-3.0-or-later
// Reader of the annotation ABI (include/previrt/sites.h): the .note.previrt
// note and the packed .previrt_sites records of a linked image. Reading
// checks only the table as a whole (note, version, record size); each
// record is checked by the verifier.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "elf_file.hh"
#include "error.hh"

namespace elfrewrite {

struct Site {
  size_t record = 0;          // index in .previrt_sites
  uint64_t record_address = 0;
  uint64_t address = 0;       // record_address + addr_rel, wrapped to the ELF class
  unsigned padded_length = 0;
  unsigned insn_length = 0;
  unsigned insn_class = 0;
  unsigned flags = 0;

  int code_bits() const;  // 32 with PV_SITE_CODE32, else 64
};

struct SiteTable {
  unsigned abi_version = 0;
  unsigned record_size = 0;
  std::string producer;
  const Section *section = nullptr;  // .previrt_sites, or nullptr when absent
  std::vector<Site> sites;           // in record order
};

// Decodes the records of `bytes` (a .previrt_sites image at `base`).
std::vector<Site> decode_site_records(const uint8_t *bytes, size_t size, uint64_t base, int bits);

Result<SiteTable> read_site_table(const ElfFile &elf);

// "cli", "mov_to_cr", or "class 99" for an unknown number.
std::string class_name(unsigned insn_class);
// "nostack", "code32", "replacement", "0x80" for unknown bits.
std::vector<std::string> flag_names(unsigned flags);

}  // namespace elfrewrite
