// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzz_pipeline.hh"

#include "backend.hh"
#include "elf_file.hh"
#include "elf_writer.hh"
#include "orig_section.hh"
#include "passes.hh"
#include "report.hh"

namespace elfrewrite {

void fuzz_pipeline(std::vector<uint8_t> bytes) {
  for (const Backend *b : backends()) {
    Context ctx;
    ctx.path = "fuzz";
    ctx.backend = b;
    ctx.input = bytes;
    // pass_load reads a file; the fuzzers start from the bytes instead.
    auto elf = ElfFile::parse(ctx.input);
    if (!elf) return;
    if (const Section *o = elf->find_section(kOrigSection)) {
      auto info = decode_orig(elf->bytes().data() + o->offset, o->size);
      if (!info) return;
      auto restored = restore_original(elf->bytes(), *info);
      if (!restored) return;
      auto again = ElfFile::parse(std::move(*restored));
      if (!again || again->find_section(kOrigSection)) return;
      ctx.previous = *info;
      elf = std::move(again);
    }
    ctx.elf = std::move(*elf);
    for (const auto &s : ctx.elf->sections()) (void)ctx.elf->symbolize(s.addr + s.size / 2);
    if (!pass_read_sites(ctx)) return;
    (void)list_json(ctx);
    (void)list_text(ctx);
    std::vector<Exclusion> none;
    (void)check_coverage(*ctx.elf, ctx.table, none, nullptr);
    if (!pass_verify(ctx)) return;
    if (!pass_plan(ctx) || !pass_link_vmm(ctx) || !pass_patch(ctx)) continue;
    // What a target wrote must load again and restore to the annotated view.
    auto out = ElfFile::parse(ctx.output);
    if (!out) __builtin_trap();
  }
}

}  // namespace elfrewrite
