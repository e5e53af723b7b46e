// SPDX-License-Identifier: GPL-3.0-or-later
#include "verifier.hh"

#include <elf.h>

#include <algorithm>
#include <fnmatch.h>

#include <fstream>
#include <map>
#include <utility>
#include <sstream>

#include "format.hh"
#include "previrt/sites.h"
#include "quick_length.hh"
#include "sensitive_table.hh"
#include "x86_decoder.hh"

namespace elfrewrite {

using previrt::DecodedInsn;
using previrt::X86Decoder;
using previrt::is_padding_nop;

namespace {

constexpr unsigned kMaxInsnLength = 15;
constexpr const char *kReplacementSection = ".altinstr_replacement";

// The first problem with one record, or an empty string.
std::string check_record(const ElfFile &elf, const Site &s, const X86Decoder &dec) {
  const previrt::SensitiveClass *cls = previrt::find_class(static_cast<int>(s.insn_class));
  if (!cls) return "unknown instruction class " + std::to_string(s.insn_class);
  if (s.flags & ~unsigned(PV_SITE_KNOWN_FLAGS)) return "unknown flags " + hex(s.flags);
  if (s.insn_length == 0 || s.insn_length > kMaxInsnLength)
    return "instruction length " + std::to_string(s.insn_length) + " is not valid";
  if (s.padded_length < s.insn_length)
    return "padded length " + std::to_string(s.padded_length) +
           " is shorter than the instruction (" + std::to_string(s.insn_length) + " bytes)";
  if (elf.bits() == 32 && s.code_bits() == 64) return "64-bit site in a 32-bit image";
  unsigned mode = s.code_bits() == 64 ? PV_MODE_64 : PV_MODE_32;
  if (!(cls->modes & mode))
    return "class " + std::string(cls->name) + " does not exist in " +
           std::to_string(s.code_bits()) + "-bit code";

  const Section *sec = elf.section_at(s.address);
  if (!sec) return "site is outside every section";
  if (!sec->is_exec()) return "site is in non-executable section " + sec->name;
  const uint8_t *p = elf.bytes_at(*sec, s.address, s.padded_length);
  if (!p) return "site extends past the end of " + sec->name;
  bool in_replacement = sec->name == kReplacementSection;
  if ((s.flags & PV_SITE_REPLACEMENT) && !in_replacement)
    return "flagged as runtime replacement code but lies in " + sec->name;
  if (!(s.flags & PV_SITE_REPLACEMENT) && in_replacement)
    return "lies in " + sec->name + " but lacks the replacement flag";

  DecodedInsn insn = dec.decode(p, s.padded_length, s.address);
  if (insn.bad) return "site bytes do not decode (" + hex_bytes(p, s.insn_length) + ")";
  const previrt::SensitiveClass *got = dec.classify(insn);
  if (insn.length != s.insn_length)
    return "recorded instruction length " + std::to_string(s.insn_length) +
           ", but the bytes decode to a " + std::to_string(insn.length) + "-byte instruction (" +
           insn.text + ")";
  if (!got)
    return "site holds '" + insn.text + "', which is not sensitive, but the record says " +
           std::string(cls->name);
  if (got != cls)
    return "site holds '" + insn.text + "' (class " + std::string(got->name) +
           "), but the record says " + std::string(cls->name);
  for (size_t off = s.insn_length; off < s.padded_length;) {
    DecodedInsn pad = dec.decode(p + off, s.padded_length - off, s.address + off);
    if (pad.bad || !is_padding_nop(p + off, pad.length, s.code_bits()))
      return "padding at +" + hex(off) + " is not a NOP (" +
             (pad.bad ? hex_bytes(p + off, 1) : pad.text) + ")";
    off += pad.length;
  }
  return {};
}

}  // namespace

Diagnostics verify_sites(const ElfFile &elf, const SiteTable &table) {
  Diagnostics out;
  X86Decoder dec64(64), dec32(32);
  // Sites that passed, by address, to find duplicates and overlaps.
  std::map<uint64_t, const Site *> good;
  for (const Site &s : table.sites) {
    std::string where = elf.describe(s.address);
    std::string problem = check_record(elf, s, s.code_bits() == 64 ? dec64 : dec32);
    if (problem.empty()) {
      auto next = good.lower_bound(s.address);
      if (next != good.end() && next->first == s.address) {
        problem = "duplicate site (record " + std::to_string(next->second->record) +
                  " has the same address)";
      } else if (next != good.end() && next->first < s.address + s.padded_length) {
        problem = "site overlaps the site at " + elf.describe(next->first);
      } else if (next != good.begin()) {
        const Site *prev = std::prev(next)->second;
        if (prev->address + prev->padded_length > s.address)
          problem = "site overlaps the site at " + elf.describe(prev->address);
      }
    }
    if (!problem.empty()) {
      out.push_back(error_at(where, "record " + std::to_string(s.record) + ": " + problem));
      continue;
    }
    good[s.address] = &s;
  }
  return out;
}

Exclusion parse_exclusion(Exclusion::Kind kind, const std::string &arg) {
  Exclusion e;
  e.kind = kind;
  size_t colon = arg.find(':');
  e.pattern = arg.substr(0, colon);
  e.reason = colon == std::string::npos ? "excluded on the command line" : arg.substr(colon + 1);
  return e;
}

Result<std::vector<Exclusion>> read_exclusion_file(const std::string &path) {
  std::ifstream in(path);
  if (!in) return error("cannot read exclusion list " + path);
  std::vector<Exclusion> out;
  std::string line;
  for (size_t lineno = 1; std::getline(in, line); ++lineno) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string kind, pattern, w;
    if (!(words >> kind)) continue;
    std::string at = path + ":" + std::to_string(lineno) + ": ";
    if (!(words >> pattern) || (kind != "section" && kind != "symbol"))
      return error(at + "expected 'section|symbol PATTERN [class=NAME,...] REASON'");
    Exclusion e;
    e.kind = kind == "section" ? Exclusion::Kind::section : Exclusion::Kind::symbol;
    e.pattern = pattern;
    while (words >> w) {
      if (e.reason.empty() && e.classes.empty() && w.rfind("class=", 0) == 0) {
        std::istringstream names(w.substr(6));
        std::string name;
        while (std::getline(names, name, ',')) {
          if (!previrt::find_class(name)) return error(at + "unknown class '" + name + "'");
          e.classes.push_back(name);
        }
        continue;
      }
      e.reason += (e.reason.empty() ? "" : " ") + w;
    }
    if (e.reason.empty()) return error(at + "a rule needs a reason");
    out.push_back(e);
  }
  return out;
}

