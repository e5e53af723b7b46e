// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
namespace previrt {
inline constexpr const char *kPrevirtVersion = "0.1.0";
}
