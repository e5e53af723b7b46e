// SPDX-License-Identifier: GPL-3.0-or-later
// Linux's 64-bit boot protocol: the zero page is checked byte by byte at
// the offsets of Linux's struct boot_params (arch/x86/include/uapi/asm/
// bootparam.h, written out here as numbers so that a wrong constant in the
// VMM cannot hide), the page tables with the VMM's own walk, the GDT
// descriptors bit by bit, and the entry state against Documentation/x86/
// boot.rst.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "vmm/linux_boot.h"
#include "machine.hh"

using namespace vmmtest;

namespace {

uint64_t get(const PhysMem &m, uint64_t a, unsigned len) {
  uint64_t v = 0;
  for (unsigned i = 0; i < len; ++i)
    v |= ((m.get((a + i) & ~7ULL) >> (8 * ((a + i) & 7))) & 0xff) << (8 * i);
  return v;
}

std::string get_string(const PhysMem &m, uint64_t a) {
  std::string s;
  for (;; ++a) {
    char c = char(get(m, a, 1));
    if (!c) return s;
    s += c;
  }
}

struct LinuxBoot {
  PhysMem mem;
  vmm_boot_range reserved[2] = {{0x1c00000, 0x200000, VMM_E820_RESERVED},
                                {0x3800000, 0x800000, VMM_E820_RESERVED}};
  vmm_boot_request r{};
  vmm_boot_state s{};

  LinuxBoot() {
    mem.limit = 64 << 20;
    r.ram_bytes = 64 << 20;
    r.area = 0x37fb000;
    r.reserved = reserved;
    r.reserved_count = 2;
    r.cmdline = "earlyprintk=serial,ttyS0,115200 console=ttyS0";
    r.entry = 0x1000000;
  }
};

}  // namespace

TEST_CASE("Linux zero page: setup header, command line, e820 table", "[boot][linux]") {
  LinuxBoot b;
  REQUIRE(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) == 0);
  const PhysMem &m = b.mem;
  const uint64_t zp = b.s.boot_info;

  CHECK(zp == 0x37fb000 + 0x3000);
  CHECK(zp % 4096 == 0);
  CHECK(get(m, zp + 0x1fe, 2) == 0xaa55);      // hdr.boot_flag
  CHECK(get(m, zp + 0x202, 4) == 0x53726448);  // hdr.header "HdrS"
  CHECK(get(m, zp + 0x206, 2) >= 0x020c);      // hdr.version: 64-bit entry, ext pointers
  CHECK(get(m, zp + 0x210, 1) == 0xff);        // type_of_loader: undefined
  CHECK((get(m, zp + 0x211, 1) & 1) == 1);     // loadflags: LOADED_HIGH
  CHECK(get(m, zp + 0x1ef, 1) == 0);           // sentinel: a clean zero page
  CHECK(get(m, zp + 0x23c, 4) == 0);           // hdr.hardware_subarch: PC
  CHECK(get(m, zp + 0x218, 8) == 0);           // no initrd
  CHECK(get(m, zp + 0x070, 8) == 0);           // no RSDP pointer

  uint64_t cmd = get(m, zp + 0x228, 4) | get(m, zp + 0x0c8, 4) << 32;
  CHECK(get_string(m, cmd) == "earlyprintk=serial,ttyS0,115200 console=ttyS0");
  CHECK(get(m, zp + 0x238, 4) >= std::string(b.r.cmdline).size());  // hdr.cmdline_size
  // Linux copies COMMAND_LINE_SIZE (2048) bytes from the pointer: they must
  // lie inside the area, which the map reserves.
  CHECK(cmd + 2048 <= b.r.area + VMM_LINUX_BOOT_AREA_SIZE);

  struct E { uint64_t a, n; uint32_t t; };
  const uint64_t area = 0x37fb000, area_end = area + 5 * 4096;
  std::vector<E> want = {{0, 0x1c00000, 1},
                         {0x1c00000, 0x200000, 2},
                         {0x1e00000, area - 0x1e00000, 1},
                         {area, area_end - area, 2},  // up to the next reservation
                         {0x3800000, 0x800000, 2}};
  REQUIRE(area_end == 0x3800000);
  REQUIRE(get(m, zp + 0x1e8, 1) == want.size());  // e820_entries
  REQUIRE(b.s.memmap_entries == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    uint64_t e = zp + 0x2d0 + 20 * i;  // struct boot_e820_entry, packed
    INFO("e820 entry " << i);
    CHECK(get(m, e, 8) == want[i].a);
    CHECK(get(m, e + 8, 8) == want[i].n);
    CHECK(get(m, e + 16, 4) == want[i].t);
  }
  CHECK(get(m, zp + 0x2d0 + 20 * want.size(), 20) == 0);
}

