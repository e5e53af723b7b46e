// SPDX-License-Identifier: GPL-3.0-or-later
// The device models: 8259 PIC pair, 8254 PIT, 16550 UART, CMOS RTC.
#include <catch2/catch.hpp>

#include "machine.hh"

using namespace vmmtest;

namespace {

// What test/guest's pic_init() writes: remap to 0x20/0x28, all masked,
// then OCW3 "read IRR".
void guest_pic_init(vmm_pic_pair &p) {
  for (auto [port, v] : std::vector<std::pair<uint16_t, uint8_t>>{
           {0x20, 0x11}, {0xa0, 0x11}, {0x21, 0x20}, {0xa1, 0x28}, {0x21, 0x04}, {0xa1, 0x02},
           {0x21, 0x01}, {0xa1, 0x01}, {0x21, 0xff}, {0xa1, 0xff}, {0x20, 0x0a}})
    vmm_pic_io_write(&p, port, v);
}

}  // namespace

TEST_CASE("PIC: initialisation, masking, acknowledge and EOI", "[pic]") {
  vmm_pic_pair p;
  vmm_pic_init(&p);
  guest_pic_init(p);
  CHECK(p.master.vector_base == 0x20);
  CHECK(p.slave.vector_base == 0x28);
  CHECK(vmm_pic_io_read(&p, 0x21) == 0xff);

  vmm_pic_pulse(&p, 0);
  CHECK_FALSE(vmm_pic_has_interrupt(&p));   // masked
  CHECK(vmm_pic_io_read(&p, 0x20) == 0x01);  // but requested: IRR (OCW3)
  CHECK(vmm_pic_acknowledge(&p) == -1);

  vmm_pic_io_write(&p, 0x21, 0xfe);  // unmask IRQ 0
  REQUIRE(vmm_pic_has_interrupt(&p));
  CHECK(vmm_pic_acknowledge(&p) == 0x20);
  CHECK(p.master.isr == 0x01);
  CHECK(vmm_pic_io_read(&p, 0x20) == 0x00);  // IRR cleared by the acknowledge

  vmm_pic_pulse(&p, 0);  // a second tick waits while the first is in service
  CHECK_FALSE(vmm_pic_has_interrupt(&p));
  vmm_pic_io_write(&p, 0x20, 0x20);  // non-specific EOI
  CHECK(p.master.isr == 0);
  CHECK(vmm_pic_has_interrupt(&p));

  vmm_pic_io_write(&p, 0x20, 0x0b);  // OCW3: read ISR
  CHECK(vmm_pic_acknowledge(&p) == 0x20);
  CHECK(vmm_pic_io_read(&p, 0x20) == 0x01);
}

TEST_CASE("PIC: priority, the cascaded slave and specific EOI", "[pic]") {
  vmm_pic_pair p;
  vmm_pic_init(&p);
  guest_pic_init(p);
  vmm_pic_io_write(&p, 0x21, 0x00);
  vmm_pic_io_write(&p, 0xa1, 0x00);
  vmm_pic_pulse(&p, 4);
  vmm_pic_pulse(&p, 12);  // slave IRQ 4 -> master IRQ 2, which outranks 4
  CHECK(vmm_pic_acknowledge(&p) == 0x28 + 4);
  CHECK(p.slave.isr == 0x10);
  CHECK(p.master.isr == 0x04);
  CHECK_FALSE(vmm_pic_has_interrupt(&p));  // IRQ 4 waits for IRQ 2's EOI
  vmm_pic_io_write(&p, 0xa0, 0x20);
  vmm_pic_io_write(&p, 0x20, 0x62);  // specific EOI for IRQ 2
  CHECK(p.master.isr == 0);
  CHECK(vmm_pic_acknowledge(&p) == 0x24);

  // edge triggered: a line held high latches once
  vmm_pic_io_write(&p, 0x20, 0x20);
  vmm_pic_set_irq(&p, 3, 1);
  CHECK(vmm_pic_acknowledge(&p) == 0x23);
  vmm_pic_io_write(&p, 0x20, 0x20);
  vmm_pic_set_irq(&p, 3, 1);
  CHECK_FALSE(vmm_pic_has_interrupt(&p));
}

