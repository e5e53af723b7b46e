// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the site-table reader and verifier: the input
// replaces the ABI note's descriptor (first 8 bytes) and the contents of
// .previrt_sites (the rest, up to the section's size) in a valid annotated
// image (PV_FUZZ_TEMPLATE, default build/test/elfrewrite/basic.elf), so
// every mutation reaches record decoding, verification and planning.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "elf_file.hh"
#include "fuzz_pipeline.hh"
#include "output_file.hh"

namespace {

std::vector<uint8_t> tmpl;
uint64_t sites_off = 0, sites_size = 0, desc_off = 0;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  const char *path = std::getenv("PV_FUZZ_TEMPLATE");
  if (!path) path = "build/test/elfrewrite/basic.elf";
  auto bytes = elfrewrite::read_file(path, nullptr);
  if (!bytes) {
    std::fprintf(stderr, "site_table_fuzz: cannot read template %s\n", path);
    std::exit(1);
  }
  auto elf = elfrewrite::ElfFile::parse(*bytes);
  const elfrewrite::Section *s = elf ? elf->find_section(".previrt_sites") : nullptr;
  const elfrewrite::Section *n = elf ? elf->find_section(".note.previrt") : nullptr;
  if (!s || !n) {
    std::fprintf(stderr, "site_table_fuzz: %s is not an annotated image\n", path);
    std::exit(1);
  }
  tmpl = *bytes;
  sites_off = s->offset;
  sites_size = s->size;
  desc_off = n->offset + 12 + 8;  // note header, owner "previrt\0"
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> image = tmpl;
  size_t d = size < 8 ? size : 8;
  std::memcpy(image.data() + desc_off, data, d);
  size_t rest = size - d;
  if (rest > sites_size) rest = sites_size;
  std::memcpy(image.data() + sites_off, data + d, rest);
  elfrewrite::fuzz_pipeline(std::move(image));
  return 0;
}
