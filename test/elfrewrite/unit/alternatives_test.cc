// SPDX-License-Identifier: GPL-3.0-or-later
// The .altinstructions reader and where replacement sites run
// (alternatives.hh), and one site's bytes for several run places
// (bytes_for_places, passes.hh), with the test target.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "alternatives.hh"
#include "backend.hh"
#include "passes.hh"
#include "previrt/sites.h"

using namespace elfrewrite;

namespace {

// Layout of the tests' image: code at 0x1000-0x2000, replacements at
// 0x3000-0x3100, the table at 0x4000.
constexpr uint64_t kTable = 0x4000;
const std::vector<CodeRange> kCode = {{0x1000, 0x2000, ".text"}};
const CodeRange kRepl = {0x3000, 0x3100, ".altinstr_replacement"};

void put_s32(std::vector<uint8_t> &v, int64_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(uint8_t(uint64_t(x) >> (8 * i)));
}

// Appends struct alt_instr for record `index` of a table at kTable.
void add_record(std::vector<uint8_t> &t, uint64_t instr, uint64_t repl, unsigned instrlen,
                unsigned repllen, unsigned cpuid = 0x120) {
  const uint64_t at = kTable + t.size();
  put_s32(t, int64_t(instr - at));
  put_s32(t, int64_t(repl - (at + 4)));
  t.push_back(uint8_t(cpuid));
  t.push_back(uint8_t(cpuid >> 8));
  t.push_back(uint8_t(instrlen));
  t.push_back(uint8_t(repllen));
}

Result<std::vector<AltRecord>> decode(const std::vector<uint8_t> &t) {
  return decode_alt_records(t.data(), t.size(), kTable, kCode, &kRepl);
}

// The message of a table that must not decode.
std::string refusal(const std::vector<uint8_t> &t) {
  auto r = decode(t);
  REQUIRE(!r);
  return r.error().message;
}

Site site_at(uint64_t address, unsigned padded, unsigned cls, unsigned flags) {
  Site s;
  s.address = address;
  s.padded_length = padded;
  s.insn_length = 3;
  s.insn_class = cls;
  s.flags = flags;
  return s;
}

Result<SitePlaces> place(const std::vector<Site> &sites, const std::vector<AltRecord> &records,
                         const std::vector<uint8_t> &repl_bytes = {}) {
  auto byte_at = [&](uint64_t a) -> int {
    return a >= kRepl.start && a - kRepl.start < repl_bytes.size() ? repl_bytes[a - kRepl.start]
                                                                  : -1;
  };
  auto describe = [](uint64_t a) { return "at " + std::to_string(a); };
  return place_sites(sites, records, &kRepl, byte_at, describe, "test");
}

}  // namespace

TEST_CASE("a valid .altinstructions table decodes to its records") {
  std::vector<uint8_t> t;
  add_record(t, 0x1010, 0x3000, 5, 5, 0x8123);
  add_record(t, 0x1020, 0x3005, 8, 0);  // an empty replacement
  auto r = decode(t);
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].instr == 0x1010);
  CHECK((*r)[0].replacement == 0x3000);
  CHECK((*r)[0].cpuid == 0x8123);
  CHECK((*r)[0].instrlen == 5);
  CHECK((*r)[0].replacementlen == 5);
  CHECK((*r)[1].index == 1);
  CHECK((*r)[1].record_address == kTable + 12);
  CHECK((*r)[1].replacementlen == 0);
  CHECK(decode({})->empty());
}

TEST_CASE("a truncated .altinstructions table is one error") {
  std::vector<uint8_t> t;
  add_record(t, 0x1010, 0x3000, 5, 5);
  add_record(t, 0x1020, 0x3005, 5, 5);
  t.pop_back();
  CHECK(refusal(t) ==
        ".altinstructions size 0x17 is not a multiple of the record size 12 (Linux 6.1 struct "
        "alt_instr)");
}

TEST_CASE("records pointing outside their sections are refused, naming the record") {
  std::vector<uint8_t> t;
  add_record(t, 0x1010, 0x3000, 5, 5);
  add_record(t, 0x1ffe, 0x3000, 5, 5);  // original runs past the code
  CHECK(refusal(t) == ".altinstructions record 1 (at 0x400c): its original code 0x1ffe "
                             "(5 bytes) lies outside the image's code");

  t.clear();
  add_record(t, 0x1010, 0x30fe, 5, 5);  // replacement runs past its section
  CHECK(refusal(t) == ".altinstructions record 0 (at 0x4000): its replacement 0x30fe "
                             "(5 bytes) lies outside .altinstr_replacement");

  t.clear();
  add_record(t, 0x1010, 0x3000, 3, 5);  // longer than what it replaces
  CHECK(refusal(t) == ".altinstructions record 0 (at 0x4000): replacement of 5 bytes is "
                             "longer than the original code (3 bytes) it is copied over");

  t.clear();
  add_record(t, 0x1010, 0x3000, 5, 5);
  auto r = decode_alt_records(t.data(), t.size(), kTable, kCode, nullptr);
  REQUIRE(!r);
  CHECK(r.error().message == ".altinstructions record 0 (at 0x4000): the image has no "
                             ".altinstr_replacement for its replacement at 0x3000");
}

