// SPDX-License-Identifier: GPL-3.0-or-later
// A length decoder for the x86 instructions that make up nearly all of
// compiled code (moves, arithmetic, branches, pushes, ...), none of which
// is sensitive. The coverage check asks it first and hands everything it
// does not know to libopcodes, which formats text for the sensitive-class
// matcher and costs far more per instruction.
//
// The contract: a non-zero answer is the length libopcodes would decode at
// the same place, and the instruction there is of no sensitive class.
// test/elfrewrite/unit/quick_length_test.cc checks both against libopcodes
// and the matcher on every opcode, ModRM byte and prefix combination the
// decoder accepts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace elfrewrite {

// The length of the instruction at `p` (at most `avail` bytes readable) in
// code of `code_bits` (32 or 64) bits, or 0 if the instruction is not one
// this decoder knows (then libopcodes must decode it).
size_t quick_length(const uint8_t *p, size_t avail, int code_bits);

}  // namespace elfrewrite
