// SPDX-License-Identifier: GPL-3.0-or-later
// The VMM linker, on the test target's real VMM object (embedded in the
// library): layout, symbol addresses, PC-relative relocations, and errors.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "elf_file.hh"
#include "vmm_linker.hh"

extern "C" const unsigned char pv_test_vmm_object[];
extern "C" const unsigned long pv_test_vmm_object_size;

using namespace elfrewrite;

namespace {

ElfFile test_vmm() {
  auto obj = ElfFile::parse_object(
      std::vector<uint8_t>(pv_test_vmm_object, pv_test_vmm_object + pv_test_vmm_object_size));
  REQUIRE(obj.ok());
  return *obj;
}

// Every rel32 field the object's relocations patch, read back after linking,
// must point at the data symbol.
void check_links(uint64_t base, uint64_t data) {
  ElfFile obj = test_vmm();
  auto linked = link_vmm_object(obj, base, {{"pv_test_data", data}});
  REQUIRE(linked.ok());
  CHECK(linked->bytes.size() == linked_vmm_size(obj));
  CHECK(linked->symbols.at("pv_test_entry") == base);
  size_t text = obj.find_section(".text")->index;
  const auto &relocs = obj.relocations(text);
  REQUIRE(relocs.size() == 2);  // two `lea pv_test_data(%rip)`
  for (const Relocation &r : relocs) {
    int32_t disp;
    std::memcpy(&disp, linked->bytes.data() + r.offset, 4);
    // PC32 with addend -4: the field is relative to the end of the field.
    CHECK(base + r.offset + 4 + static_cast<int64_t>(disp) == data);
  }
}

}  // namespace

TEST_CASE("the test VMM object links at any address") {
  check_links(0x404000, 0x404100);
  check_links(0xffffffff82000000ull, 0xffffffff82000100ull);
}

TEST_CASE("an undefined VMM symbol is an error, not a guess") {
  ElfFile obj = test_vmm();
  auto linked = link_vmm_object(obj, 0x1000, {});
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().message == "VMM object: .text+0x7: undefined symbol 'pv_test_data'");
}

TEST_CASE("a PC-relative reference out of 32-bit reach is an error") {
  ElfFile obj = test_vmm();
  auto linked = link_vmm_object(obj, 0x1000, {{"pv_test_data", 0x7fff00000000ull}});
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().message == "VMM object: .text+0x7: PC32 overflow");
}

TEST_CASE("parse_object takes relocatable objects only, parse takes images only") {
  std::vector<uint8_t> bytes(pv_test_vmm_object, pv_test_vmm_object + pv_test_vmm_object_size);
  CHECK(ElfFile::parse(bytes).error().message ==
        "relocatable object: elfrewrite reads linked images (executables)");
  CHECK(ElfFile::parse_object(bytes).ok());
}
