// SPDX-License-Identifier: GPL-3.0-or-later
// Listings of a site table: the text table --list prints and the JSON
// document --list --json prints for scripts.
#pragma once

#include <string>

#include "passes.hh"

namespace elfrewrite {

std::string list_text(const Context &ctx);
std::string list_json(const Context &ctx);

// What --verify found, for its summary.
struct VerifyOutcome {
  Diagnostics problems;  // every error, in the order found
  size_t bad_sites = 0;
  bool checked_rewritten = false;  // the input was rewritten and its sites were valid
  bool consistent = true;          // and it is exactly its target's output
};
std::string verify_text(const Context &ctx, const VerifyOutcome &v);
std::string verify_json(const Context &ctx, const VerifyOutcome &v);
// Escapes a string for a JSON string literal (without the quotes).
std::string json_escape(const std::string &s);

}  // namespace elfrewrite
