// SPDX-License-Identifier: GPL-3.0-or-later
// Writes ELF64 structures with memcpy: the host and every image elfrewrite
// writes are little-endian x86-64 (ElfFile::parse refuses anything else).
#include "elf_writer.hh"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "format.hh"
#include "orig_section.hh"

namespace elfrewrite {

namespace {

constexpr uint64_t kPage = 0x1000;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

void pad_to(std::vector<uint8_t> &v, uint64_t align) { v.resize(align_up(v.size(), align), 0); }

template <class T>
void append_struct(std::vector<uint8_t> &v, const T &x) {
  const uint8_t *p = reinterpret_cast<const uint8_t *>(&x);
  v.insert(v.end(), p, p + sizeof x);
}

bool has_phdr_segment(const ElfFile &elf) {
  for (const auto &p : elf.segments())
    if (p.type == PT_PHDR) return true;
  return false;
}

// Bytes reserved for the program header table at the start of the new
// region (PT_PHDR images only): the old entries plus the new PT_LOAD and
// PT_NOTE.
uint64_t phdr_reserve(const ElfFile &elf) {
  if (!has_phdr_segment(elf)) return 0;
  return align_up(uint64_t(elf.header().phnum + 2) * sizeof(Elf64_Phdr), 16);
}

}  // namespace

std::vector<uint8_t> encode_notes(const std::vector<NoteSpec> &notes) {
  std::vector<uint8_t> out;
  auto put32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
  };
  for (const auto &n : notes) {
    put32(static_cast<uint32_t>(n.owner.size() + 1));
    put32(static_cast<uint32_t>(n.desc.size()));
    put32(n.type);
    out.insert(out.end(), n.owner.begin(), n.owner.end());
    out.push_back(0);
    pad_to(out, 4);
    out.insert(out.end(), n.desc.begin(), n.desc.end());
    pad_to(out, 4);
  }
  return out;
}

uint64_t plan_segment_address(const ElfFile &elf, uint64_t align) {
  uint64_t end = 0;
  for (const auto &p : elf.segments())
    if (p.type == PT_LOAD) end = std::max(end, p.vaddr + p.memsz);
  for (const auto &s : elf.sections())
    if (s.index != 0 && s.is_alloc()) end = std::max(end, s.addr + s.size);
  return align_up(end, std::max(align, kPage));
}

uint64_t plan_vmm_address(const ElfFile &elf, uint64_t align) {
  return plan_segment_address(elf, align) + phdr_reserve(elf);
}

Status check_appendable(const ElfFile &elf) {
  if (elf.bits() != 64)
    return error("32-bit images can be listed and verified but not rewritten");
  if (elf.header().phnum + 2 >= PN_XNUM) return error("too many program headers to add two");
  if (elf.header().shnum + 3 >= SHN_LORESERVE) return error("too many sections to add three");
  bool has_load = false;
  for (const auto &p : elf.segments()) has_load |= p.type == PT_LOAD;
  if (!has_load) return error("image has no PT_LOAD segment");
  return Ok{};
}

