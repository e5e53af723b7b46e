// SPDX-License-Identifier: GPL-3.0-or-later
// A host-side machine for the VMM's unit tests: flat guest memory (linear =
// physical, with pages that can be made absent or supervisor-only), a
// backend that records what the VMM asks of the hypervisor and a clock the
// test moves, and a guest with a GDT, a TSS and an IDT laid out as a 64-bit
// kernel lays them out.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "vmm/devices.h"
#include "vmm/paging.h"
#include "vmm/vmm.h"

namespace vmmtest {

// Guest layout (linear = physical).
constexpr uint64_t kMemSize = 4 << 20;
constexpr uint64_t kGdt = 0x1000;
constexpr uint64_t kIdt = 0x2000;
constexpr uint64_t kTss = 0x3000;
constexpr uint64_t kKernelStack = 0x10000;   // grows down from here
constexpr uint64_t kRsp0 = 0x20000;          // TSS.rsp0
constexpr uint64_t kIst1 = 0x30000;          // TSS.ist[1]
constexpr uint64_t kUserStack = 0x40000;
constexpr uint64_t kHandler = 0xffffffff81000000ULL;  // handler of vector n: kHandler + n * 16
constexpr uint64_t kSite = 0xffffffff81200000ULL;

// Selectors, as the test guest uses them.
constexpr uint16_t kKernelCs = 0x08, kKernelDs = 0x10, kUserDs = 0x1b, kUserCs = 0x23,
                   kTssSel = 0x28, kLdtSel = 0x38, kCode32 = 0x48;

uint64_t code64_descriptor(unsigned dpl);
uint64_t data_descriptor(unsigned dpl);

class Machine {
 public:
  Machine();

  // Guest memory.
  uint64_t read64(uint64_t a) const;
  void write64(uint64_t a, uint64_t v);
  void make_absent(uint64_t page) { absent_.insert(page & ~0xfffULL); }
  void make_supervisor(uint64_t page) { supervisor_.insert(page & ~0xfffULL); }

  // IDT gate for vector: type 0xe (interrupt) or 0xf (trap).
  void set_gate(unsigned vector, unsigned type = 0xe, unsigned ist = 0, unsigned dpl = 0,
                bool present = true, uint16_t sel = kKernelCs);
  void clear_gate(unsigned vector);

  // A descriptor for a site of class cls with no operands (op kinds NONE).
  vmm_site_desc site(unsigned cls, unsigned insn_length = 1, unsigned padded = 5) const;

  // Runs a site with the given registers; returns the dispatcher's status.
  vmm_status run(const vmm_site_desc &d);

  // The exception frame the VMM pushed last (lowest address first).
  std::vector<uint64_t> frame(unsigned words) const;
  void enter_user();

  vmm_pcpu pcpu{};
  vmm_vcpu vcpu{};
  vmm_devices devices{};
  vmm_backend backend{};
  vmm_mem mem{};
  vmm_regs regs{};

  // Backend side.
  std::string console;
  int shutdown_status = -1;
  uint64_t now_ns = 0;
  uint64_t wall = 0;
  uint64_t tsc = 1000000;
  uint64_t timer_deadline = UINT64_MAX;
  int blocks = 0;
  std::vector<std::pair<int, uint64_t>> bases;
  std::vector<std::pair<uint64_t, uint64_t>> flushes;

  std::vector<uint8_t> ram;

 private:
  static int mem_read(void *ctx, uint64_t lin, void *buf, unsigned len, int user,
                      vmm_fault *f);
  static int mem_write(void *ctx, uint64_t lin, const void *buf, unsigned len, int user,
                       vmm_fault *f);
  bool check(uint64_t lin, unsigned len, bool user, bool write, vmm_fault *f) const;
  std::set<uint64_t> absent_, supervisor_;
};

// Guest-physical memory for page walks: a sparse map of 8-byte words.
class PhysMem {
 public:
  PhysMem();
  void set(uint64_t gpa, uint64_t v) { words_[gpa] = v; }
  uint64_t get(uint64_t gpa) const;
  vmm_phys phys{};
  uint64_t limit = 1ULL << 32;  // beyond this: not RAM

 private:
  std::map<uint64_t, uint64_t> words_;
};

}  // namespace vmmtest
