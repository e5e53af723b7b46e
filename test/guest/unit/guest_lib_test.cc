// SPDX-License-Identifier: MIT
// Host unit tests of the guest's pure logic: the formatter behind every
// result line and the command-line word match that selects bench mode.
#include <catch2/catch.hpp>
#include <cstddef>
#include <string>

extern "C" {
size_t format_str(char *buf, size_t size, const char *fmt, ...);
int cmdline_has_word(const char *cmdline, const char *word);
}

namespace {
template <typename... Args>
std::string fmt(const char *f, Args... args) {
  char buf[128];
  format_str(buf, sizeof(buf), f, args...);
  return buf;
}
}  // namespace

TEST_CASE("format handles the conversions result lines use") {
  CHECK(fmt("%s: ok", "gdt-load") == "gdt-load: ok");
  CHECK(fmt("%d %d %u", -5, 0, 7u) == "-5 0 7");
  CHECK(fmt("%x %lx", 255u, 0xdeadbeefcafeUL) == "ff deadbeefcafe");
  CHECK(fmt("%lu %ld", 18446744073709551615UL, -9000000000L) == "18446744073709551615 -9000000000");
  CHECK(fmt("%c%%", 'x') == "x%");
  CHECK(fmt("%q") == "?");
}

TEST_CASE("format pads with zeros to a width, never truncates digits") {
  CHECK(fmt("%lu.%02lu", 3UL, 7UL) == "3.07");
  CHECK(fmt("%lu.%02lu", 12UL, 34UL) == "12.34");
  CHECK(fmt("%02u", 123u) == "123");
  CHECK(fmt("%04x", 0xau) == "000a");
}

TEST_CASE("format truncates to the buffer and reports the full length") {
  char buf[5];
  CHECK(format_str(buf, sizeof(buf), "hello %s", "world") == 11);
  CHECK(std::string(buf) == "hell");
  char one[1] = {'z'};
  CHECK(format_str(one, sizeof(one), "abc") == 3);
  CHECK(one[0] == '\0');
}

TEST_CASE("cmdline_has_word matches whole space-separated words") {
  CHECK(cmdline_has_word("bench", "bench"));
  CHECK(cmdline_has_word("  console=com1 bench  ", "bench"));
  CHECK(cmdline_has_word("a hang", "hang"));
  CHECK_FALSE(cmdline_has_word("benchmark", "bench"));
  CHECK_FALSE(cmdline_has_word("xbench", "bench"));
  CHECK_FALSE(cmdline_has_word("", "bench"));
  CHECK_FALSE(cmdline_has_word("   ", "bench"));
}
