// SPDX-License-Identifier: GPL-3.0-or-later
// The length GNU as gives an instruction, for the forms whose length follows
// from their text alone: no operands, or register and immediate operands
// only. pv-as pads those sites with DS prefixes in front (the prefix form),
// which must be counted before GNU as assembles the instruction. A DS prefix
// changes nothing on these forms: none has an explicit memory operand.
// Every site states its length to GNU as, which fails the file if the two
// disagree, so a mistake here is never silent.
#pragma once

#include <optional>

#include "sensitive_table.hh"

namespace previrt {

// Nothing for forms this does not know; their sites get the NOP form.
std::optional<unsigned> encoded_length(const SensitiveClass &cls, const InstructionText &insn,
                                       int code_bits, const AsmDialect &dialect);

}  // namespace previrt
