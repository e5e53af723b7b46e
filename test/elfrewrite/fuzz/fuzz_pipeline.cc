// SPDX-License-Identifier: GPL-3.0-or-later
#include "fuzz_pipeline.hh"

#include "backend.hh"
#include "elf_file.hh"
#include "passes.hh"
#include "report.hh"
#include "vmm_linker.hh"

namespace elfrewrite {

void fuzz_pipeline(std::vector<uint8_t> bytes) {
  // The same bytes as a VMM object for the linker.
  if (auto obj = ElfFile::parse_object(bytes)) {
    (void)link_vmm_object(*obj, 0xffffffff82000000ull, {{"pv_test_data", 0xffffffff82100000ull}});
  }
  for (const Backend *b : backends()) {
    Context ctx;
    ctx.path = "fuzz";
    ctx.backend = b;
    ctx.input = bytes;
    if (!pass_parse(ctx)) return;
    for (const auto &s : ctx.elf->sections()) (void)ctx.elf->symbolize(s.addr + s.size / 2);
    if (!pass_read_sites(ctx)) return;
    (void)list_json(ctx);
    (void)list_text(ctx);
    std::vector<Exclusion> none;
    (void)check_coverage(*ctx.elf, ctx.table, none, nullptr);
    if (!pass_verify(ctx)) return;
    if (!pass_rewritten_check(ctx)) ctx.diags.clear();
    if (!pass_plan(ctx) || !pass_link_vmm(ctx) || !pass_patch(ctx)) continue;
    // What a target wrote must load again and restore to the same
    // annotated image (the round trip), whatever the input was.
    Context back;
    back.input = ctx.output;
    if (!pass_parse(back) || back.elf->bytes() != ctx.elf->bytes()) __builtin_trap();
  }
}

}  // namespace elfrewrite
