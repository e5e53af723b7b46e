// SPDX-License-Identifier: GPL-3.0-or-later
// The one place that calls libelf. Notes on libelf (elfutils 0.188) that
// shape this file:
//  - elf_memory() does not copy: the buffer must outlive the Elf handle, and
//    the handle must be released with elf_end(). ElfHandle below owns that.
//  - elf_begin()/elf_memory() accept images whose tables point past the end
//    of the buffer; errors surface later (or as garbage) when sections are
//    read. So every table is bounds-checked here before libelf is asked for it.
//  - elf_strptr() returns NULL for an offset outside the string table or a
//    string without a terminating NUL; that is how invalid names are caught.
//  - gelf_getnote() picks 4- or 8-byte note alignment from the section's
//    sh_addralign (ELF_T_NHDR vs ELF_T_NHDR8) and returns 0 on a malformed
//    note, leaving the rest of the section unread.
//  - elf_version() must be called once before anything else.
// The parsed result is copied into plain structures, so no libelf object
// lives beyond ElfFile::parse().
#include "elf_file.hh"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "format.hh"

namespace elfrewrite {

namespace {

struct ElfEnd {
  void operator()(Elf *e) const { elf_end(e); }
};
using ElfHandle = std::unique_ptr<Elf, ElfEnd>;

bool libelf_ready() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  return ready;
}

std::string libelf_message() {
  const char *m = elf_errmsg(-1);
  return m ? m : "unknown libelf error";
}

// End of [off, off+len) without overflow, or false if it passes `limit`.
bool range_fits(uint64_t off, uint64_t len, uint64_t limit) {
  return off <= limit && len <= limit - off;
}

Status check_ident(const std::vector<uint8_t> &b) {
  if (b.empty()) return error("not an ELF file (empty)");
  if (b.size() < SELFMAG || std::memcmp(b.data(), ELFMAG, SELFMAG) != 0)
    return error("not an ELF file (bad magic)");
  if (b.size() < EI_NIDENT)
    return error("truncated ELF header (" + std::to_string(b.size()) + " bytes)");
  unsigned cls = b[EI_CLASS];
  if (cls != ELFCLASS32 && cls != ELFCLASS64)
    return error("unsupported ELF class " + std::to_string(cls));
  size_t need = cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  if (b.size() < need)
    return error("truncated ELF header (" + std::to_string(b.size()) + " bytes, need " +
                 std::to_string(need) + ")");
  if (b[EI_DATA] != ELFDATA2LSB)
    return error("unsupported data encoding " + std::to_string(b[EI_DATA]) +
                 " (x86 images are little-endian)");
  if (b[EI_VERSION] != EV_CURRENT)
    return error("unsupported ELF version " + std::to_string(b[EI_VERSION]));
  return Ok{};
}

Status check_header(const GElf_Ehdr &eh, int bits, uint64_t file_size, bool object) {
  if (bits == 64 && eh.e_machine != EM_X86_64)
    return error("unsupported machine " + std::to_string(eh.e_machine) +
                 " (ELFCLASS64 images must be x86-64)");
  if (bits == 32 && eh.e_machine != EM_386)
    return error("unsupported machine " + std::to_string(eh.e_machine) +
                 " (ELFCLASS32 images must be i386)");
  if (object && (eh.e_type != ET_REL || bits != 64))
    return error("not a relocatable x86-64 object (ELF type " + std::to_string(eh.e_type) + ")");
  if (!object && eh.e_type == ET_REL)
    return error("relocatable object: elfrewrite reads linked images (executables)");
  if (!object && eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
    return error("unsupported ELF type " + std::to_string(eh.e_type));
  uint64_t shent = bits == 64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
  uint64_t phent = bits == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  if (eh.e_shoff == 0 || eh.e_shnum == 0) return error("no section header table");
  if (eh.e_shentsize != shent)
    return error("unexpected section header size " + std::to_string(eh.e_shentsize) +
                 " (expected " + std::to_string(shent) + ")");
  if (!range_fits(eh.e_shoff, uint64_t(eh.e_shnum) * shent, file_size))
    return error("section header table (offset " + hex(eh.e_shoff) + ", " +
                 std::to_string(eh.e_shnum) + " entries) extends past end of file (size " +
                 hex(file_size) + ")");
  if (eh.e_phnum != 0) {
    if (eh.e_phentsize != phent)
      return error("unexpected program header size " + std::to_string(eh.e_phentsize) +
                   " (expected " + std::to_string(phent) + ")");
    if (!range_fits(eh.e_phoff, uint64_t(eh.e_phnum) * phent, file_size))
      return error("program header table (offset " + hex(eh.e_phoff) + ", " +
                   std::to_string(eh.e_phnum) + " entries) extends past end of file (size " +
                   hex(file_size) + ")");
  }
  if (eh.e_shstrndx == SHN_UNDEF || eh.e_shstrndx >= eh.e_shnum)
    return error("section name table index " + std::to_string(eh.e_shstrndx) +
                 " is out of range (" + std::to_string(eh.e_shnum) + " sections)");
  return Ok{};
}

Status check_section_layout(const std::vector<Section> &secs, uint64_t file_size) {
  std::vector<const Section *> in_file;
  for (const auto &s : secs) {
    if (s.index == 0 || !s.has_file_bytes()) continue;
    // Empty sections too: their offset is still used as a position.
    if (!range_fits(s.offset, s.size, file_size))
      return error("section " + s.name + " (offset " + hex(s.offset) + ", size " + hex(s.size) +
                   ") extends past end of file (size " + hex(file_size) + ")");
    if (s.size != 0) in_file.push_back(&s);
  }
  std::sort(in_file.begin(), in_file.end(), [](const Section *a, const Section *b) {
    return a->offset != b->offset ? a->offset < b->offset : a->index < b->index;
  });
  for (size_t i = 1; i < in_file.size(); ++i) {
    const Section *a = in_file[i - 1], *b = in_file[i];
    if (b->offset < a->offset + a->size)
      return error("sections " + a->name + " and " + b->name + " overlap in the file (" +
                   hex(a->offset) + "-" + hex(a->offset + a->size) + " and " + hex(b->offset) +
                   "-" + hex(b->offset + b->size) + ")");
  }
  for (const auto &s : secs) {
    if (s.index == 0 || !s.is_alloc() || s.size == 0) continue;
    if (s.addr + s.size < s.addr)
      return error("section " + s.name + " wraps around the address space");
  }
  return Ok{};
}

Status check_segments(const std::vector<Segment> &segs, uint64_t file_size) {
  for (const auto &p : segs) {
    if (p.type != PT_LOAD) continue;
    if (!range_fits(p.offset, p.filesz, file_size))
      return error("segment " + std::to_string(p.index) + " (PT_LOAD, offset " + hex(p.offset) +
                   ", size " + hex(p.filesz) + ") extends past end of file (size " +
                   hex(file_size) + ")");
    if (p.filesz > p.memsz)
      return error("segment " + std::to_string(p.index) +
                   " (PT_LOAD) has more file bytes than memory bytes");
  }
  return Ok{};
}

}  // namespace

bool Section::has_file_bytes() const { return type != SHT_NOBITS && type != SHT_NULL; }
bool Section::is_alloc() const { return (flags & SHF_ALLOC) != 0; }
bool Section::is_exec() const { return (flags & SHF_EXECINSTR) != 0; }

const char *segment_type_name(uint32_t type) {
  switch (type) {
    case PT_LOAD: return "PT_LOAD";
    case PT_NOTE: return "PT_NOTE";
    case PT_PHDR: return "PT_PHDR";
    case PT_INTERP: return "PT_INTERP";
    case PT_DYNAMIC: return "PT_DYNAMIC";
    default: return "segment";
  }
}

Result<ElfFile> ElfFile::parse(std::vector<uint8_t> bytes) {
  return parse_any(std::move(bytes), false);
}

Result<ElfFile> ElfFile::parse_object(std::vector<uint8_t> bytes) {
  return parse_any(std::move(bytes), true);
}

Result<ElfFile> ElfFile::parse_input(std::vector<uint8_t> bytes) {
  bool object = bytes.size() >= sizeof(Elf64_Ehdr) && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0 &&
                bytes[EI_CLASS] == ELFCLASS64 && bytes[EI_DATA] == ELFDATA2LSB &&
                (bytes[16] | bytes[17] << 8) == ET_REL;
  if (!object) {
    bool object32 = bytes.size() >= sizeof(Elf32_Ehdr) &&
                    std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0 &&
                    bytes[EI_CLASS] == ELFCLASS32 && (bytes[16] | bytes[17] << 8) == ET_REL;
    if (object32)
      return error("32-bit relocatable object: link it first (only x86-64 objects are read "
                   "unlinked)");
    return parse(std::move(bytes));
  }
  auto f = parse_object(std::move(bytes));
  if (f) f->place_object();
  return f;
}

void ElfFile::place_object() {
  constexpr uint64_t kLimit = uint64_t(1) << 48;  // keeps every sum below 2^64
  uint64_t at = 0;
  for (auto &s : sections_) {
    if (s.index == 0 || !(s.flags & SHF_ALLOC)) continue;
    uint64_t align = s.addralign > 1 && s.addralign < kLimit ? s.addralign : 1;
    at = (at + align - 1) / align * align;
    if (at >= kLimit || s.size >= kLimit) break;  // absurd sizes: leave the rest at 0
    s.addr = at;
    at += s.size;
  }
  for (auto &y : symbols_)
    if (y.shndx < sections_.size()) y.value += sections_[y.shndx].addr;
  std::stable_sort(symbols_.begin(), symbols_.end(), [](const Symbol &a, const Symbol &b) {
    if (a.value != b.value) return a.value < b.value;
    if ((a.type == STT_FUNC) != (b.type == STT_FUNC)) return a.type == STT_FUNC;
    return a.name < b.name;
  });
  // The site records' PC-relative addresses, as the linker would fill them.
  const Section *sites = find_section(".previrt_sites");
  if (!sites || sites->type != SHT_PROGBITS) return;
  for (const Relocation &r : relocations(sites->index)) {
    if (r.type != R_X86_64_PC32 && r.type != R_X86_64_PLT32) continue;
    if (r.offset > sites->size || sites->size - r.offset < 4) continue;
    const Symbol &y = object_symbols_[r.symbol];
    uint64_t S;
    if (y.shndx == SHN_ABS)
      S = y.value;
    else if (y.shndx != SHN_UNDEF && y.shndx < sections_.size())
      S = sections_[y.shndx].addr + y.value;
    else
      continue;
    uint64_t v = S + static_cast<uint64_t>(r.addend) - (sites->addr + r.offset);
    for (int i = 0; i < 4; ++i) bytes_[sites->offset + r.offset + i] = uint8_t(v >> (8 * i));
  }
}

const std::vector<Relocation> &ElfFile::relocations(size_t section) const {
  static const std::vector<Relocation> none;
  return section < relocations_.size() ? relocations_[section] : none;
}

Result<ElfFile> ElfFile::parse_any(std::vector<uint8_t> bytes, bool object) {
  if (!libelf_ready()) return error("libelf: " + libelf_message());
  if (auto st = check_ident(bytes); !st) return st.error();

  ElfFile f;
  f.bytes_ = std::move(bytes);
  const uint64_t size = f.bytes_.size();
  ElfHandle elf(elf_memory(reinterpret_cast<char *>(f.bytes_.data()), size));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) return error("libelf: " + libelf_message());

