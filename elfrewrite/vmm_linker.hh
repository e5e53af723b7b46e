// SPDX-License-Identifier: GPL-3.0-or-later
// Links a target's VMM, a relocatable x86-64 object, at a fixed address:
// its allocated sections are laid out in file order (honouring alignment,
// NOBITS zero-filled), and its RELA relocations are resolved against its
// own symbols and the symbols elfrewrite provides (e.g. where the site
// table it appends lives). Enough of a static linker for freestanding VMM
// code; anything it does not understand is an error, never a guess.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "elf_file.hh"
#include "error.hh"

namespace elfrewrite {

struct LinkedVmm {
  uint64_t base = 0;
  std::vector<uint8_t> bytes;                // base .. base + bytes.size()
  std::map<std::string, uint64_t> symbols;   // global symbols, absolute
};

Result<LinkedVmm> link_vmm_object(const ElfFile &object, uint64_t base,
                                  const std::map<std::string, uint64_t> &externals);

// The size link_vmm_object() will produce (to place what follows the VMM).
uint64_t linked_vmm_size(const ElfFile &object);

}  // namespace elfrewrite
