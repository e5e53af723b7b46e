// SPDX-License-Identifier: GPL-3.0-or-later
#include "vmm_linker.hh"

#include <elf.h>

#include <cstring>

#include "format.hh"

namespace elfrewrite {

namespace {

constexpr uint64_t kMaxVmmSize = 64u << 20;  // far beyond any VMM; bounds memory use

uint64_t align_up(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) / a * a : v; }

// Offsets of each allocated section in the linked image (UINT64_MAX: not
// placed), and the total size.
std::vector<uint64_t> layout(const ElfFile &obj, uint64_t *total) {
  std::vector<uint64_t> at(obj.sections().size(), UINT64_MAX);
  uint64_t end = 0;
  for (const auto &s : obj.sections()) {
    if (s.index == 0 || !s.is_alloc()) continue;
    // Saturate instead of wrapping; link_vmm_object() refuses the result.
    if (s.addralign > kMaxVmmSize || s.size > kMaxVmmSize || end > kMaxVmmSize) {
      end = UINT64_MAX;
      break;
    }
    end = align_up(end, s.addralign);
    at[s.index] = end;
    end += s.size;
  }
  *total = end;
  return at;
}

void store(std::vector<uint8_t> &b, uint64_t off, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) b[off + i] = uint8_t(v >> (8 * i));
}

}  // namespace

uint64_t linked_vmm_size(const ElfFile &object) {
  uint64_t total = 0;
  layout(object, &total);
  return total;
}

Result<LinkedVmm> link_vmm_object(const ElfFile &obj, uint64_t base,
                                  const std::map<std::string, uint64_t> &externals) {
  LinkedVmm out;
  out.base = base;
  uint64_t total = 0;
  std::vector<uint64_t> at = layout(obj, &total);
  if (total > kMaxVmmSize)
    return error("VMM object: its sections need more than " + std::to_string(kMaxVmmSize >> 20) +
                 " MiB");
  out.bytes.assign(total, 0);
  for (const auto &s : obj.sections()) {
    if (at[s.index] == UINT64_MAX || !s.has_file_bytes() || s.size == 0) continue;
    std::memcpy(out.bytes.data() + at[s.index], obj.bytes().data() + s.offset, s.size);
  }

  // Symbol values: section-relative in the object, absolute once placed.
  const auto &syms = obj.object_symbols();
  auto symbol_address = [&](uint32_t i, uint64_t *v) -> std::string {
    const Symbol &y = syms[i];
    if (y.shndx == SHN_UNDEF) {
      auto it = externals.find(y.name);
      if (it == externals.end()) return "undefined symbol '" + y.name + "'";
      *v = it->second;
      return {};
    }
    if (y.shndx == SHN_ABS) {
      *v = y.value;
      return {};
    }
    if (y.shndx >= at.size() || at[y.shndx] == UINT64_MAX)
      return "symbol '" + y.name + "' is in a section that is not loaded";
    *v = base + at[y.shndx] + y.value;
    return {};
  };
  for (uint32_t i = 1; i < syms.size(); ++i) {
    const Symbol &y = syms[i];
    if (y.bind != STB_GLOBAL || y.shndx == SHN_UNDEF || y.name.empty()) continue;
    uint64_t v;
    if (symbol_address(i, &v).empty()) out.symbols[y.name] = v;
  }

  for (const auto &s : obj.sections()) {
    const auto &relocs = obj.relocations(s.index);
    if (relocs.empty()) continue;
    if (at[s.index] == UINT64_MAX) continue;  // debug info and the like
    for (const Relocation &r : relocs) {
      std::string where = s.name + "+" + hex(r.offset);
      uint64_t S = 0;
      if (std::string e = symbol_address(r.symbol, &S); !e.empty())
        return error("VMM object: " + where + ": " + e);
      uint64_t P = base + at[s.index] + r.offset;
      uint64_t v = S + static_cast<uint64_t>(r.addend);
      size_t width;
      switch (r.type) {
        case R_X86_64_64: width = 8; break;
        case R_X86_64_PC64: width = 8, v -= P; break;
        case R_X86_64_32:
          width = 4;
          if (v > 0xffffffffu) return error("VMM object: " + where + ": R_X86_64_32 overflow");
          break;
        case R_X86_64_32S:
          width = 4;
          if (int64_t(v) != int32_t(v)) return error("VMM object: " + where + ": R_X86_64_32S overflow");
          break;
        case R_X86_64_PC32:
        case R_X86_64_PLT32:
          width = 4;
          v -= P;
          if (int64_t(v) != int32_t(v)) return error("VMM object: " + where + ": PC32 overflow");
          break;
        default:
          return error("VMM object: " + where + ": unsupported relocation type " +
                       std::to_string(r.type));
      }
      if (r.offset > s.size || width > s.size - r.offset)
        return error("VMM object: " + where + ": relocation outside its section");
      if (!s.has_file_bytes()) return error("VMM object: " + where + ": relocation in NOBITS");
      store(out.bytes, at[s.index] + r.offset, v, width);
    }
  }
  return out;
}

}  // namespace elfrewrite