TEST_CASE("Linux zero page: the initrd, in both halves of its fields", "[boot][linux]") {
  LinuxBoot b;
  b.r.initrd = 0x1c70000;
  b.r.initrd_size = 0xfc000;
  REQUIRE(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) == 0);
  const uint64_t zp = b.s.boot_info;
  CHECK(get(b.mem, zp + 0x218, 4) == 0x1c70000);  // hdr.ramdisk_image
  CHECK(get(b.mem, zp + 0x21c, 4) == 0xfc000);    // hdr.ramdisk_size
  CHECK(get(b.mem, zp + 0x0c0, 4) == 0);          // ext_ramdisk_image
  CHECK(get(b.mem, zp + 0x0c4, 4) == 0);          // ext_ramdisk_size

  b.r.initrd = 0x123456000ULL;  // above 4 GiB: the ext_ halves
  b.r.initrd_size = 0x100001000ULL;
  b.r.ram_bytes = 64ULL << 30;
  b.mem.limit = 64ULL << 30;
  REQUIRE(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) == 0);
  CHECK(get(b.mem, zp + 0x218, 4) == 0x23456000);
  CHECK(get(b.mem, zp + 0x0c0, 4) == 1);
  CHECK(get(b.mem, zp + 0x21c, 4) == 0x1000);
  CHECK(get(b.mem, zp + 0x0c4, 4) == 1);
}

TEST_CASE("Linux boot: page tables map the kernel, zero page and command line 1:1",
          "[boot][linux]") {
  LinuxBoot b;
  REQUIRE(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) == 0);
  vmm_paging p{};
  p.cr3 = b.s.cr3;
  p.wp = 1;
  p.nxe = 1;
  p.maxphyaddr = 46;
  uint64_t cmd = get(b.mem, b.s.boot_info + 0x228, 4);
  for (uint64_t va : std::vector<uint64_t>{0x1000000, 0x1c6bfff, b.s.boot_info, cmd, b.s.gdt,
                                           0x3ffffff8}) {
    vmm_walk_result w{};
    INFO("va " << std::hex << va);
    REQUIRE(vmm_walk(&b.mem.phys, &p, va, VMM_ACCESS_WRITE | VMM_ACCESS_FETCH, &w) == 0);
    CHECK(w.gpa == va);
    CHECK(w.user == 0);
  }
}

TEST_CASE("Linux boot: GDT with flat __BOOT_CS and __BOOT_DS", "[boot][linux]") {
  LinuxBoot b;
  REQUIRE(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) == 0);
  REQUIRE(b.s.gdt == b.r.area + 0x4000);
  uint64_t cs = b.mem.get(b.s.gdt + 0x10), ds = b.mem.get(b.s.gdt + 0x18);
  CHECK(b.mem.get(b.s.gdt) == 0);
  auto base = [](uint64_t d) { return ((d >> 16) & 0xffffff) | ((d >> 56) << 24); };
  auto limit = [](uint64_t d) { return (d & 0xffff) | ((d >> 32) & 0xf0000); };
  CHECK(base(cs) == 0);
  CHECK(base(ds) == 0);
  CHECK(limit(cs) == 0xfffff);
  CHECK(limit(ds) == 0xfffff);
  CHECK((cs >> 40 & 0x9e) == 0x9a);   // present, DPL 0, code, readable
  CHECK((cs >> 53 & 1) == 1);         // L: 64-bit
  CHECK((cs >> 54 & 1) == 0);         // D clear with L
  CHECK((ds >> 40 & 0x9a) == 0x92);   // present, DPL 0, data, writable
  CHECK((ds >> 55 & 1) == 1);         // 4 KiB granularity: 4 GiB
}

TEST_CASE("Linux boot: entry state", "[boot][linux]") {
  LinuxBoot b;
  REQUIRE(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) == 0);
  Machine m;
  vmm_set_vif(&m.vcpu, 1);
  m.enter_user();
  vmm_linux_boot_enter(&m.vcpu, &m.regs, &b.r, &b.s);
  CHECK(m.vcpu.cpl == 0);
  CHECK_FALSE(vmm_vif(&m.vcpu));
  CHECK(m.vcpu.cr3 == b.r.area);
  CHECK(m.regs.rip == 0x1000000);
  CHECK(m.regs.gpr[VMM_RSI] == b.s.boot_info);
  CHECK(m.vcpu.gdtr.base == b.s.gdt);
  CHECK(m.vcpu.gdtr.limit == 31);
  CHECK(m.vcpu.seg[VMM_SEG_CS].sel == 0x10);
  CHECK(m.vcpu.seg[VMM_SEG_DS].sel == 0x18);
  CHECK(m.vcpu.seg[VMM_SEG_ES].sel == 0x18);
  CHECK(m.vcpu.seg[VMM_SEG_SS].sel == 0x18);
  CHECK((m.vcpu.seg[VMM_SEG_CS].attr & 0x2000) != 0);  // long mode code
}

TEST_CASE("Linux boot requests that cannot be honoured are refused", "[boot][linux]") {
  LinuxBoot b;
  b.r.area = 0x37fb100;  // not page-aligned
  CHECK(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) != 0);
  b.r.area = (64 << 20) - 0x4000;  // the area does not fit in RAM
  CHECK(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) != 0);
  b.r.area = 0x37fb000;
  b.r.reserved_count = VMM_BOOT_MAX_RANGES + 1;
  CHECK(vmm_linux_boot_prepare(&b.mem.phys, &b.r, &b.s) != 0);
}
