// SPDX-License-Identifier: GPL-3.0-or-later
// An event that interrupts vmm_entry's exit tail: the interrupted context is
// turned into the guest's state at every label of the tail.  The labels are
// entry.S's own (linked into this test); the stack is guest memory laid out
// as the tail leaves it.
#include <catch2/catch.hpp>

#include "vmm/exit_fixup.h"
#include "machine.hh"

using namespace vmmtest;

extern "C" {
void vmm_resume(void);
void vmm_exit_lea(void);
void vmm_exit_popf(void);
void vmm_exit_mov(void);
void vmm_exit_ret(void);
}

namespace {

constexpr uint64_t kFrame = 0x30000;
constexpr uint64_t kGuestRsp = kFrame + 144 + 128 + 16 - 24;  // a push emulated: 24 lower than the entry
constexpr uint64_t kGuestRip = 0xffffffff81005000ULL;

vmm_exit_labels labels() {
  return {uint64_t(&vmm_resume), uint64_t(&vmm_exit_lea), uint64_t(&vmm_exit_popf),
          uint64_t(&vmm_exit_mov), uint64_t(&vmm_exit_ret)};
}

// The frame and the slots the tail has written by the time it reaches lea.
void lay_out(Machine &m) {
  for (unsigned i = 0; i < 16; ++i) m.write64(kFrame + 8 * i, 0x1000 + i);
  m.write64(kFrame + 8 * VMM_RSP, kGuestRsp);
  m.write64(kFrame + 128, kGuestRip);
  m.write64(kFrame + 136, 0x246);
  m.write64(kFrame + 144, kGuestRsp - 8);  // the target slot
  m.write64(kGuestRsp - 8, kGuestRip);
}

// The registers as they are at the event: loaded from the frame (any value
// for the ones not yet loaded), rip and %rsp as given.
vmm_regs interrupted(uint64_t rip, uint64_t rsp) {
  vmm_regs r{};
  for (unsigned i = 0; i < 16; ++i) r.gpr[i] = 0x1000 + i;
  r.gpr[VMM_RSP] = rsp;
  r.rip = rip;
  r.rflags = 0x202;
  return r;
}

void require_guest_state(const vmm_regs &r) {
  CHECK(r.rip == kGuestRip);
  CHECK(r.gpr[VMM_RSP] == kGuestRsp);
  CHECK(r.gpr[VMM_R15] == 0x100f);
  CHECK(r.gpr[VMM_RAX] == 0x1000);
}

}  // namespace

TEST_CASE("exit tail: the guest's state at every label", "[exit-fixup]") {
  Machine m;
  lay_out(m);
  auto l = labels();
  REQUIRE(l.resume < l.lea);
  REQUIRE(l.lea < l.popf);
  REQUIRE(l.popf < l.mov);
  REQUIRE(l.mov < l.ret);

  SECTION("while the registers are reloaded") {
    vmm_regs r = interrupted(l.resume + 8, kFrame);
    r.gpr[VMM_R15] = 0xdead;  // not reloaded yet
    REQUIRE(vmm_exit_fixup(&r, &l, &m.mem) == 1);
    require_guest_state(r);
    CHECK(r.rflags == 0x246);
  }
  SECTION("before popfq") {
    vmm_regs r = interrupted(l.popf, kFrame + 136);
    m.write64(kFrame, 0xdead);  // below %rsp: may be gone, must not be used
    REQUIRE(vmm_exit_fixup(&r, &l, &m.mem) == 1);
    require_guest_state(r);
    CHECK(r.rflags == 0x246);
  }
  SECTION("before the %rsp load") {
    vmm_regs r = interrupted(l.mov, kFrame + 144);
    r.rflags = 0x246;
    for (uint64_t a = kFrame; a < kFrame + 144; a += 8) m.write64(a, 0xdead);
    REQUIRE(vmm_exit_fixup(&r, &l, &m.mem) == 1);
    require_guest_state(r);
  }
  SECTION("before ret") {
    vmm_regs r = interrupted(l.ret, kGuestRsp - 8);
    for (uint64_t a = kFrame; a < kFrame + 152; a += 8) m.write64(a, 0xdead);
    REQUIRE(vmm_exit_fixup(&r, &l, &m.mem) == 1);
    require_guest_state(r);
  }
  SECTION("outside the tail nothing changes") {
    vmm_regs r = interrupted(l.ret + 1, kFrame);
    vmm_regs before = r;
    CHECK(vmm_exit_fixup(&r, &l, &m.mem) == 0);
    CHECK(std::memcmp(&r, &before, sizeof r) == 0);
  }
}