Result<std::vector<uint8_t>> append_image(const ElfFile &elf, std::vector<uint8_t> out,
                                          const Appendix &app) {
  if (auto st = check_appendable(elf); !st) return st.error();
  const ElfHeader &h = elf.header();
  const bool loaded_phdrs = has_phdr_segment(elf) && !app.vmm.empty();
  const bool notes = !app.notes.empty();
  const uint64_t reserve = loaded_phdrs ? phdr_reserve(elf) : 0;
  const uint64_t seg_vaddr = plan_segment_address(elf, app.region_align);
  const Segment *last = nullptr;
  for (const auto &p : elf.segments())
    if (p.type == PT_LOAD && (!last || p.vaddr > last->vaddr)) last = &p;
  // Keep the image's virtual-to-physical offset (kernels load by paddr).
  const uint64_t phys_delta = last->vaddr - last->paddr;

  // New loadable region: file offset and address congruent modulo the page.
  uint64_t seg_off = 0;
  if (!app.vmm.empty()) {
    pad_to(out, kPage);
    seg_off = out.size();
    out.resize(out.size() + reserve, 0);  // program headers, filled in below
    out.insert(out.end(), app.vmm.begin(), app.vmm.end());
  }
  const uint64_t seg_size = reserve + app.vmm.size();
  pad_to(out, 8);
  uint64_t orig_off = out.size();
  out.insert(out.end(), app.orig.begin(), app.orig.end());
  pad_to(out, 8);
  uint64_t notes_off = out.size();
  out.insert(out.end(), app.notes.begin(), app.notes.end());

  const Section &old_names = elf.sections()[h.shstrndx];
  std::vector<uint8_t> names(elf.bytes().begin() + old_names.offset,
                             elf.bytes().begin() + old_names.offset + old_names.size);
  if (names.empty() || names.back() != 0) names.push_back(0);
  uint32_t vmm_name = static_cast<uint32_t>(names.size());
  names.insert(names.end(), kVmmSection, kVmmSection + std::strlen(kVmmSection) + 1);
  uint32_t orig_name = static_cast<uint32_t>(names.size());
  names.insert(names.end(), kOrigSection, kOrigSection + std::strlen(kOrigSection) + 1);
  uint32_t notes_name = static_cast<uint32_t>(names.size());
  names.insert(names.end(), kTargetNoteSection,
               kTargetNoteSection + std::strlen(kTargetNoteSection) + 1);
  uint64_t names_off = out.size();
  out.insert(out.end(), names.begin(), names.end());

  // Program headers: the old ones, then the VMM region.
  std::vector<uint8_t> phdrs;
  uint16_t phnum = h.phnum;
  const uint64_t phdr_size =
      uint64_t(h.phnum + (app.vmm.empty() ? 0 : 1) + (notes ? 1 : 0)) * sizeof(Elf64_Phdr);
  for (size_t i = 0; i < h.phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, elf.bytes().data() + h.phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_PHDR && loaded_phdrs) {
      ph.p_offset = seg_off;
      ph.p_vaddr = seg_vaddr;
      ph.p_paddr = seg_vaddr - phys_delta;
      ph.p_filesz = ph.p_memsz = phdr_size;
      ph.p_align = 8;
    }
    append_struct(phdrs, ph);
  }
  if (!app.vmm.empty()) {
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = PF_R | PF_W | PF_X;
    ph.p_offset = seg_off;
    ph.p_vaddr = seg_vaddr;
    ph.p_paddr = seg_vaddr - phys_delta;
    ph.p_filesz = seg_size;
    ph.p_memsz = seg_size;
    ph.p_align = kPage;
    append_struct(phdrs, ph);
    ++phnum;
  }
  if (notes) {
    // Not loaded: boot loaders (Xen's among them) read notes by file offset.
    Elf64_Phdr ph{};
    ph.p_type = PT_NOTE;
    ph.p_flags = PF_R;
    ph.p_offset = notes_off;
    ph.p_filesz = app.notes.size();
    ph.p_align = 4;
    append_struct(phdrs, ph);
    ++phnum;
  }
  uint64_t phoff;
  if (loaded_phdrs) {
    phoff = seg_off;
    std::memcpy(out.data() + seg_off, phdrs.data(), phdrs.size());
  } else {
    pad_to(out, 8);
    phoff = out.size();
    out.insert(out.end(), phdrs.begin(), phdrs.end());
  }

  // Section headers: the old ones (with the name table moved), then ours.
  pad_to(out, 8);
  uint64_t shoff = out.size();
  for (size_t i = 0; i < h.shnum; ++i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, elf.bytes().data() + h.shoff + i * sizeof sh, sizeof sh);
    if (i == h.shstrndx) {
      sh.sh_offset = names_off;
      sh.sh_size = names.size();
    }
    append_struct(out, sh);
  }
  uint16_t shnum = h.shnum;
  if (!app.vmm.empty()) {
    Elf64_Shdr sh{};
    sh.sh_name = vmm_name;
    sh.sh_type = SHT_PROGBITS;
    sh.sh_flags = SHF_ALLOC | SHF_EXECINSTR | SHF_WRITE;
    sh.sh_addr = seg_vaddr + reserve;
    sh.sh_offset = seg_off + reserve;
    sh.sh_size = app.vmm.size();
    sh.sh_addralign = 16;
    append_struct(out, sh);
    ++shnum;
  }
  if (notes) {
    Elf64_Shdr sh{};
    sh.sh_name = notes_name;
    sh.sh_type = SHT_NOTE;
    sh.sh_offset = notes_off;
    sh.sh_size = app.notes.size();
    sh.sh_addralign = 4;
    append_struct(out, sh);
    ++shnum;
  }
  Elf64_Shdr osh{};
  osh.sh_name = orig_name;
  osh.sh_type = SHT_PROGBITS;
  osh.sh_offset = orig_off;
  osh.sh_size = app.orig.size();
  osh.sh_addralign = 8;
  append_struct(out, osh);
  ++shnum;

  Elf64_Ehdr eh;
  std::memcpy(&eh, out.data(), sizeof eh);
  eh.e_phoff = phnum ? phoff : 0;
  eh.e_phnum = phnum;
  eh.e_shoff = shoff;
  eh.e_shnum = shnum;
  if (app.entry) eh.e_entry = *app.entry;
  std::memcpy(out.data(), &eh, sizeof eh);
  return out;
}

}  // namespace elfrewrite