  GElf_Ehdr eh;
  if (!gelf_getehdr(elf.get(), &eh)) return error("cannot read ELF header: " + libelf_message());
  f.header_.bits = gelf_getclass(elf.get()) == ELFCLASS64 ? 64 : 32;
  if (auto st = check_header(eh, f.header_.bits, size, object); !st) return st.error();
  f.header_.type = eh.e_type;
  f.header_.machine = eh.e_machine;
  f.header_.entry = eh.e_entry;
  f.header_.phoff = eh.e_phoff;
  f.header_.shoff = eh.e_shoff;
  f.header_.phnum = eh.e_phnum;
  f.header_.shnum = eh.e_shnum;
  f.header_.shstrndx = eh.e_shstrndx;

  std::vector<size_t> name_offsets;
  // Section headers first, names second: the name table is itself a section
  // whose bounds must be checked before elf_strptr() reads it.
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf_Scn *scn = elf_getscn(elf.get(), i);
    GElf_Shdr sh;
    if (!scn || !gelf_getshdr(scn, &sh))
      return error("cannot read section header " + std::to_string(i) + ": " + libelf_message());
    Section s;
    s.index = i;
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.addr = sh.sh_addr;
    s.offset = sh.sh_offset;
    s.size = sh.sh_size;
    s.link = sh.sh_link;
    s.info = sh.sh_info;
    s.addralign = sh.sh_addralign;
    s.entsize = sh.sh_entsize;
    f.sections_.push_back(s);
    name_offsets.push_back(sh.sh_name);
  }
  const Section &strtab = f.sections_[eh.e_shstrndx];
  if (strtab.type != SHT_STRTAB)
    return error("section name table (section " + std::to_string(eh.e_shstrndx) +
                 ") is not a string table");
  if (!range_fits(strtab.offset, strtab.size, size))
    return error("section name table (offset " + hex(strtab.offset) + ", size " +
                 hex(strtab.size) + ") extends past end of file (size " + hex(size) + ")");
  for (auto &s : f.sections_) {
    size_t name_off = name_offsets[s.index];
    const char *n = elf_strptr(elf.get(), eh.e_shstrndx, name_off);
    if (!n)
      return error("section " + std::to_string(s.index) + " has an invalid name offset " +
                   std::to_string(name_off));
    s.name = n;
  }
  if (auto st = check_section_layout(f.sections_, size); !st) return st.error();

  for (size_t i = 0; i < eh.e_phnum; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf.get(), i, &ph))
      return error("cannot read program header " + std::to_string(i) + ": " + libelf_message());
    Segment p;
    p.index = i;
    p.type = ph.p_type;
    p.flags = ph.p_flags;
    p.offset = ph.p_offset;
    p.vaddr = ph.p_vaddr;
    p.paddr = ph.p_paddr;
    p.filesz = ph.p_filesz;
    p.memsz = ph.p_memsz;
    p.align = ph.p_align;
    f.segments_.push_back(p);
  }
  if (auto st = check_segments(f.segments_, size); !st) return st.error();

  for (const auto &s : f.sections_) {
    if (s.type == SHT_SYMTAB && !f.has_symtab_) {
      f.has_symtab_ = true;
      uint64_t ent = f.header_.bits == 64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
      if (s.entsize != ent)
        return error("symbol table " + s.name + " has entry size " + std::to_string(s.entsize) +
                     " (expected " + std::to_string(ent) + ")");
      if (s.link == 0 || s.link >= f.sections_.size() ||
          f.sections_[s.link].type != SHT_STRTAB)
        return error("symbol table " + s.name + " does not link to a string table");
      Elf_Data *d = elf_getdata(elf_getscn(elf.get(), s.index), nullptr);
      if (!d) return error("cannot read symbol table " + s.name + ": " + libelf_message());
      size_t count = s.size / ent;
      if (object) f.object_symbols_.resize(count);
      for (size_t k = 1; k < count; ++k) {
        GElf_Sym sym;
        if (!gelf_getsym(d, static_cast<int>(k), &sym)) break;
        unsigned type = GELF_ST_TYPE(sym.st_info);
        if (object) {
          const char *n = elf_strptr(elf.get(), s.link, sym.st_name);
          if (!n)
            return error("symbol " + std::to_string(k) + " in " + s.name +
                         " has an invalid name offset");
          Symbol &o = f.object_symbols_[k];
          o.name = n;
          o.value = sym.st_value;
          o.size = sym.st_size;
          o.type = type;
          o.bind = GELF_ST_BIND(sym.st_info);
          o.shndx = sym.st_shndx;
          if (o.shndx != SHN_UNDEF && o.shndx != SHN_ABS && o.shndx >= f.sections_.size())
            return error("symbol " + std::to_string(k) + " (" + o.name +
                         ") refers to a section that does not exist");
        }
        if (type != STT_FUNC && type != STT_NOTYPE && type != STT_OBJECT) continue;
        if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) continue;
        const char *n = elf_strptr(elf.get(), s.link, sym.st_name);
        if (!n)
          return error("symbol " + std::to_string(k) + " in " + s.name +
                       " has an invalid name offset");
        if (!*n) continue;
        Symbol y;
        y.name = n;
        y.value = sym.st_value;
        y.size = sym.st_size;
        y.type = type;
        y.bind = GELF_ST_BIND(sym.st_info);
        y.shndx = sym.st_shndx;
        f.symbols_.push_back(std::move(y));
      }
    }
    if (s.type == SHT_NOTE && s.size > 0) {
      Elf_Data *d = elf_getdata(elf_getscn(elf.get(), s.index), nullptr);
      if (!d) return error("cannot read note section " + s.name + ": " + libelf_message());
      size_t off = 0;
      GElf_Nhdr nh;
      size_t owner_off, desc_off;
      while (off < d->d_size) {
        size_t next = gelf_getnote(d, off, &nh, &owner_off, &desc_off);
        if (next == 0) return error("malformed note in section " + s.name + " at offset " + hex(off));
        Note n;
        n.section = s.index;
        const char *base = static_cast<const char *>(d->d_buf);
        n.owner.assign(base + owner_off, nh.n_namesz ? strnlen(base + owner_off, nh.n_namesz) : 0);
        n.type = nh.n_type;
        n.desc.assign(base + desc_off, base + desc_off + nh.n_descsz);
        f.notes_.push_back(std::move(n));
        off = next;
      }
    }
  }
  if (object) {
    f.relocations_.resize(f.sections_.size());
    for (const auto &s : f.sections_) {
      if (s.type == SHT_REL)
        return error("section " + s.name + ": REL relocations are not supported (x86-64 uses RELA)");
      if (s.type != SHT_RELA) continue;
      if (s.entsize != sizeof(Elf64_Rela) || s.info == 0 || s.info >= f.sections_.size())
        return error("relocation section " + s.name + " is malformed");
      Elf_Data *d = elf_getdata(elf_getscn(elf.get(), s.index), nullptr);
      if (!d) return error("cannot read " + s.name + ": " + libelf_message());
      for (size_t k = 0; k < s.size / sizeof(Elf64_Rela); ++k) {
        GElf_Rela r;
        if (!gelf_getrela(d, static_cast<int>(k), &r)) break;
        Relocation x;
        x.offset = r.r_offset;
        x.type = static_cast<uint32_t>(GELF_R_TYPE(r.r_info));
        x.symbol = static_cast<uint32_t>(GELF_R_SYM(r.r_info));
        x.addend = r.r_addend;
        if (x.symbol >= f.object_symbols_.size())
          return error("relocation " + std::to_string(k) + " in " + s.name +
                       " refers to symbol " + std::to_string(x.symbol) + ", which does not exist");
        f.relocations_[s.info].push_back(x);
      }
    }
  }
  // Stable order so that ties resolve the same way on every run: functions
  // before labels, then by name.
  std::stable_sort(f.symbols_.begin(), f.symbols_.end(), [](const Symbol &a, const Symbol &b) {
    if (a.value != b.value) return a.value < b.value;
    if ((a.type == STT_FUNC) != (b.type == STT_FUNC)) return a.type == STT_FUNC;
    return a.name < b.name;
  });
  return f;
}

