// SPDX-License-Identifier: GPL-3.0-or-later
#include "report.hh"

#include <cstdio>
#include <map>

#include "format.hh"
#include "previrt/sites.h"

namespace elfrewrite {

namespace {

std::map<unsigned, size_t> count_by_class(const SiteTable &t) {
  std::map<unsigned, size_t> m;
  for (const Site &s : t.sites) ++m[s.insn_class];
  return m;
}

std::string state_of(const Context &ctx) {
  if (ctx.previous) return "rewritten for " + ctx.previous->target;
  return ctx.elf->is_object() ? "annotated object" : "annotated";
}

std::string vmm_text(const Context &ctx) {
  if (!ctx.previous_vmm_size) return "";
  return " (VMM of " + std::to_string(ctx.previous_vmm_size) + " bytes at " +
         hex(ctx.previous_vmm_vaddr) + ")";
}

}  // namespace

std::string json_escape(const std::string &s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o;
}

std::string list_text(const Context &ctx) {
  const ElfFile &elf = *ctx.elf;
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%s: %s%s%s, ABI %u, producer \"%s\", %zu sites\n",
                ctx.path.c_str(), state_of(ctx).c_str(), ctx.elf->is_object() ? "" : " image",
                vmm_text(ctx).c_str(), ctx.table.abi_version,
                ctx.table.producer.c_str(), ctx.table.sites.size());
  out += line;
  int width = elf.bits() == 64 ? 18 : 10;
  std::snprintf(line, sizeof line, "%-*s  %-32s %-14s %4s %4s  %s\n", width, "ADDRESS", "SITE",
                "CLASS", "LEN", "PAD", "FLAGS");
  out += line;
  for (const Site &s : ctx.table.sites) {
    std::string flags;
    for (const auto &f : flag_names(s.flags)) flags += (flags.empty() ? "" : ",") + f;
    if (flags.empty()) flags = "-";
    std::snprintf(line, sizeof line, "0x%0*llx  %-32s %-14s %4u %4u  %s\n", width - 2,
                  static_cast<unsigned long long>(s.address), elf.symbolize(s.address).c_str(),
                  class_name(s.insn_class).c_str(), s.insn_length, s.padded_length, flags.c_str());
    out += line;
  }
  out += "summary:";
  auto counts = count_by_class(ctx.table);
  if (counts.empty()) out += " no sites";
  bool first = true;
  for (const auto &[cls, n] : counts) {
    out += (first ? " " : ", ") + class_name(cls) + " " + std::to_string(n);
    first = false;
  }
  out += "\n";
  return out;
}

std::string list_json(const Context &ctx) {
  const ElfFile &elf = *ctx.elf;
  std::string o = "{\n";
  o += "  \"abi_version\": " + std::to_string(ctx.table.abi_version) + ",\n";
  o += "  \"producer\": \"" + json_escape(ctx.table.producer) + "\",\n";
  o += "  \"elf_class\": " + std::to_string(elf.bits()) + ",\n";
  o += "  \"state\": \"" + json_escape(state_of(ctx)) + "\",\n";
  if (ctx.previous_vmm_size)
    o += "  \"vmm\": {\"address\": \"" + hex(ctx.previous_vmm_vaddr) +
         "\", \"size\": " + std::to_string(ctx.previous_vmm_size) + "},\n";
  o += "  \"sites\": [";
  bool first = true;
  for (const Site &s : ctx.table.sites) {
    o += first ? "\n" : ",\n";
    first = false;
    std::vector<uint8_t> cur = current_site_bytes(ctx, s);
    o += "    {\"record\": " + std::to_string(s.record) + ", \"address\": \"" + hex(s.address) +
         "\", \"symbol\": \"" + json_escape(elf.symbolize(s.address)) + "\", \"class\": \"" +
         json_escape(class_name(s.insn_class)) + "\", \"insn_length\": " +
         std::to_string(s.insn_length) + ", \"padded_length\": " + std::to_string(s.padded_length) +
         ", \"flags\": [";
    bool ff = true;
    for (const auto &f : flag_names(s.flags)) {
      o += (ff ? "\"" : ", \"") + json_escape(f) + "\"";
      ff = false;
    }
    o += "], \"bytes\": \"" + hex_bytes(cur.data(), cur.size()) + "\"}";
  }
  o += first ? "],\n" : "\n  ],\n";
  o += "  \"summary\": {\"sites\": " + std::to_string(ctx.table.sites.size()) + ", \"classes\": {";
  first = true;
  for (const auto &[cls, n] : count_by_class(ctx.table)) {
    o += (first ? "\"" : ", \"") + json_escape(class_name(cls)) + "\": " + std::to_string(n);
    first = false;
  }
  o += "}}\n}\n";
  return o;
}

