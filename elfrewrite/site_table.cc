// SPDX-License-Identifier: GPL-3.0-or-later
#include "site_table.hh"

#include <elf.h>

#include <cstring>

#include "format.hh"
#include "previrt/sites.h"
#include "sensitive_table.hh"

namespace elfrewrite {

namespace {

uint32_t load_u32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

int Site::code_bits() const { return (flags & PV_SITE_CODE32) ? 32 : 64; }

std::vector<Site> decode_site_records(const uint8_t *bytes, size_t size, uint64_t base, int bits) {
  std::vector<Site> out;
  for (size_t off = 0; off + PREVIRT_SITE_SIZE <= size; off += PREVIRT_SITE_SIZE) {
    const uint8_t *r = bytes + off;
    Site s;
    s.record = off / PREVIRT_SITE_SIZE;
    s.record_address = base + off;
    int32_t rel = static_cast<int32_t>(load_u32(r));
    s.address = s.record_address + static_cast<int64_t>(rel);
    if (bits == 32) s.address &= 0xffffffffu;
    s.padded_length = r[4];
    s.insn_length = r[5];
    s.insn_class = r[6];
    s.flags = r[7];
    out.push_back(s);
  }
  return out;
}

Result<SiteTable> read_site_table(const ElfFile &elf) {
  SiteTable t;
  const Note *abi = nullptr;
  for (const auto &n : elf.notes()) {
    if (n.owner != PREVIRT_NOTE_OWNER || n.type != PREVIRT_NOTE_TYPE_ABI) continue;
    if (abi && abi->desc != n.desc)
      return error("conflicting " PREVIRT_NOTE_SECTION " notes (objects built with different "
                   "annotation ABIs were linked together)");
    abi = &n;
  }
  if (!abi) return error("not an annotated image: no " PREVIRT_NOTE_SECTION " note");
  if (abi->desc.size() < sizeof(previrt_note_abi))
    return error("malformed " PREVIRT_NOTE_SECTION " note: descriptor of " +
                 std::to_string(abi->desc.size()) + " bytes, need at least " +
                 std::to_string(sizeof(previrt_note_abi)));
  t.abi_version = load_u32(abi->desc.data());
  t.record_size = load_u32(abi->desc.data() + 4);
  const char *prod = reinterpret_cast<const char *>(abi->desc.data() + 8);
  size_t prod_max = abi->desc.size() - 8;
  t.producer.assign(prod, strnlen(prod, prod_max));
  if (t.abi_version != PREVIRT_ABI_VERSION)
    return error("unsupported annotation ABI version " + std::to_string(t.abi_version) +
                 " (this elfrewrite reads version " + std::to_string(PREVIRT_ABI_VERSION) + ")");
  if (t.record_size != PREVIRT_SITE_SIZE)
    return error("record size " + std::to_string(t.record_size) + " in " PREVIRT_NOTE_SECTION
                 ", expected " + std::to_string(PREVIRT_SITE_SIZE));

  t.section = elf.find_section(PREVIRT_SITES_SECTION);
  if (!t.section) return t;  // annotated objects without a single site
  const Section &s = *t.section;
  if (s.type != SHT_PROGBITS)
    return error(PREVIRT_SITES_SECTION " is not SHT_PROGBITS (type " + std::to_string(s.type) +
                 ")");
  if (!s.is_alloc())
    return error(PREVIRT_SITES_SECTION " is not allocated (SHF_ALLOC): its PC-relative records "
                 "have no addresses");
  if (s.size % PREVIRT_SITE_SIZE != 0)
    return error(PREVIRT_SITES_SECTION " size " + hex(s.size) +
                 " is not a multiple of the record size " + std::to_string(PREVIRT_SITE_SIZE));
  t.sites = decode_site_records(elf.bytes().data() + s.offset, s.size, s.addr, elf.bits());
  return t;
}

std::string class_name(unsigned insn_class) {
  if (const auto *c = previrt::find_class(static_cast<int>(insn_class))) return std::string(c->name);
  return "class " + std::to_string(insn_class);
}

std::vector<std::string> flag_names(unsigned flags) {
  std::vector<std::string> out;
  if (flags & PV_SITE_NOSTACK) out.push_back("nostack");
  if (flags & PV_SITE_CODE32) out.push_back("code32");
  if (flags & PV_SITE_REPLACEMENT) out.push_back("replacement");
  if (unsigned rest = flags & ~unsigned(PV_SITE_KNOWN_FLAGS)) out.push_back(hex(rest));
  return out;
}

}  // namespace elfrewrite
