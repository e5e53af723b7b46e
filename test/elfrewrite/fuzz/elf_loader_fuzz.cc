// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: arbitrary bytes as an input file. Runs everything
// elfrewrite does with a file short of writing it: parse, restore a
// rewritten image, read and verify the site table, coverage, and plan and
// patch for every target; and the same bytes as a VMM object through the
// VMM linker. Any crash, sanitizer report or hang is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_pipeline.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  elfrewrite::fuzz_pipeline(std::vector<uint8_t>(data, data + size));
  return 0;
}
