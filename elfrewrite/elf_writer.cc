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

}  // namespace

uint64_t plan_vmm_address(const ElfFile &elf) {
  uint64_t end = 0;
  for (const auto &p : elf.segments())
    if (p.type == PT_LOAD) end = std::max(end, p.vaddr + p.memsz);
  for (const auto &s : elf.sections())
    if (s.index != 0 && s.is_alloc()) end = std::max(end, s.addr + s.size);
  return align_up(end, kPage);
}

Status check_appendable(const ElfFile &elf) {
  if (elf.bits() != 64)
    return error("32-bit images can be listed and verified but not rewritten");
  for (const auto &p : elf.segments())
    if (p.type == PT_PHDR)
      return error("image has a PT_PHDR segment; moving its program header table is not supported");
  if (elf.header().phnum + 1 >= PN_XNUM) return error("too many program headers to add one");
  if (elf.header().shnum + 2 >= SHN_LORESERVE) return error("too many sections to add two");
  bool has_load = false;
  for (const auto &p : elf.segments()) has_load |= p.type == PT_LOAD;
  if (!has_load) return error("image has no PT_LOAD segment");
  return Ok{};
}

Result<std::vector<uint8_t>> append_image(const ElfFile &elf, std::vector<uint8_t> out,
                                          const Appendix &app) {
  if (auto st = check_appendable(elf); !st) return st.error();
  const ElfHeader &h = elf.header();

  // New loadable region: file offset and address congruent modulo the page.
  uint64_t vmm_off = 0;
  if (!app.vmm.empty()) {
    pad_to(out, kPage);
    vmm_off = out.size();
    out.insert(out.end(), app.vmm.begin(), app.vmm.end());
  }
  pad_to(out, 8);
  uint64_t orig_off = out.size();
  out.insert(out.end(), app.orig.begin(), app.orig.end());

  const Section &old_names = elf.sections()[h.shstrndx];
  std::vector<uint8_t> names(elf.bytes().begin() + old_names.offset,
                             elf.bytes().begin() + old_names.offset + old_names.size);
  if (names.empty() || names.back() != 0) names.push_back(0);
  uint32_t vmm_name = static_cast<uint32_t>(names.size());
  names.insert(names.end(), kVmmSection, kVmmSection + std::strlen(kVmmSection) + 1);
  uint32_t orig_name = static_cast<uint32_t>(names.size());
  names.insert(names.end(), kOrigSection, kOrigSection + std::strlen(kOrigSection) + 1);
  uint64_t names_off = out.size();
  out.insert(out.end(), names.begin(), names.end());

  // Program headers: the old ones, then the VMM region.
  pad_to(out, 8);
  uint64_t phoff = out.size();
  out.insert(out.end(), elf.bytes().begin() + h.phoff,
             elf.bytes().begin() + h.phoff + uint64_t(h.phnum) * sizeof(Elf64_Phdr));
  uint16_t phnum = h.phnum;
  if (!app.vmm.empty()) {
    const Segment *last = nullptr;
    for (const auto &p : elf.segments())
      if (p.type == PT_LOAD && (!last || p.vaddr > last->vaddr)) last = &p;
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = PF_R | PF_W | PF_X;
    ph.p_offset = vmm_off;
    ph.p_vaddr = app.vmm_vaddr;
    // Keep the image's virtual-to-physical offset (kernels load by paddr).
    ph.p_paddr = app.vmm_vaddr - (last->vaddr - last->paddr);
    ph.p_filesz = app.vmm.size();
    ph.p_memsz = app.vmm.size();
    ph.p_align = kPage;
    append_struct(out, ph);
    ++phnum;
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
    sh.sh_addr = app.vmm_vaddr;
    sh.sh_offset = vmm_off;
    sh.sh_size = app.vmm.size();
    sh.sh_addralign = 16;
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
  std::memcpy(out.data(), &eh, sizeof eh);
  return out;
}

}  // namespace elfrewrite
