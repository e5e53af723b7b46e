// SPDX-License-Identifier: GPL-3.0-or-later
// The in-memory pipeline the fuzz targets drive (every pass but write).
#pragma once

#include <cstdint>
#include <vector>

namespace elfrewrite {

void fuzz_pipeline(std::vector<uint8_t> bytes);

}  // namespace elfrewrite