TEST_CASE("PIT: the guest's 1 kHz rate generator", "[pit]") {
  vmm_pit pit;
  vmm_pit_init(&pit);
  uint64_t t0 = 5000;
  vmm_pit_io_write(&pit, 0x43, 0x34, t0);  // channel 0, lo/hi, mode 2
  CHECK(vmm_pit_next_edge(&pit, t0) == UINT64_MAX);  // no count yet
  vmm_pit_io_write(&pit, 0x40, 1193 & 0xff, t0);
  vmm_pit_io_write(&pit, 0x40, 1193 >> 8, t0);
  CHECK(vmm_pit_next_edge(&pit, t0) == t0 + 1193);
  CHECK(vmm_pit_irq0_edges(&pit, t0 + 1192) == 0);
  CHECK(vmm_pit_irq0_edges(&pit, t0 + 1193) == 1);
  CHECK(vmm_pit_irq0_edges(&pit, t0 + 1193 * 4 + 10) == 3);
  CHECK(vmm_pit_next_edge(&pit, t0 + 1193 * 4 + 10) == t0 + 1193 * 5);

  // the counter counts down from 1193 and reloads; a latch freezes it
  CHECK(vmm_pit_count(&pit.ch[0], t0 + 100) == 1093);
  vmm_pit_io_write(&pit, 0x43, 0x00, t0 + 200);  // latch channel 0
  uint8_t lo = vmm_pit_io_read(&pit, 0x40, t0 + 900);
  uint8_t hi = vmm_pit_io_read(&pit, 0x40, t0 + 900);
  CHECK((lo | (hi << 8)) == 993);
  lo = vmm_pit_io_read(&pit, 0x40, t0 + 1193 + 3);
  hi = vmm_pit_io_read(&pit, 0x40, t0 + 1193 + 3);
  CHECK((lo | (hi << 8)) == 1190);  // unlatched, after one reload
}

TEST_CASE("PIT: one-shot mode 0, square wave mode 3, count 0 means 65536", "[pit]") {
  vmm_pit pit;
  vmm_pit_init(&pit);
  vmm_pit_io_write(&pit, 0x43, 0x30, 0);  // mode 0
  vmm_pit_io_write(&pit, 0x40, 100, 0);
  vmm_pit_io_write(&pit, 0x40, 0, 0);
  CHECK(vmm_pit_irq0_edges(&pit, 99) == 0);
  CHECK(vmm_pit_irq0_edges(&pit, 100) == 1);
  CHECK(vmm_pit_irq0_edges(&pit, 100000) == 0);  // once only
  CHECK(vmm_pit_next_edge(&pit, 101) == UINT64_MAX);

  vmm_pit_io_write(&pit, 0x43, 0x36, 1000);  // mode 3
  vmm_pit_io_write(&pit, 0x40, 0, 1000);
  vmm_pit_io_write(&pit, 0x40, 0, 1000);
  CHECK(pit.ch[0].reload == 65536);
  CHECK(vmm_pit_irq0_edges(&pit, 1000 + 65536 * 2) == 2);
  CHECK(vmm_pit_count(&pit.ch[0], 1000 + 10) == 65536 - 20);  // (uint16) by 2

  vmm_pit_io_write(&pit, 0x43, 0x3e, 0);  // mode 7 is mode 3
  CHECK(pit.ch[0].mode == 3);
}

TEST_CASE("PIT ticks and nanoseconds convert without drift", "[pit]") {
  CHECK(vmm_pit_ticks_from_ns(1000000000ULL) == VMM_PIT_HZ);
  CHECK(vmm_pit_ticks_from_ns(3600ULL * 1000000000ULL) == 3600 * VMM_PIT_HZ);
  for (uint64_t t : {1ULL, 1193ULL, 1193182ULL, 123456789ULL}) {
    uint64_t ns = vmm_pit_ns_from_ticks(t);
    CHECK(vmm_pit_ticks_from_ns(ns) == t);  // the timer for an edge sees the edge
    CHECK(vmm_pit_ticks_from_ns(ns - 1) < t);
  }
}

