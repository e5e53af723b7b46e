// SPDX-License-Identifier: GPL-3.0-or-later
#include "passes.hh"

#include <chrono>
#include <cstring>

#include "elf_writer.hh"
#include "format.hh"
#include "output_file.hh"

namespace elfrewrite {

bool run_pass(Context &ctx, const char *name, PassFn fn) {
  auto start = std::chrono::steady_clock::now();
  ctx.counted = 0;
  bool ok = fn(ctx);
  auto end = std::chrono::steady_clock::now();
  ctx.timings.push_back(
      {name, std::chrono::duration<double, std::milli>(end - start).count(), ctx.counted});
  return ok;  // each pass says false when it added an error
}

bool pass_load(Context &ctx) {
  auto bytes = read_file(ctx.path, &ctx.input_mode);
  if (!bytes) {
    ctx.diags.push_back(bytes.error());
    return false;
  }
  ctx.input = std::move(*bytes);
  return pass_parse(ctx);
}

bool pass_parse(Context &ctx) {
  ctx.counted = ctx.input.size();
  auto elf = ElfFile::parse_input(ctx.input);
  if (!elf) {
    ctx.diags.push_back(elf.error());
    return false;
  }
  const Section *orig = elf->find_section(kOrigSection);
  if (!orig) {
    ctx.elf = std::move(*elf);
    return true;
  }
  // A rewritten image: work on the annotated image it was made from.
  auto info = decode_orig(elf->bytes().data() + orig->offset, orig->size);
  if (!info) {
    ctx.diags.push_back(info.error());
    return false;
  }
  auto restored = restore_original(elf->bytes(), *info);
  if (!restored) {
    ctx.diags.push_back(restored.error());
    return false;
  }
  auto annotated = ElfFile::parse(std::move(*restored));
  if (!annotated) {
    Diagnostic d = annotated.error();
    d.message = "the image restored from .previrt_orig is invalid: " + d.message;
    ctx.diags.push_back(d);
    return false;
  }
  if (annotated->find_section(kOrigSection)) {
    ctx.diags.push_back(error("corrupt .previrt_orig: the restored image was rewritten too"));
    return false;
  }
  if (const Section *vmm = elf->find_section(kVmmSection)) {
    ctx.previous_vmm_vaddr = vmm->addr;
    ctx.previous_vmm_size = vmm->size;
  }
  ctx.previous = std::move(*info);
  ctx.elf = std::move(*annotated);
  return true;
}

bool pass_read_sites(Context &ctx) {
  auto t = read_site_table(*ctx.elf);
  if (!t) {
    ctx.diags.push_back(t.error());
    return false;
  }
  ctx.table = std::move(*t);
  ctx.counted = ctx.table.sites.size();
  return true;
}

bool pass_verify(Context &ctx) {
  Diagnostics d = verify_sites(*ctx.elf, ctx.table);
  ctx.diags.insert(ctx.diags.end(), d.begin(), d.end());
  ctx.counted = ctx.table.sites.size();
  return d.empty();
}

bool pass_coverage(Context &ctx) {
  Diagnostics d = check_coverage(*ctx.elf, ctx.table, ctx.exclusions, &ctx.coverage);
  ctx.diags.insert(ctx.diags.end(), d.begin(), d.end());
  ctx.counted = ctx.coverage.instructions;
  return d.empty();
}

bool pass_plan(Context &ctx) {
  const ElfFile &elf = *ctx.elf;
  if (elf.is_object()) {
    ctx.diags.push_back(error("relocatable object: link it before rewriting (--list and --verify "
                              "read objects)"));
    return false;
  }
  if (!ctx.backend->restores_original()) {
    if (auto st = check_appendable(elf); !st) {
      ctx.diags.push_back(st.error());
      return false;
    }
    ctx.vmm_vaddr = plan_vmm_address(elf, ctx.backend->region_alignment());
  }
  bool ok = true;
  for (const Site &s : ctx.table.sites) {
    if (auto st = ctx.backend->check_site(s); !st) {
      // A site the target cannot take refuses the whole image.
      ctx.diags.push_back(error_at(elf.describe(s.address),
                                   "record " + std::to_string(s.record) + ": " +
                                       std::string(ctx.backend->name()) + " target: " +
                                       st.error().message));
      ok = false;
      continue;
    }
    const Section *sec = elf.section_at(s.address);
    const uint8_t *orig = elf.bytes_at(*sec, s.address, s.padded_length);  // verified
    SitePatch p;
    p.file_offset = elf.file_offset(*sec, s.address);
    p.original.assign(orig, orig + s.padded_length);
    ctx.patches.push_back(std::move(p));
  }
  if (!ok || ctx.backend->restores_original()) {
    ctx.counted = ctx.patches.size();
    return ok;
  }
  // Where each site runs: runtime replacement code where the kernel copies it.
  auto records = read_alt_records(elf);
  if (!records) {
    ctx.diags.push_back(records.error());
    return false;
  }
  auto places = place_sites(elf, ctx.table, *records, ctx.backend->name());
  if (!places) {
    ctx.diags.push_back(places.error());
    return false;
  }
  ctx.places = std::move(*places);
  ctx.counted = ctx.patches.size();
  return true;
}

bool pass_link_vmm(Context &ctx) {
  if (ctx.backend->restores_original()) return true;
  auto vmm = ctx.backend->link_vmm(*ctx.elf, ctx.table, ctx.places, ctx.vmm_vaddr);
  if (!vmm) {
    ctx.diags.push_back(vmm.error());
    return false;
  }
  ctx.vmm = std::move(*vmm);
  ctx.counted = ctx.vmm.bytes.size();
  return true;
}

Result<std::vector<uint8_t>> bytes_for_places(const Backend &backend, const Site &s,
                                              const std::vector<RunPlace> &places,
                                              const uint8_t *original, const VmmImage &vmm) {
  std::vector<uint8_t> out;
  for (size_t k = 0; k < places.size(); ++k) {
    const RunPlace &place = places[k];
    auto rep = backend.rewrite_site(s, original, place.address, vmm);
    if (rep && !rep->empty() && place.fixup_at_start) {
      if ((*rep)[0] == 0xeb)
        return error("a 2-byte jmp as a whole 5-byte replacement, which Linux's recompute_jump "
                     "misreads");
      uint64_t at = encode_address(s, place, (*rep)[0]);
      if (at != place.address) {
        uint8_t first = (*rep)[0];
        rep = backend.rewrite_site(s, original, at, vmm);
        if (rep && (rep->empty() || (*rep)[0] != first))
          return error("internal error: the replacement's form depends on its address");
      }
    }
    if (!rep) return rep.error();
    if (rep->size() != s.padded_length)
      return error("internal error: replacement of " + std::to_string(rep->size()) +
                   " bytes for a site of " + std::to_string(s.padded_length));
    if (k == 0) {
      out = std::move(*rep);
    } else if (*rep != out) {
      std::string where;
      for (const RunPlace &q : places) where += (where.empty() ? "" : ", ") + hex(q.address);
      return error("runtime replacement code that the kernel copies to " +
                   std::to_string(places.size()) + " places (" + where + ") needs different "
                   "bytes at each, which one site cannot hold");
    }
  }
  if (places.empty()) return error("internal error: the site runs nowhere");
  return out;
}

bool pass_patch(Context &ctx) {
  const ElfFile &elf = *ctx.elf;
  if (ctx.backend->restores_original()) {
    ctx.output = elf.bytes();
    ctx.counted = ctx.output.size();
    return true;
  }
  std::vector<uint8_t> image = elf.bytes();
  OrigInfo info;
  info.target = std::string(ctx.backend->name());
  info.original_size = image.size();
  info.original_checksum = image_checksum(image);
  info.original_ehdr.assign(image.begin(), image.begin() + 64);
  bool ok = true;
  for (size_t i = 0; i < ctx.patches.size(); ++i) {
    SitePatch &p = ctx.patches[i];
    const Site &s = ctx.table.sites[i];
    auto rep = bytes_for_places(*ctx.backend, s, ctx.places[i], p.original.data(), ctx.vmm);
    if (!rep) {
      ctx.diags.push_back(error_at(elf.describe(s.address), "record " + std::to_string(s.record) +
                                                                ": " + rep.error().message));
      ok = false;
      continue;
    }
    p.replacement = std::move(*rep);
    std::memcpy(image.data() + p.file_offset, p.replacement.data(), p.replacement.size());
    info.records.push_back({p.file_offset, p.original});
  }
  if (!ok) return false;
  Appendix app;
  app.vmm = ctx.vmm.bytes;
  app.orig = encode_orig(info);
  app.notes = encode_notes(ctx.backend->notes(ctx.table, ctx.vmm));
  app.region_align = ctx.backend->region_alignment();
  app.entry = ctx.backend->entry(ctx.vmm);
  auto out = append_image(elf, std::move(image), app);
  if (!out) {
    ctx.diags.push_back(out.error());
    return false;
  }
  ctx.output = std::move(*out);
  ctx.counted = ctx.output.size();
  return true;
}

bool pass_write(Context &ctx) {
  auto st = write_file_atomically(ctx.output_path, ctx.output, ctx.input_mode);
  if (!st) {
    ctx.diags.push_back(st.error());
    return false;
  }
  ctx.counted = ctx.output.size();
  return true;
}

bool pass_rewritten_check(Context &ctx) {
  if (!ctx.previous) return true;
  const Backend *b = find_backend(ctx.previous->target);
  if (!b) {
    ctx.diags.push_back(error("rewritten for unknown target '" + ctx.previous->target + "'"));
    return false;
  }
  // Rebuild what the target writes and compare: any other difference is a
  // change made after rewriting.
  Context again;
  again.path = ctx.path;
  again.backend = b;
  again.elf = ctx.elf;
  again.table = ctx.table;
  bool ok = pass_plan(again) && pass_link_vmm(again) && pass_patch(again);
  if (!ok) {
    for (auto d : again.diags) {
      d.message = "cannot rebuild the " + std::string(b->name()) + " image: " + d.message;
      ctx.diags.push_back(d);
    }
    return false;
  }
  ctx.counted = again.output.size();
  if (again.output == ctx.input) return true;
  size_t i = 0;
  while (i < again.output.size() && i < ctx.input.size() && again.output[i] == ctx.input[i]) ++i;
  ctx.diags.push_back(error("the image differs from what --target=" + std::string(b->name()) +
                            " writes for the annotated image it was made from (first at file "
                            "offset " + hex(i) + ")"));
  return false;
}

std::vector<uint8_t> current_site_bytes(const Context &ctx, const Site &site) {
  const Section *sec = ctx.elf->section_at(site.address);
  if (!sec || !ctx.elf->bytes_at(*sec, site.address, site.padded_length)) return {};
  uint64_t off = ctx.elf->file_offset(*sec, site.address);
  if (off + site.padded_length > ctx.input.size()) return {};
  return std::vector<uint8_t>(ctx.input.begin() + off, ctx.input.begin() + off + site.padded_length);
}

}  // namespace elfrewrite