namespace {

std::string classes_of(const Exclusion &ex) {
  std::string c;
  for (const auto &n : ex.classes) c += (c.empty() ? "" : ",") + n;
  return c;
}

}  // namespace

std::string verify_text(const Context &ctx, const VerifyOutcome &v) {
  const ElfFile &elf = *ctx.elf;
  const CoverageStats &c = ctx.coverage;
  std::string o;
  char line[1024];
  std::snprintf(line, sizeof line,
                "%s: %zu sites, %zu bad; %zu executable sections, %zu instructions outside "
                "sites, %zu not annotated, %zu excused\n",
                ctx.path.c_str(), ctx.table.sites.size(), v.bad_sites, c.sections,
                c.instructions, c.findings, c.excused);
  o += line;
  for (const auto &ex : ctx.exclusions) {
    std::string classes = classes_of(ex);
    std::snprintf(line, sizeof line, "excluded: %s %s%s: %s (%zu instruction%s)\n",
                  ex.kind == Exclusion::Kind::section ? "section" : "symbol", ex.pattern.c_str(),
                  classes.empty() ? "" : (" [" + classes + "]").c_str(), ex.reason.c_str(),
                  ex.excused, ex.excused == 1 ? "" : "s");
    o += line;
  }
  for (const Site &s : ctx.table.sites)
    if (s.flags & PV_SITE_REPLACEMENT)
      o += "replacement: " + elf.describe(s.address) + ": " + class_name(s.insn_class) +
           " site in code copied over other code at run time\n";
  if (v.checked_rewritten)
    o += "rewritten for " + ctx.previous->target + ": " +
         (v.consistent ? "identical to what the target writes" : "modified after rewriting") +
         "\n";
  return o;
}

std::string verify_json(const Context &ctx, const VerifyOutcome &v) {
  const ElfFile &elf = *ctx.elf;
  const CoverageStats &c = ctx.coverage;
  std::string o = "{\n";
  o += "  \"state\": \"" + json_escape(state_of(ctx)) + "\",\n";
  o += "  \"ok\": " + std::string(v.problems.empty() ? "true" : "false") + ",\n";
  o += "  \"sites\": " + std::to_string(ctx.table.sites.size()) +
       ", \"bad_sites\": " + std::to_string(v.bad_sites) +
       ", \"sections\": " + std::to_string(c.sections) +
       ", \"instructions\": " + std::to_string(c.instructions) +
       ", \"excused\": " + std::to_string(c.excused) + ",\n";
  o += "  \"not_annotated\": [";
  for (size_t i = 0; i < c.found.size(); ++i)
    o += std::string(i ? ", " : "") + "{\"address\": \"" + hex(c.found[i].address) +
         "\", \"symbol\": \"" + json_escape(elf.symbolize(c.found[i].address)) +
         "\", \"class\": \"" + json_escape(c.found[i].class_name) + "\"}";
  o += "],\n  \"problems\": [";
  for (size_t i = 0; i < v.problems.size(); ++i)
    o += std::string(i ? ", " : "") + "{\"where\": \"" + json_escape(v.problems[i].where) +
         "\", \"message\": \"" + json_escape(v.problems[i].message) + "\"}";
  o += "],\n  \"exclusions\": [";
  for (size_t i = 0; i < ctx.exclusions.size(); ++i) {
    const Exclusion &ex = ctx.exclusions[i];
    o += std::string(i ? ", " : "") + "{\"kind\": \"" +
         (ex.kind == Exclusion::Kind::section ? "section" : "symbol") + "\", \"pattern\": \"" +
         json_escape(ex.pattern) + "\", \"classes\": [";
    for (size_t k = 0; k < ex.classes.size(); ++k)
      o += std::string(k ? ", " : "") + "\"" + json_escape(ex.classes[k]) + "\"";
    o += "], \"reason\": \"" + json_escape(ex.reason) +
         "\", \"excused\": " + std::to_string(ex.excused) + "}";
  }
  o += "],\n  \"replacement_sites\": [";
  bool first = true;
  for (const Site &s : ctx.table.sites)
    if (s.flags & PV_SITE_REPLACEMENT) {
      o += std::string(first ? "" : ", ") + "\"" + hex(s.address) + "\"";
      first = false;
    }
  o += "]\n}\n";
  return o;
}

}  // namespace elfrewrite
