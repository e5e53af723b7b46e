// SPDX-License-Identifier: GPL-3.0-or-later
// Pure parts of the ELF model, site table, .previrt_orig codec, exclusions
// and listing helpers.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "elf_file.hh"
#include "orig_section.hh"
#include "report.hh"
#include "site_table.hh"
#include "verifier.hh"

using namespace elfrewrite;

TEST_CASE("site records decode PC-relative addresses, wrapped to the ELF class") {
  // Two records at 0x1000: +0x10 and -0x8 relative to each record.
  std::vector<uint8_t> t = {0x10, 0, 0, 0, 8, 1, 1, 0, 0xf8, 0xff, 0xff, 0xff, 5, 2, 25, 2};
  auto s = decode_site_records(t.data(), t.size(), 0x1000, 64);
  REQUIRE(s.size() == 2);
  CHECK(s[0].address == 0x1010);
  CHECK(s[0].padded_length == 8);
  CHECK(s[0].insn_class == 1);
  CHECK(s[1].address == 0x1000);
  CHECK(s[1].record == 1);
  CHECK(s[1].code_bits() == 32);
  auto w = decode_site_records(t.data(), 8, 0xfffffff8, 32);
  CHECK(w[0].address == 0x8);  // wraps in a 32-bit image
  CHECK(decode_site_records(t.data(), 7, 0, 64).empty());
}

TEST_CASE("class and flag names come from the shared table") {
  CHECK(class_name(1) == "cli");
  CHECK(class_name(41) == "swapgs");
  CHECK(class_name(0) == "class 0");
  CHECK(class_name(250) == "class 250");
  CHECK(flag_names(0).empty());
  CHECK(flag_names(5) == std::vector<std::string>{"nostack", "replacement"});
  CHECK(flag_names(0x82) == std::vector<std::string>{"code32", "0x80"});
}

TEST_CASE(".previrt_orig round-trips and restores an image") {
  std::vector<uint8_t> original(200);
  for (size_t i = 0; i < original.size(); ++i) original[i] = uint8_t(i);
  OrigInfo info;
  info.target = "test";
  info.original_size = original.size();
  info.original_checksum = image_checksum(original);
  info.original_ehdr.assign(original.begin(), original.begin() + 64);
  info.records.push_back({100, {100, 101, 102}});
  info.records.push_back({150, {150}});
  std::vector<uint8_t> enc = encode_orig(info);
  CHECK(enc.size() % 8 == 0);
  auto dec = decode_orig(enc.data(), enc.size());
  REQUIRE(dec.ok());
  CHECK(dec->target == "test");
  CHECK(dec->records.size() == 2);
  CHECK(dec->records[0].bytes == std::vector<uint8_t>{100, 101, 102});

  std::vector<uint8_t> rewritten = original;
  rewritten[0] = 0xee;                 // header changed
  rewritten[100] = rewritten[150] = 0; // sites patched
  rewritten.resize(300, 0xaa);         // appendix
  auto back = restore_original(rewritten, *dec);
  REQUIRE(back.ok());
  CHECK(*back == original);
  rewritten[70] ^= 1;  // changed after rewriting, outside every site
  CHECK(restore_original(rewritten, *dec).error().message ==
        "corrupt .previrt_orig: the restored image does not match its checksum (was the file "
        "changed after it was rewritten?)");
}

TEST_CASE(".previrt_orig rejects damage with a message, never reads out of bounds") {
  OrigInfo info;
  info.original_size = 100;
  info.original_ehdr.assign(64, 0);
  info.records.push_back({70, {1, 2, 3, 4}});
  std::vector<uint8_t> enc = encode_orig(info);
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    auto d = decode_orig(enc.data(), cut);
    if (!d.ok()) CHECK(d.error().message.rfind("corrupt .previrt_orig: ", 0) == 0);
  }
  enc[0] = 'X';
  CHECK(decode_orig(enc.data(), enc.size()).error().message == "corrupt .previrt_orig: bad magic");
  std::vector<uint8_t> small(50);
  CHECK_FALSE(restore_original(small, info).ok());
}

TEST_CASE("ElfFile::parse refuses short and foreign inputs with one message") {
  CHECK(ElfFile::parse({}).error().message == "not an ELF file (empty)");
  CHECK(ElfFile::parse({'M', 'Z', 0, 0}).error().message == "not an ELF file (bad magic)");
  std::vector<uint8_t> h = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  CHECK(ElfFile::parse(h).error().message == "truncated ELF header (16 bytes, need 64)");
  h.resize(64, 0);
  h[4] = 9;
  CHECK(ElfFile::parse(h).error().message == "unsupported ELF class 9");
  h[4] = 2;
  h[18] = 40;  // EM_ARM
  CHECK(ElfFile::parse(h).error().message ==
        "unsupported machine 40 (ELFCLASS64 images must be x86-64)");
}

TEST_CASE("exclusions parse NAME[:REASON]") {
  Exclusion a = parse_exclusion(Exclusion::Kind::section, ".text16:16-bit boot code");
  CHECK(a.pattern == ".text16");
  CHECK(a.reason == "16-bit boot code");
  Exclusion b = parse_exclusion(Exclusion::Kind::symbol, "startup_32");
  CHECK(b.pattern == "startup_32");
  CHECK(b.reason == "excluded on the command line");
}

TEST_CASE("JSON strings are escaped") {
  CHECK(json_escape("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(json_escape(std::string("x\n\x01", 3)) == "x\\u000a\\u0001");
}
