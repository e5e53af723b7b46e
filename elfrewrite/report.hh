// SPDX-License-Identifier: GPL-3.0-or-later
// Listings of a site table: the text table --list prints and the JSON
// document --list --json prints for scripts.
#pragma once

#include <string>

#include "passes.hh"

namespace elfrewrite {

std::string list_text(const Context &ctx);
std::string list_json(const Context &ctx);
// Escapes a string for a JSON string literal (without the quotes).
std::string json_escape(const std::string &s);

}  // namespace elfrewrite
