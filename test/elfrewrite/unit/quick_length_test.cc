// SPDX-License-Identifier: GPL-3.0-or-later
// The coverage check's quick length decoder against libopcodes and the
// sensitive-class matcher: wherever it answers, the length must be
// libopcodes' and the instruction must not be sensitive. Every one- and
// two-byte opcode is tried with every ModRM byte, SIB bytes with and
// without a base, and the prefix combinations compilers emit, in 32- and
// 64-bit code; then random bytes.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "quick_length.hh"
#include "sensitive_table.hh"
#include "x86_decoder.hh"

using namespace elfrewrite;
using previrt::DecodedInsn;
using previrt::X86Decoder;

namespace {

using Bytes = std::vector<uint8_t>;

std::string hex(const Bytes &b, size_t n) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < n && i < b.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%02x", i ? " " : "", b[i]);
    s += buf;
  }
  return s;
}

struct Checker {
  explicit Checker(int bits) : bits(bits), dec(bits) {}
  int bits;
  X86Decoder dec;
  size_t accepted = 0;
  std::vector<std::string> failures;

  // Compares the two decoders on `b` (all of it readable).
  void check(const Bytes &b) {
    size_t q = quick_length(b.data(), b.size(), bits);
    if (q == 0) return;
    ++accepted;
    DecodedInsn insn = dec.decode(b.data(), b.size(), 0x401000);
    std::string problem;
    if (insn.bad) problem = "libopcodes says it is bad";
    else if (insn.length != q) problem = "libopcodes length " + std::to_string(insn.length);
    else if (const auto *c = dec.classify(insn)) problem = "sensitive: " + std::string(c->name);
    else if (quick_length(b.data(), q - 1, bits) != 0) problem = "accepted when cut short";
    if (!problem.empty() && failures.size() < 20)
      failures.push_back(std::to_string(bits) + "-bit " + hex(b, q) + " (" + insn.text +
                         "): quick length " + std::to_string(q) + ", " + problem);
  }
};

void enumerate(Checker &c, const std::vector<Bytes> &prefix_sets) {
  const Bytes filler = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc};
  for (const Bytes &prefixes : prefix_sets)
    for (int map = 0; map < 2; ++map)
      for (int op = 0; op < 256; ++op)
        for (int modrm = 0; modrm < 256; ++modrm) {
          bool sib = (modrm >> 6) != 3 && (modrm & 7) == 4;
          for (uint8_t s : {0x24, 0x25, 0x8d}) {
            Bytes b = prefixes;
            if (map) b.push_back(0x0f);
            b.push_back(static_cast<uint8_t>(op));
            b.push_back(static_cast<uint8_t>(modrm));
            if (sib) b.push_back(s);
            b.insert(b.end(), filler.begin(), filler.end());
            c.check(b);
            if (!sib) break;
          }
        }
}

std::string report(const Checker &c) {
  std::string s;
  for (const auto &f : c.failures) s += f + "\n";
  return s;
}

const std::vector<Bytes> kLegacyPrefixes = {
    {},           {0x66},       {0xf2},       {0xf3},       {0xf0},
    {0x2e},       {0x3e},       {0x26},       {0x36},       {0x64},
    {0x65},       {0x66, 0x66}, {0x66, 0x2e}, {0xf3, 0x66}, {0x66, 0xf3},
    {0xf2, 0xf3}, {0xf0, 0x66}, {0x65, 0x66}, {0x66, 0x66, 0x2e},
    {0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e},
};

}  // namespace

TEST_CASE("quick length agrees with libopcodes on every opcode, 64-bit") {
  std::vector<Bytes> sets = kLegacyPrefixes;
  for (Bytes rex : std::vector<Bytes>{{0x40}, {0x41}, {0x48}, {0x4c}, {0x4f}, {0x66, 0x48},
                                      {0x66, 0x41}, {0xf3, 0x48}, {0xf2, 0x48}, {0xf0, 0x48},
                                      {0x65, 0x48}, {0x48, 0x66}, {0x48, 0x48}})
    sets.push_back(rex);
  Checker c(64);
  enumerate(c, sets);
  INFO(report(c));
  CHECK(c.failures.empty());
  CHECK(c.accepted > 1000000);  // the decoder is not trivially refusing
}

TEST_CASE("quick length agrees with libopcodes on every opcode, 32-bit") {
  Checker c(32);
  enumerate(c, kLegacyPrefixes);
  INFO(report(c));
  CHECK(c.failures.empty());
  CHECK(c.accepted > 500000);
}

TEST_CASE("quick length agrees with libopcodes on random bytes") {
  const uint8_t prefixes[] = {0x66, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x65, 0x64, 0x48, 0x41, 0x0f};
  std::mt19937 rng(20240601);
  for (int bits : {64, 32}) {
    Checker c(bits);
    for (int n = 0; n < 200000; ++n) {
      Bytes b(16);
      for (auto &x : b) x = static_cast<uint8_t>(rng());
      for (size_t k = 0, np = rng() % 4; k < np; ++k) b[k] = prefixes[rng() % sizeof prefixes];
      c.check(b);
    }
    INFO(report(c));
    CHECK(c.failures.empty());
    CHECK(c.accepted > 10000);
  }
}

TEST_CASE("quick length leaves sensitive and unusual instructions to libopcodes") {
  auto q = [](int bits, Bytes b) { return quick_length(b.data(), b.size(), bits); };
  CHECK(q(64, {0xfa}) == 0);                    // cli
  CHECK(q(64, {0x9c}) == 0);                    // pushf
  CHECK(q(64, {0x0f, 0x22, 0xd8}) == 0);        // mov %rax,%cr3
  CHECK(q(64, {0x8e, 0xd8}) == 0);              // mov %eax,%ds
  CHECK(q(64, {0xff, 0x2c, 0x24}) == 0);        // ljmp *(%rsp)
  CHECK(q(64, {0x48, 0x66, 0x90}) == 0);        // REX before a prefix
  CHECK(q(64, {0x67, 0x8b, 0x00}) == 0);        // address-size prefix
  CHECK(q(64, {0xc5, 0xf9, 0x6f, 0xc1}) == 0);  // VEX
  CHECK(q(32, {0x06}) == 0);                    // push %es
  // and answers for the common ones
  CHECK(q(64, {0x48, 0x89, 0xe5}) == 3);                                      // mov %rsp,%rbp
  CHECK(q(64, {0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}) == 9);          // mov %gs:0x28,%rax
  CHECK(q(64, {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}) == 10);                   // movabs
  CHECK(q(64, {0xe8, 0, 0, 0, 0}) == 5);                                      // call
  CHECK(q(64, {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}) == 10);          // cs nopw
  CHECK(q(64, {0xe8, 0, 0, 0}) == 0);                                         // cut short
}
