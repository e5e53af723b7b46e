// SPDX-License-Identifier: GPL-3.0-or-later
#include "alternatives.hh"

#include <algorithm>
#include <optional>

#include "format.hh"
#include "previrt/sites.h"

namespace elfrewrite {

namespace {

int32_t get_s32(const uint8_t *p) {
  return static_cast<int32_t>(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
                              uint32_t(p[3]) << 24);
}

bool inside(const CodeRange &r, uint64_t start, uint64_t len) {
  return start >= r.start && start <= r.end && len <= r.end - start;
}

std::string record_name(const AltRecord &r) {
  return ".altinstructions record " + std::to_string(r.index) + " (at " + hex(r.record_address) +
         ")";
}

constexpr uint8_t kCall = 0xe8, kJmp = 0xe9, kJmpShort = 0xeb;

}  // namespace

Result<std::vector<AltRecord>> decode_alt_records(const uint8_t *bytes, size_t size,
                                                  uint64_t base, const std::vector<CodeRange> &code,
                                                  const CodeRange *replacement) {
  if (size % kAltRecordSize)
    return error(std::string(kAltInstructions) + " size " + hex(size) +
                 " is not a multiple of the record size " + std::to_string(kAltRecordSize) +
                 " (Linux 6.1 struct alt_instr)");
  std::vector<AltRecord> out;
  out.reserve(size / kAltRecordSize);
  for (size_t i = 0; i < size / kAltRecordSize; ++i) {
    const uint8_t *p = bytes + i * kAltRecordSize;
    AltRecord r;
    r.index = i;
    r.record_address = base + i * kAltRecordSize;
    r.instr = r.record_address + static_cast<uint64_t>(static_cast<int64_t>(get_s32(p)));
    r.replacement = r.record_address + 4 + static_cast<uint64_t>(static_cast<int64_t>(get_s32(p + 4)));
    r.cpuid = unsigned(p[8]) | unsigned(p[9]) << 8;
    r.instrlen = p[10];
    r.replacementlen = p[11];
    if (r.instrlen > kAltMaxPatchLength)
      return error(record_name(r) + ": original code of " + std::to_string(r.instrlen) +
                   " bytes, more than Linux patches (" + std::to_string(kAltMaxPatchLength) + ")");
    if (r.replacementlen > r.instrlen)
      return error(record_name(r) + ": replacement of " + std::to_string(r.replacementlen) +
                   " bytes is longer than the original code (" + std::to_string(r.instrlen) +
                   " bytes) it is copied over");
    bool in_code = std::any_of(code.begin(), code.end(),
                               [&](const CodeRange &c) { return inside(c, r.instr, r.instrlen); });
    if (!in_code)
      return error(record_name(r) + ": its original code " + hex(r.instr) + " (" +
                   std::to_string(r.instrlen) + " bytes) lies outside the image's code");
    if (!replacement)
      return error(record_name(r) + ": the image has no " + kAltReplacement +
                   " for its replacement at " + hex(r.replacement));
    if (!inside(*replacement, r.replacement, r.replacementlen))
      return error(record_name(r) + ": its replacement " + hex(r.replacement) + " (" +
                   std::to_string(r.replacementlen) + " bytes) lies outside " + replacement->name);
    out.push_back(r);
  }
  return out;
}

Result<std::vector<AltRecord>> read_alt_records(const ElfFile &elf) {
  const Section *table = elf.find_section(kAltInstructions);
  if (!table) return std::vector<AltRecord>{};
  const uint8_t *bytes = table->has_file_bytes()
                             ? elf.bytes_at(*table, table->addr, table->size)
                             : nullptr;
  if (!bytes && table->size)
    return error(std::string(kAltInstructions) + " has no bytes in the file");
  std::vector<CodeRange> code;
  std::optional<CodeRange> repl;
  for (const Section &s : elf.sections()) {
    if (!s.is_alloc() || !s.is_exec() || !s.has_file_bytes()) continue;
    CodeRange r{s.addr, s.addr + s.size, s.name};
    if (s.name == kAltReplacement)
      repl = r;
    else
      code.push_back(r);
  }
  return decode_alt_records(bytes, table->size, table->addr, code, repl ? &*repl : nullptr);
}

Result<SitePlaces> place_sites(const ElfFile &elf, const SiteTable &table,
                               const std::vector<AltRecord> &records, std::string_view target) {
  const Section *sec = elf.find_section(kAltReplacement);
  std::optional<CodeRange> repl;
  if (sec) repl = CodeRange{sec->addr, sec->addr + sec->size, sec->name};
  auto byte_at = [&](uint64_t a) -> int {
    const Section *s = elf.section_at(a);
    const uint8_t *p = s ? elf.bytes_at(*s, a, 1) : nullptr;
    return p ? *p : -1;
  };
  auto describe = [&](uint64_t a) { return elf.describe(a); };
  return place_sites(table.sites, records, repl ? &*repl : nullptr, byte_at, describe, target);
}

Result<SitePlaces> place_sites(const std::vector<Site> &sites,
                               const std::vector<AltRecord> &records,
                               const CodeRange *repl_range,
                               const std::function<int(uint64_t)> &byte_at,
                               const std::function<std::string(uint64_t)> &describe,
                               std::string_view target) {
  // Records by replacement start, to find the ones that hold a site.
  std::vector<const AltRecord *> by_repl;
  for (const AltRecord &r : records)
    if (r.replacementlen) by_repl.push_back(&r);
  std::sort(by_repl.begin(), by_repl.end(), [](const AltRecord *a, const AltRecord *b) {
    return a->replacement < b->replacement;
  });
  unsigned longest = 0;
  for (const AltRecord *r : by_repl) longest = std::max(longest, r->replacementlen);

  SitePlaces places(sites.size());
  for (size_t i = 0; i < sites.size(); ++i) {
    const Site &s = sites[i];
    auto fail = [&](const std::string &msg) -> Diagnostic {
      return error_at(describe(s.address), "record " + std::to_string(s.record) + ": " +
                                                   std::string(target) + " target: " + msg);
    };
    const uint64_t end = s.address + s.padded_length;
    // Candidates start at most `longest` bytes before the site.
    uint64_t lo = s.address >= longest ? s.address - longest : 0;
    auto it = std::lower_bound(by_repl.begin(), by_repl.end(), lo,
                               [](const AltRecord *r, uint64_t a) { return r->replacement < a; });
    for (; it != by_repl.end() && (*it)->replacement < end; ++it) {
      const AltRecord &r = **it;
      const uint64_t r_end = r.replacement + r.replacementlen;
      if (r_end <= s.address) continue;
      if (s.address < r.replacement || end > r_end)
        return fail("the site straddles the bounds of the replacement " + hex(r.replacement) +
                    "-" + hex(r_end) + " of " + record_name(r));
      const uint64_t offset = s.address - r.replacement;
      RunPlace p;
      p.address = r.instr + offset;
      p.fixup_at_start = offset == 0 && r.replacementlen == 5;
      p.record = r.index;
      if (offset != 0 && r.replacementlen == 5) {
        // Linux rewrites bytes 1-4 of a 5-byte replacement that starts
        // with a call or jmp: they would overwrite this site.
        const int first = byte_at(r.replacement);
        if (first == kCall || first == kJmp || first == kJmpShort)
          return fail("Linux rewrites the 5-byte replacement of " + record_name(r) +
                      " (it starts with a call or jmp) over the site when it copies it");
      }
      bool seen = std::any_of(places[i].begin(), places[i].end(),
                              [&](const RunPlace &q) { return q.address == p.address; });
      if (!seen) places[i].push_back(p);
    }
    if (!places[i].empty()) continue;
    bool in_repl = repl_range && s.address >= repl_range->start && s.address < repl_range->end;
    if (in_repl || (s.flags & PV_SITE_REPLACEMENT))
      return fail("the site is in runtime replacement code, but no " +
                  std::string(kAltInstructions) + " record copies it, so where it runs is unknown");
    places[i].push_back(RunPlace{s.address, false, SIZE_MAX});
  }
  return places;
}

uint64_t encode_address(const Site &site, const RunPlace &place, uint8_t first_byte) {
  if (place.fixup_at_start && (first_byte == kCall || first_byte == kJmp)) return site.address;
  return place.address;
}

}  // namespace elfrewrite
