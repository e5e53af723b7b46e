// SPDX-License-Identifier: GPL-3.0-or-later
// Device behaviour Linux relies on beyond the test guest's: the UART's
// "transmitter empty" interrupt as the 8250 driver uses it (interrupt-driven
// output to a tty): raised when enabled with the transmitter empty and after
// every byte, each time as a new edge on IRQ 4 of the PIC; cleared by
// reading IIR; gated by MCR.OUT2.  And the keyboard controller's reset
// command, with which Linux reboots.
#include <catch2/catch.hpp>

#include "machine.hh"

using namespace vmmtest;

namespace {

constexpr uint16_t kCom1 = 0x3f8;
constexpr uint8_t kIrq4 = 1 << 4;

struct Uart {
  Machine m;
  vmm_devices &d = m.devices;
  void out(unsigned reg, uint8_t v) { vmm_io_write(&d, &m.backend, uint16_t(kCom1 + reg), 1, v); }
  uint8_t in(unsigned reg) {
    return uint8_t(vmm_io_read(&d, &m.backend, uint16_t(kCom1 + reg), 1));
  }
  bool requested() const { return (d.pic.master.irr & kIrq4) != 0; }
  void clear_request() { d.pic.master.irr &= uint8_t(~kIrq4); }
};

}  // namespace

TEST_CASE("UART THRE interrupt: enabling it with the transmitter empty raises IRQ 4",
          "[uart][irq]") {
  Uart u;
  u.out(4, 0x0b);  // MCR: DTR, RTS, OUT2
  CHECK_FALSE(u.requested());
  CHECK(u.in(2) == 0x01);  // IIR: none
  u.out(1, 0x02);  // IER: ETBEI
  CHECK(u.requested());
  CHECK(u.in(2) == 0x02);  // IIR: transmitter empty
  CHECK(u.in(2) == 0x01);  // cleared by the read
  u.clear_request();
  u.out(1, 0x02);  // ETBEI already on: no new interrupt
  CHECK_FALSE(u.requested());
  CHECK(u.in(2) == 0x01);
  u.out(1, 0x00);  // off and on again: raised again (what the 8250 probe expects)
  u.out(1, 0x02);
  CHECK(u.requested());
  CHECK(u.in(2) == 0x02);
}

TEST_CASE("UART THRE interrupt: every byte written raises a new edge", "[uart][irq]") {
  Uart u;
  u.out(4, 0x08);
  u.out(1, 0x02);
  REQUIRE(u.in(2) == 0x02);
  for (char c : std::string("ok\n")) {
    u.clear_request();
    u.out(0, uint8_t(c));
    CHECK(u.requested());  // line fell at the write and rose: an edge
    CHECK(u.in(2) == 0x02);
  }
  CHECK(u.m.console == "ok\n");
  // a byte written while the interrupt is still shown (IIR not read)
  u.clear_request();
  u.out(0, 'a');
  u.clear_request();
  u.out(0, 'b');
  CHECK(u.requested());
}

TEST_CASE("UART THRE interrupt: without OUT2 or ETBEI the line stays low", "[uart][irq]") {
  Uart u;
  u.out(1, 0x02);  // ETBEI, but OUT2 clear
  CHECK_FALSE(u.requested());
  CHECK(u.in(2) == 0x02);  // IIR still identifies it
  Uart w;
  w.out(4, 0x08);  // OUT2, ETBEI clear: polled output
  w.out(0, 'x');
  CHECK_FALSE(w.requested());
  CHECK(w.in(2) == 0x01);
}

TEST_CASE("the keyboard controller's reset command ends the machine", "[devices][reset]") {
  Uart u;
  u.out(0, 'z');  // a partial line is flushed first
  vmm_io_write(&u.d, &u.m.backend, 0x64, 1, 0xd1);  // another command: ignored
  CHECK_FALSE(u.d.exit_requested);
  CHECK(vmm_io_read(&u.d, &u.m.backend, 0x64, 1) == 0xff);  // no controller
  vmm_io_write(&u.d, &u.m.backend, 0x64, 1, 0xfe);
  CHECK(u.d.exit_requested);
  CHECK(u.d.exit_status == VMM_RESET_STATUS);
  CHECK(u.m.console == "z");
}