TEST_CASE("a replacement site runs where each record copies it") {
  std::vector<uint8_t> t;
  add_record(t, 0x1010, 0x3000, 5, 5);   // whole 5-byte replacement: Linux fixes a call
  add_record(t, 0x1020, 0x3005, 10, 8);  // lfence; site at +3
  auto r = decode(t);
  REQUIRE(r);
  std::vector<Site> sites = {site_at(0x3000, 5, PV_CLASS_STAC, PV_SITE_REPLACEMENT),
                             site_at(0x3008, 5, PV_CLASS_RDTSC, PV_SITE_REPLACEMENT),
                             site_at(0x1030, 5, PV_CLASS_RDTSC, 0)};
  auto p = place(sites, *r);
  REQUIRE(p);
  REQUIRE((*p)[0].size() == 1);
  CHECK((*p)[0][0].address == 0x1010);
  CHECK((*p)[0][0].fixup_at_start);
  REQUIRE((*p)[1].size() == 1);
  CHECK((*p)[1][0].address == 0x1023);
  CHECK(!(*p)[1][0].fixup_at_start);
  REQUIRE((*p)[2].size() == 1);
  CHECK((*p)[2][0].address == 0x1030);  // ordinary code runs where it is linked
  CHECK((*p)[2][0].record == SIZE_MAX);
  // Encoded for the place, except what Linux fixes while copying.
  CHECK(encode_address(sites[0], (*p)[0][0], 0xe8) == 0x3000);
  CHECK(encode_address(sites[0], (*p)[0][0], 0xe9) == 0x3000);
  CHECK(encode_address(sites[0], (*p)[0][0], 0x0f) == 0x1010);
  CHECK(encode_address(sites[1], (*p)[1][0], 0xe8) == 0x1023);
}

TEST_CASE("replacement sites that run nowhere known or would be overwritten are refused") {
  std::vector<uint8_t> t;
  add_record(t, 0x1010, 0x3000, 8, 8);
  auto r = decode(t);
  REQUIRE(r);
  auto p = place({site_at(0x3010, 5, PV_CLASS_STAC, PV_SITE_REPLACEMENT)}, *r);
  REQUIRE(!p);
  CHECK(p.error().where == "at 12304");
  CHECK(p.error().message ==
        "record 0: test target: the site is in runtime replacement code, but no "
        ".altinstructions record copies it, so where it runs is unknown");
  p = place({site_at(0x3006, 5, PV_CLASS_STAC, PV_SITE_REPLACEMENT)}, *r);
  REQUIRE(!p);
  CHECK(p.error().message == "record 0: test target: the site straddles the bounds of the "
                             "replacement 0x3000-0x3008 of .altinstructions record 0 (at 0x4000)");
  // A 5-byte replacement starting with a call: Linux rewrites bytes 1-4.
  t.clear();
  add_record(t, 0x1010, 0x3000, 5, 5);
  r = decode(t);
  REQUIRE(r);
  p = place({site_at(0x3001, 3, PV_CLASS_CLAC, PV_SITE_REPLACEMENT)}, *r, {0xe8, 0, 0, 0, 0});
  REQUIRE(!p);
  CHECK(p.error().message.find("Linux rewrites the 5-byte replacement") != std::string::npos);
}

TEST_CASE("a site copied to two places must be the same bytes at both") {
  // One replacement, two records copying it to different places.
  std::vector<uint8_t> t;
  add_record(t, 0x1010, 0x3000, 8, 8);
  add_record(t, 0x1040, 0x3000, 8, 8);
  add_record(t, 0x1080, 0x3008, 8, 8);
  add_record(t, 0x1080, 0x3008, 8, 8);  // the same place twice counts once
  auto r = decode(t);
  REQUIRE(r);
  const Site twice = site_at(0x3000, 8, PV_CLASS_CLI, PV_SITE_REPLACEMENT);
  const Site once = site_at(0x3008, 8, PV_CLASS_CLI, PV_SITE_REPLACEMENT);
  auto p = place({twice, once}, *r);
  REQUIRE(p);
  REQUIRE((*p)[0].size() == 2);
  CHECK((*p)[0][0].address == 0x1010);
  CHECK((*p)[0][1].address == 0x1040);
  REQUIRE((*p)[1].size() == 1);

  // The test target's call is relative: different bytes at each place.
  VmmImage vmm;
  vmm.vaddr = 0x200000;
  vmm.symbols["pv_test_entry"] = 0x200000;
  const uint8_t original[8] = {0xfa, 0x0f, 0x1f, 0x80, 0, 0, 0, 0};
  auto b = bytes_for_places(test_backend(), twice, (*p)[0], original, vmm);
  REQUIRE(!b);
  CHECK(b.error().message ==
        "runtime replacement code that the kernel copies to 2 places (0x1010, 0x1040) needs "
        "different bytes at each, which one site cannot hold");
  b = bytes_for_places(test_backend(), once, (*p)[1], original, vmm);
  REQUIRE(b);
  REQUIRE(b->size() == 8);
  CHECK((*b)[0] == 0xe8);  // call pv_test_entry from 0x1080 (no fix-up: 8 bytes)
  int32_t rel;
  std::memcpy(&rel, b->data() + 1, 4);
  CHECK(0x1080 + 5 + int64_t(rel) == 0x200000);
  // The trap-style bytes of xen-trap do not depend on the place.
  b = bytes_for_places(xen_trap_backend(), twice, (*p)[0], original, vmm);
  REQUIRE(b);
  CHECK((*b)[0] == 0x0f);
  CHECK((*b)[1] == 0x0b);
}