const Section *ElfFile::find_section(const std::string &name) const {
  for (const auto &s : sections_)
    if (s.index != 0 && s.name == name) return &s;
  return nullptr;
}

const Section *ElfFile::section_at(uint64_t address) const {
  for (const auto &s : sections_)
    if (s.index != 0 && s.is_alloc() && s.has_file_bytes() && s.contains(address)) return &s;
  return nullptr;
}

const uint8_t *ElfFile::bytes_at(const Section &s, uint64_t address, uint64_t len) const {
  if (!s.has_file_bytes() || address < s.addr) return nullptr;
  uint64_t rel = address - s.addr;
  if (rel > s.size || len > s.size - rel) return nullptr;
  return bytes_.data() + s.offset + rel;
}

const Symbol *ElfFile::symbol_at(uint64_t address) const {
  const Section *sec = section_at(address);
  if (!sec) return nullptr;
  // Prefer a symbol whose [value, value+size) covers the address; else the
  // closest preceding symbol of the same section without a size (assembly
  // labels often have none).
  const Symbol *cover = nullptr, *label = nullptr;
  for (const auto &y : symbols_) {
    if (y.value > address) break;
    if (y.shndx != sec->index) continue;
    if (y.size == 0)
      label = &y;
    else if (address - y.value < y.size)
      cover = &y;
  }
  return cover ? cover : label;
}

std::string ElfFile::symbolize(uint64_t address) const {
  const Section *sec = section_at(address);
  if (!sec) return hex(address);
  if (const Symbol *y = symbol_at(address)) return y->name + "+" + hex(address - y->value);
  return sec->name + "+" + hex(address - sec->addr);
}

std::string ElfFile::describe(uint64_t address) const {
  std::string s = symbolize(address);
  if (s.rfind("0x", 0) == 0) return s;
  return s + " (" + hex(address) + ")";
}

}  // namespace elfrewrite
