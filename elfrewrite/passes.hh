// SPDX-License-Identifier: GPL-3.0-or-later
// The rewriter as named passes over one context. Each pass reads what
// earlier passes left in the Context, appends diagnostics, and returns
// false when the run cannot go on. run_pass() times each one for --stats.
//
//   load        read the file, parse it; restore the annotated view if the
//               file was rewritten before (.previrt_orig)
//   read-sites  the ABI note and the site records
//   verify      every record against the bytes it describes
//   coverage    (--verify) no sensitive instruction outside a site
//   plan        ask the backend whether each site can take its replacement;
//               any misfit refuses the image; find where each site runs
//               (.altinstructions, alternatives.hh); place the VMM
//   link-vmm    link the backend's VMM at its place
//   patch       the backend's bytes for each site (the same for every place
//               it runs at, or the image is refused); build the output image
//   write       atomic output
//   rewritten-check (--verify of a rewritten image) the image is exactly
//               what its target writes for the annotated image
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backend.hh"
#include "elf_file.hh"
#include "error.hh"
#include "orig_section.hh"
#include "site_table.hh"
#include "verifier.hh"

namespace elfrewrite {

struct SitePatch {
  uint64_t file_offset = 0;
  std::vector<uint8_t> original;
  std::vector<uint8_t> replacement;
};

struct PassTiming {
  std::string name;
  double milliseconds = 0;
  size_t count = 0;  // what the pass counted (sites, instructions, bytes)
};

struct Context {
  std::string path;              // input file as named on the command line
  std::string output_path;
  const Backend *backend = nullptr;
  std::vector<Exclusion> exclusions;

  std::vector<uint8_t> input;    // the file as read
  mode_t input_mode = 0644;
  std::optional<ElfFile> elf;    // the annotated view (restored if rewritten)
  std::optional<OrigInfo> previous;  // set when the input was rewritten before
  uint64_t previous_vmm_vaddr = 0;   // and where its VMM is (0: none)
  uint64_t previous_vmm_size = 0;
  SiteTable table;
  CoverageStats coverage;
  std::vector<SitePatch> patches;
  SitePlaces places;             // per site: where its code runs
  uint64_t vmm_vaddr = 0;
  VmmImage vmm;
  std::vector<uint8_t> output;

  Diagnostics diags;
  std::vector<PassTiming> timings;
  size_t counted = 0;  // what the running pass counted, for --stats
};

bool pass_load(Context &ctx);        // reads ctx.path, then pass_parse
bool pass_parse(Context &ctx);       // parses ctx.input
bool pass_read_sites(Context &ctx);
bool pass_verify(Context &ctx);
bool pass_coverage(Context &ctx);
bool pass_plan(Context &ctx);
bool pass_link_vmm(Context &ctx);
bool pass_patch(Context &ctx);
bool pass_write(Context &ctx);
bool pass_rewritten_check(Context &ctx);

using PassFn = bool (*)(Context &);
// Runs one pass and records its time and count.
bool run_pass(Context &ctx, const char *name, PassFn fn);

// The backend's bytes for `site` (original: its annotated bytes) that run
// at `places`: encoded for each place (encode_address), and the same for
// all of them, or the error says why not.
Result<std::vector<uint8_t>> bytes_for_places(const Backend &backend, const Site &site,
                                              const std::vector<RunPlace> &places,
                                              const uint8_t *original, const VmmImage &vmm);

// The current bytes of a site in the file as read (rewritten or not).
std::vector<uint8_t> current_site_bytes(const Context &ctx, const Site &site);

}  // namespace elfrewrite
