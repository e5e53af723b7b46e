// SPDX-License-Identifier: GPL-3.0-or-later
// The libopcodes facade and the NOP forms the verifier accepts as padding.
#include <catch2/catch.hpp>

#include <vector>

#include "backend.hh"
#include "sensitive_table.hh"
#include "x86_decoder.hh"

using namespace previrt;
using namespace elfrewrite;

namespace {

std::string class_of(int bits, std::vector<uint8_t> b) {
  X86Decoder d(bits);
  DecodedInsn i = d.decode(b.data(), b.size(), 0x1000);
  const auto *c = d.classify(i);
  return c ? std::string(c->name) : "-";
}

}  // namespace

TEST_CASE("decoder gives length and text of one instruction") {
  X86Decoder d(64);
  std::vector<uint8_t> mov_cr3 = {0x0f, 0x22, 0xd8, 0x90};
  DecodedInsn i = d.decode(mov_cr3.data(), mov_cr3.size(), 0x401000);
  CHECK(i.length == 3);
  CHECK_FALSE(i.bad);
  CHECK(i.text == "mov %rax,%cr3");
}

TEST_CASE("decoder classifies sensitive instructions through the shared table") {
  CHECK(class_of(64, {0xfa}) == "cli");
  CHECK(class_of(64, {0xfb}) == "sti");
  CHECK(class_of(64, {0x9c}) == "pushf");
  CHECK(class_of(64, {0x0f, 0x30}) == "wrmsr");
  CHECK(class_of(64, {0x0f, 0x01, 0xf8}) == "swapgs");
  CHECK(class_of(64, {0x0f, 0x20, 0xe0}) == "mov_from_cr");
  CHECK(class_of(64, {0x8e, 0xd8}) == "mov_to_seg");
  CHECK(class_of(64, {0xf3, 0x6c}) == "ins");    // rep insb
  CHECK(class_of(32, {0x0f, 0x22, 0xc0}) == "mov_to_cr");
  CHECK(class_of(64, {0x48, 0x89, 0xc3}) == "-");  // mov %rax,%rbx
  CHECK(class_of(64, {0x90}) == "-");
}

TEST_CASE("undecodable bytes are reported as bad, never crash") {
  X86Decoder d(64);
  std::vector<uint8_t> junk = {0x0f, 0xff};
  DecodedInsn i = d.decode(junk.data(), junk.size(), 0);
  CHECK(i.bad);
  CHECK(i.length >= 1);
  std::vector<uint8_t> cut = {0x0f};  // truncated two-byte opcode
  DecodedInsn j = d.decode(cut.data(), cut.size(), 0);
  CHECK(j.bad);
  CHECK(d.decode(nullptr, 0, 0).bad);
}

TEST_CASE("nop_fill produces only recognised padding of the exact length") {
  X86Decoder d(64);
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<uint8_t> f = nop_fill(n);
    REQUIRE(f.size() == n);
    for (size_t off = 0; off < n;) {
      DecodedInsn i = d.decode(f.data() + off, n - off, off);
      REQUIRE_FALSE(i.bad);
      CHECK(is_padding_nop(f.data() + off, i.length, 64));
      off += i.length;
    }
  }
}

TEST_CASE("padding recognises GAS's 32-bit lea and mov forms only in 32-bit code") {
  std::vector<uint8_t> lea = {0x8d, 0xb4, 0x26, 0, 0, 0, 0};  // lea 0x0(%esi,%eiz,1),%esi
  std::vector<uint8_t> lea3 = {0x8d, 0x76, 0x00};             // lea 0x0(%esi),%esi
  std::vector<uint8_t> mov = {0x89, 0xf6};                    // mov %esi,%esi
  CHECK(is_padding_nop(lea.data(), lea.size(), 32));
  CHECK(is_padding_nop(lea3.data(), lea3.size(), 32));
  CHECK(is_padding_nop(mov.data(), mov.size(), 32));
  CHECK_FALSE(is_padding_nop(lea.data(), lea.size(), 64));
  std::vector<uint8_t> lea_other = {0x8d, 0x76, 0x01};  // lea 0x1(%esi),%esi changes esi
  CHECK_FALSE(is_padding_nop(lea_other.data(), lea_other.size(), 32));
  std::vector<uint8_t> lea_cross = {0x8d, 0x77, 0x00};  // lea 0x0(%edi),%esi
  CHECK_FALSE(is_padding_nop(lea_cross.data(), lea_cross.size(), 32));
  std::vector<uint8_t> hint = {0x0f, 0x1f, 0xcc};  // 0f 1f /1: not a NOP form
  CHECK_FALSE(is_padding_nop(hint.data(), hint.size(), 64));
  std::vector<uint8_t> int3 = {0xcc};
  CHECK_FALSE(is_padding_nop(int3.data(), int3.size(), 64));
}
