// SPDX-License-Identifier: GPL-3.0-or-later
// Atomic output: the image is written to a temporary file in the
// destination directory, fsync'ed and renamed over the destination, then
// the directory is fsync'ed. On any error the temporary file is removed and
// an existing destination is left untouched.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "error.hh"

namespace elfrewrite {

Status write_file_atomically(const std::string &path, const std::vector<uint8_t> &bytes,
                             mode_t mode);

// Reads a whole file; the error says why it could not be read.
Result<std::vector<uint8_t>> read_file(const std::string &path, mode_t *mode);

}  // namespace elfrewrite
