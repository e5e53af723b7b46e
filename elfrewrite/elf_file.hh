// SPDX-License-Identifier: GPL-3.0-or-later
// The ELF model: one parsed, validated, immutable view of an x86 ELF image.
// elf_file.cc is the only file that calls libelf; everything else works on
// the plain structures below. Parsing refuses anything it cannot fully
// trust (header, section and segment tables, names, notes, symbols), so the
// rest of the tool may index the file's bytes through these structures
// without further bounds checks beyond the ones each structure documents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "error.hh"

namespace elfrewrite {

struct Section {
  size_t index = 0;
  std::string name;
  uint32_t type = 0;    // SHT_*
  uint64_t flags = 0;   // SHF_*
  uint64_t addr = 0;
  uint64_t offset = 0;  // offset + size <= file size unless type is SHT_NOBITS
  uint64_t size = 0;
  uint32_t link = 0;
  uint32_t info = 0;
  uint64_t addralign = 0;
  uint64_t entsize = 0;

  bool has_file_bytes() const;
  bool is_alloc() const;
  bool is_exec() const;
  bool contains(uint64_t address) const { return address >= addr && address - addr < size; }
};

struct Segment {
  size_t index = 0;
  uint32_t type = 0;  // PT_*
  uint32_t flags = 0;
  uint64_t offset = 0;  // offset + filesz <= file size for PT_LOAD
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint64_t align = 0;
};

struct Symbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  unsigned type = 0;  // STT_*
  unsigned bind = 0;  // STB_*
  size_t shndx = 0;
};

// A relocation of a relocatable object (SHT_RELA), applied to `section`.
struct Relocation {
  uint64_t offset = 0;   // in the section
  uint32_t type = 0;     // R_X86_64_*
  uint32_t symbol = 0;   // index in ElfFile::object_symbols()
  int64_t addend = 0;
};

struct Note {
  size_t section = 0;  // index of the SHT_NOTE section holding it
  std::string owner;   // without the terminating NUL
  uint32_t type = 0;
  std::vector<uint8_t> desc;
};

struct ElfHeader {
  int bits = 64;  // 32 (ELFCLASS32) or 64 (ELFCLASS64)
  uint16_t type = 0;
  uint16_t machine = 0;
  uint64_t entry = 0;
  uint64_t phoff = 0;
  uint64_t shoff = 0;
  uint16_t phnum = 0;
  uint16_t shnum = 0;
  uint16_t shstrndx = 0;
};

class ElfFile {
 public:
  // Parses and validates a linked image (ET_EXEC or ET_DYN); the error
  // names the problem (the caller adds the file name).
  static Result<ElfFile> parse(std::vector<uint8_t> bytes);
  // Parses a relocatable x86-64 object (ET_REL), such as a target's VMM,
  // with its full symbol table and its RELA relocations.
  static Result<ElfFile> parse_object(std::vector<uint8_t> bytes);
  // What the command line reads: a linked image (parse()), or an x86-64
  // object placed as if linked at address 0 (allocated sections in file
  // order, symbols moved with them, the relocations of .previrt_sites
  // applied), so that its sites can be listed and verified like an image's.
  static Result<ElfFile> parse_input(std::vector<uint8_t> bytes);
  bool is_object() const { return header_.type == 1; /* ET_REL */ }

  const ElfHeader &header() const { return header_; }
  int bits() const { return header_.bits; }
  const std::vector<uint8_t> &bytes() const { return bytes_; }
  const std::vector<Section> &sections() const { return sections_; }
  const std::vector<Segment> &segments() const { return segments_; }
  const std::vector<Symbol> &symbols() const { return symbols_; }
  const std::vector<Note> &notes() const { return notes_; }
  bool has_symbols() const { return has_symtab_; }
  // parse_object() only: every symbol table entry, by index (entry 0 is the
  // null symbol; section symbols have type STT_SECTION; shndx SHN_UNDEF
  // marks undefined ones), and the relocations of each section.
  const std::vector<Symbol> &object_symbols() const { return object_symbols_; }
  const std::vector<Relocation> &relocations(size_t section) const;

  const Section *find_section(const std::string &name) const;
  // The allocated section (SHT_NOBITS excluded) whose address range holds
  // `address`, or nullptr. Empty sections never match.
  const Section *section_at(uint64_t address) const;
  // Pointer to the file bytes of [address, address+len) inside `s`, or
  // nullptr if the range is not entirely inside the section's file bytes.
  const uint8_t *bytes_at(const Section &s, uint64_t address, uint64_t len) const;
  uint64_t file_offset(const Section &s, uint64_t address) const {
    return s.offset + (address - s.addr);
  }

  // The symbol that encloses `address` (see symbolize), or nullptr.
  const Symbol *symbol_at(uint64_t address) const;
  // "func+0x1c" from the symbol table; ".text+0x1c" when no symbol covers
  // the address (stripped images); "0x..." outside every section.
  std::string symbolize(uint64_t address) const;
  // "func+0x1c (0x40101c)": how diagnostics and listings name a site.
  std::string describe(uint64_t address) const;

 private:
  ElfHeader header_;
  std::vector<uint8_t> bytes_;
  std::vector<Section> sections_;
  std::vector<Segment> segments_;
  std::vector<Symbol> symbols_;  // sorted by value, only code/data/label symbols
  std::vector<Note> notes_;
  std::vector<Symbol> object_symbols_;
  std::vector<std::vector<Relocation>> relocations_;  // by target section index
  bool has_symtab_ = false;

  static Result<ElfFile> parse_any(std::vector<uint8_t> bytes, bool object);
  void place_object();
};

const char *segment_type_name(uint32_t type);

}  // namespace elfrewrite