namespace {

// The first rule excusing an instruction of class `cls` at `address`.
Exclusion *find_excuse(const ElfFile &elf, std::vector<Exclusion> &rules, const Section &sec,
                       uint64_t address, std::string_view cls) {
  const Symbol *sym = nullptr;
  bool sym_looked_up = false;
  for (auto &r : rules) {
    if (!r.classes.empty() &&
        std::find(r.classes.begin(), r.classes.end(), cls) == r.classes.end())
      continue;
    const std::string *name = &sec.name;
    if (r.kind == Exclusion::Kind::symbol) {
      if (!sym_looked_up) sym = elf.symbol_at(address), sym_looked_up = true;
      if (!sym) continue;
      name = &sym->name;
    }
    if (fnmatch(r.pattern.c_str(), name->c_str(), 0) == 0) return &r;
  }
  return nullptr;
}

}  // namespace

Diagnostics check_coverage(const ElfFile &elf, const SiteTable &table,
                           std::vector<Exclusion> &exclusions, CoverageStats *stats) {
  Diagnostics out;
  CoverageStats st;
  // Annotated ranges, sorted by start; a start recorded twice keeps the
  // furthest end.
  std::vector<std::pair<uint64_t, uint64_t>> sites;
  sites.reserve(table.sites.size());
  for (const Site &s : table.sites)
    sites.emplace_back(s.address, s.address + std::max(1u, s.padded_length));
  std::sort(sites.begin(), sites.end());
  size_t kept = 0;
  for (size_t k = 0; k < sites.size(); ++k) {
    if (kept && sites[kept - 1].first == sites[k].first)
      sites[kept - 1].second = std::max(sites[kept - 1].second, sites[k].second);
    else
      sites[kept++] = sites[k];
  }
  sites.resize(kept);
  const uint64_t kNoSite = UINT64_MAX;

  X86Decoder dec(elf.bits());
  for (const auto &sec : elf.sections()) {
    if (sec.index == 0 || !sec.is_alloc() || !sec.is_exec() || sec.type != SHT_PROGBITS ||
        sec.size == 0)
      continue;
    ++st.sections;
    const uint8_t *base = elf.bytes().data() + sec.offset;
    uint64_t pc = sec.addr, end = sec.addr + sec.size;
    // The sweep only moves forward, so the next site is found by moving a
    // cursor over the sorted starts rather than by a search per step.
    size_t k = std::lower_bound(sites.begin(), sites.end(), std::make_pair(pc, uint64_t(0))) -
               sites.begin();
    while (pc < end) {
      while (k < sites.size() && sites[k].first < pc) ++k;
      uint64_t next_site = k < sites.size() ? sites[k].first : kNoSite;
      if (next_site == pc) {
        ++st.sites;
        pc = std::max(pc + 1, sites[k].second);
        continue;
      }
      const uint8_t *p = base + (pc - sec.addr);
      // Most instructions are ones the quick decoder knows, none of them
      // sensitive; the rest are disassembled and matched as text.
      size_t length = quick_length(p, end - pc, elf.bits());
      const previrt::SensitiveClass *cls = nullptr;
      if (length == 0) {
        DecodedInsn insn = dec.decode(p, end - pc, pc);
        length = std::max<size_t>(1, insn.length);
        cls = dec.classify(insn);
      }
      uint64_t next = pc + length;
      // A linear sweep can run into a site out of step (data or alignment
      // bytes before it); resynchronise at the site.
      if (next_site < next) {
        pc = next_site;
        continue;
      }
      ++st.instructions;
      if (cls) {
        if (Exclusion *r = find_excuse(elf, exclusions, sec, pc, cls->name)) {
          ++r->excused;
          ++st.excused;
        } else {
          ++st.findings;
          st.found.push_back({pc, std::string(cls->name)});
          out.push_back(error_at(elf.symbolize(pc), std::string(cls->name) + " not annotated"));
        }
      }
      pc = next;
    }
  }
  if (stats) *stats = st;
  return out;
}

}  // namespace elfrewrite
