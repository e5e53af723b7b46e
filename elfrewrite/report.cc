// SPDX-License-Identifier: GPL-3.0-or-later
#include "report.hh"

#include <cstdio>
#include <map>

#include "format.hh"

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

}  // namespace elfrewrite