TEST_CASE("the PIT drives IRQ 0 through the PIC with the backend's clock", "[pit][pic]") {
  Machine m;
  guest_pic_init(m.devices.pic);
  vmm_io_write(&m.devices, &m.backend, 0x43, 1, 0x34);
  vmm_io_write(&m.devices, &m.backend, 0x40, 1, 0xa9);
  vmm_io_write(&m.devices, &m.backend, 0x40, 1, 0x04);
  vmm_io_write(&m.devices, &m.backend, 0x21, 1, 0xfe);
  m.now_ns = 500000;
  vmm_timer_fired(&m.vcpu);
  CHECK(m.pcpu.pending == 0);
  CHECK(m.timer_deadline == vmm_pit_ns_from_ticks(1193));
  m.now_ns = 1000000;
  vmm_timer_fired(&m.vcpu);
  CHECK(m.pcpu.pending == 1);
  CHECK(m.timer_deadline == vmm_pit_ns_from_ticks(2 * 1193));
  // IF clear: nothing delivered; then set, and the interrupt arrives
  CHECK(vmm_deliver_pending(&m.vcpu, &m.regs) == VMM_DONE);
  CHECK(m.regs.rip == 0);
  vmm_set_vif(&m.vcpu, 1);
  m.regs.rip = 0x1234;
  CHECK(vmm_deliver_pending(&m.vcpu, &m.regs) == VMM_DONE);
  CHECK(m.regs.rip == kHandler + 0x20 * 16);
  CHECK(m.pcpu.pending == 0);
}

TEST_CASE("UART: line-buffered output, divisor latch, status registers", "[uart]") {
  Machine m;
  vmm_uart &u = m.devices.com1;
  vmm_uart_io_write(&u, 3, 0x80, &m.backend);  // DLAB
  vmm_uart_io_write(&u, 0, 0x0c, &m.backend);
  vmm_uart_io_write(&u, 1, 0x00, &m.backend);
  CHECK(vmm_uart_io_read(&u, 0) == 0x0c);
  vmm_uart_io_write(&u, 3, 0x03, &m.backend);
  CHECK(m.console.empty());  // the divisor is not data
  for (char c : std::string("line one\nrest")) vmm_uart_io_write(&u, 0, uint8_t(c), &m.backend);
  CHECK(m.console == "line one\n");
  CHECK((vmm_uart_io_read(&u, 5) & 0x60) == 0x60);
  CHECK(vmm_uart_io_read(&u, 2) == 0x01);
  vmm_uart_io_write(&u, 7, 0x5a, &m.backend);
  CHECK(vmm_uart_io_read(&u, 7) == 0x5a);
  vmm_uart_flush(&u, &m.backend);
  CHECK(m.console == "line one\nrest");
  std::string many(300, 'z');
  m.console.clear();
  for (char c : many) vmm_uart_io_write(&u, 0, uint8_t(c), &m.backend);
  CHECK(m.console.size() == 256);  // written in full buffers
}

TEST_CASE("CMOS RTC: the wall clock in BCD, binary and 12-hour form", "[cmos]") {
  vmm_date d;
  vmm_date_from_unix(0, &d);
  CHECK((d.year == 1970 && d.month == 1 && d.day == 1 && d.weekday == 5));  // Thursday
  vmm_date_from_unix(951782400, &d);  // 2000-02-29 00:00:00
  CHECK((d.year == 2000 && d.month == 2 && d.day == 29 && d.weekday == 3));
  vmm_date_from_unix(4102444799ULL, &d);  // 2099-12-31 23:59:59
  CHECK((d.year == 2099 && d.month == 12 && d.day == 31 && d.hour == 23 && d.minute == 59 &&
         d.second == 59));

  vmm_cmos c;
  vmm_cmos_init(&c);
  uint64_t t = 1795617245;  // 2026-11-25 14:34:05 UTC, a Wednesday
  auto reg = [&](uint8_t r) {
    vmm_cmos_io_write(&c, 0x70, r | 0x80);
    return vmm_cmos_io_read(&c, 0x71, t);
  };
  CHECK(reg(0x00) == 0x05);
  CHECK(reg(0x02) == 0x34);
  CHECK(reg(0x04) == 0x14);
  CHECK(reg(0x06) == 0x04);
  CHECK(reg(0x07) == 0x25);
  CHECK(reg(0x08) == 0x11);
  CHECK(reg(0x09) == 0x26);
  CHECK(reg(0x32) == 0x20);
  CHECK((reg(0x0a) & 0x80) == 0);  // never updating
  CHECK(reg(0x0d) == 0x80);
  CHECK(c.nmi_disabled == 1);
  vmm_cmos_io_write(&c, 0x70, 0x0b);
  vmm_cmos_io_write(&c, 0x71, 0x04);  // binary, 12-hour
  CHECK(reg(0x04) == (2 | 0x80));     // 2 pm
  CHECK(reg(0x02) == 34);
  vmm_cmos_io_write(&c, 0x70, 0x40);
  vmm_cmos_io_write(&c, 0x71, 0x99);  // CMOS RAM keeps what is written
  CHECK(reg(0x40) == 0x99);
}
