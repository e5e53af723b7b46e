// SPDX-License-Identifier: GPL-3.0-or-later
#include "machine.hh"

namespace vmmtest {

namespace {

Machine &self(void *ctx) { return *static_cast<Machine *>(ctx); }

void console_write(void *ctx, const char *buf, unsigned long len) {
  self(ctx).console.append(buf, len);
}
void shutdown(void *ctx, int status) { self(ctx).shutdown_status = status; }
uint64_t time_ns(void *ctx) { return self(ctx).now_ns; }
uint64_t wallclock(void *ctx) { return self(ctx).wall; }
void set_timer(void *ctx, uint64_t deadline) { self(ctx).timer_deadline = deadline; }
void cpuid(void *, uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
  // What a host CPU might say: leaf 1 with APIC, x2APIC, MONITOR, VMX;
  // leaf 0xd: x87|SSE|AVX.
  // leaf 0x40000000: a hypervisor signature, as Xen gives a PV guest.
  out[0] = out[1] = out[2] = out[3] = 0;
  if (leaf == 1) {
    out[1] = 0x05000800;
    out[2] = (1u << 0) | (1u << 3) | (1u << 5) | (1u << 21) | (1u << 26) | (1u << 27) |
             (1u << 31);
    out[3] = (1u << 0) | (1u << 9) | (1u << 12) | (1u << 25);
  } else if (leaf == 7 && subleaf == 0) {
    out[1] = 1u << 0;            // FSGSBASE
    out[3] = (1u << 26) | (1u << 29);  // IBRS, ARCH_CAPABILITIES
  } else if (leaf == 0xd && subleaf == 0) {
    out[0] = 7;
  } else if (leaf == 0x40000000) {
    out[0] = 0x40000002;
    out[1] = 0x566e6558;  // "XenV"
  }
}
uint64_t rdtsc(void *ctx) { return self(ctx).tsc; }
void set_segment_base(void *ctx, int which, uint64_t base) {
  self(ctx).bases.emplace_back(which, base);
}
void tlb_flush(void *ctx, uint64_t cr3, uint64_t va) { self(ctx).flushes.emplace_back(cr3, va); }
// Sleeps until the timer the VMM asked for; nothing else can wake the vCPU.
int block(void *ctx) {
  Machine &m = self(ctx);
  m.blocks++;
  if (m.timer_deadline == UINT64_MAX) return 1;
  if (m.now_ns < m.timer_deadline) m.now_ns = m.timer_deadline;
  return 0;
}

}  // namespace

uint64_t code64_descriptor(unsigned dpl) {
  // present, S, code, readable, L; limit 0xfffff, G
  return 0x00af9a000000ffffULL | (uint64_t(dpl) << 45);
}

uint64_t data_descriptor(unsigned dpl) {
  return 0x00cf92000000ffffULL | (uint64_t(dpl) << 45);
}

Machine::Machine() : ram(kMemSize, 0) {
  backend.ctx = this;
  backend.console_write = console_write;
  backend.shutdown = shutdown;
  backend.time_ns = time_ns;
  backend.wallclock = wallclock;
  backend.set_timer = set_timer;
  backend.cpuid = cpuid;
  backend.rdtsc = rdtsc;
  backend.set_segment_base = set_segment_base;
  backend.tlb_flush = tlb_flush;
  backend.block = block;
  mem.ctx = this;
  mem.read = mem_read;
  mem.write = mem_write;
  vmm_devices_init(&devices);
  vmm_vcpu_init(&vcpu, &pcpu, &backend, &mem, &devices);

  // GDT: null, kernel code, kernel data, user data, user code, TSS (16 bytes),
  // LDT (16 bytes), 32-bit code.
  write64(kGdt + 0x08, code64_descriptor(0));
  write64(kGdt + 0x10, data_descriptor(0));
  write64(kGdt + 0x18, data_descriptor(3));
  write64(kGdt + 0x20, code64_descriptor(3));
  uint64_t tss_limit = 0x67;
  write64(kGdt + 0x28, tss_limit | ((kTss & 0xffffff) << 16) | (0x89ULL << 40) |
                           (((kTss >> 24) & 0xff) << 56));
  write64(kGdt + 0x30, kTss >> 32);
  write64(kGdt + 0x38, 0x7 | ((0x5000ULL & 0xffffff) << 16) | (0x82ULL << 40));
  write64(kGdt + 0x40, 0);
  write64(kGdt + 0x48, 0x00cf9a000000ffffULL);
  vcpu.gdtr.base = kGdt;
  vcpu.gdtr.limit = 0x4f;
  vcpu.idtr.base = kIdt;
  vcpu.idtr.limit = 256 * 16 - 1;
  // TSS: rsp0 at offset 4, ist1 at 0x24.
  write64(kTss + 4, kRsp0);
  write64(kTss + 0x24, kIst1);
  vcpu.tr.sel = kTssSel;
  vcpu.tr.base = kTss;
  vcpu.tr.limit = 0x67;
  vcpu.seg[VMM_SEG_CS].sel = kKernelCs;
  vcpu.seg[VMM_SEG_SS].sel = kKernelDs;
  for (unsigned v = 0; v < 256; ++v) set_gate(v);
  regs.gpr[VMM_RSP] = kKernelStack;
  regs.rflags = 0x202;  // what the real CPU shows while the guest runs
}

uint64_t Machine::read64(uint64_t a) const {
  uint64_t v;
  std::memcpy(&v, &ram.at(a), 8);
  return v;
}

void Machine::write64(uint64_t a, uint64_t v) { std::memcpy(&ram.at(a), &v, 8); }

void Machine::set_gate(unsigned vector, unsigned type, unsigned ist, unsigned dpl, bool present,
                       uint16_t sel) {
  uint64_t off = kHandler + vector * 16;
  uint64_t lo = (off & 0xffff) | (uint64_t(sel) << 16) | (uint64_t(ist) << 32) |
                (uint64_t(type) << 40) | (uint64_t(dpl) << 45) | (uint64_t(present) << 47) |
                (((off >> 16) & 0xffff) << 48);
  write64(kIdt + vector * 16, lo);
  write64(kIdt + vector * 16 + 8, off >> 32);
}

void Machine::clear_gate(unsigned vector) {
  write64(kIdt + vector * 16, 0);
  write64(kIdt + vector * 16 + 8, 0);
}

vmm_site_desc Machine::site(unsigned cls, unsigned insn_length, unsigned padded) const {
  vmm_site_desc d{};
  d.site = kSite;
  d.resume = kSite + padded;
  d.abi_version = PREVIRT_VMM_ABI_VERSION;
  d.insn_class = uint8_t(cls);
  d.insn_length = uint8_t(insn_length);
  d.padded_length = uint8_t(padded);
  d.opsize = 8;
  d.addrsize = 8;
  return d;
}

vmm_status Machine::run(const vmm_site_desc &d) { return vmm_dispatch(&vcpu, &regs, &d); }

std::vector<uint64_t> Machine::frame(unsigned words) const {
  std::vector<uint64_t> f;
  for (unsigned i = 0; i < words; ++i) f.push_back(read64(regs.gpr[VMM_RSP] + 8 * i));
  return f;
}

void Machine::enter_user() {
  vmm_set_cpl(&vcpu, 3);
  vcpu.seg[VMM_SEG_CS].sel = kUserCs;
  vcpu.seg[VMM_SEG_SS].sel = kUserDs;
  regs.gpr[VMM_RSP] = kUserStack;
  vmm_set_vif(&vcpu, 1);
}

bool Machine::check(uint64_t lin, unsigned len, bool user, bool write, vmm_fault *f) const {
  if (lin + len - 1 < lin) {  // wraps around the address space: #GP(0), as the contract says
    f->vector = X86_EXC_GP;
    f->has_error = 1;
    f->error = 0;
    f->cr2 = 0;
    return false;
  }
  uint64_t last_page = (lin + len - 1) & ~0xfffULL;  // lin + len may be 2^64
  for (uint64_t p = lin & ~0xfffULL;; p += 0x1000) {
    bool present = p < kMemSize && !absent_.count(p);
    bool allowed = !(user && supervisor_.count(p));
    if (!present || !allowed) {
      f->vector = X86_EXC_PF;
      f->has_error = 1;
      f->error = (present ? X86_PF_P : 0) | (write ? X86_PF_W : 0) | (user ? X86_PF_U : 0);
      f->cr2 = p < lin ? lin : p;
      return false;
    }
    if (p == last_page) break;
  }
  return true;
}

int Machine::mem_read(void *ctx, uint64_t lin, void *buf, unsigned len, int user, vmm_fault *f) {
  Machine &m = self(ctx);
  if (!m.check(lin, len, user, false, f)) return -1;
  std::memcpy(buf, &m.ram[lin], len);
  return 0;
}

int Machine::mem_write(void *ctx, uint64_t lin, const void *buf, unsigned len, int user,
                       vmm_fault *f) {
  Machine &m = self(ctx);
  if (!m.check(lin, len, user, true, f)) return -1;
  std::memcpy(&m.ram[lin], buf, len);
  return 0;
}

namespace {
int phys_read(void *ctx, uint64_t gpa, uint64_t *v) {
  auto &p = *static_cast<PhysMem *>(ctx);
  if (gpa >= p.limit) return -1;
  *v = p.get(gpa);
  return 0;
}
int phys_write(void *ctx, uint64_t gpa, uint64_t v) {
  auto &p = *static_cast<PhysMem *>(ctx);
  if (gpa >= p.limit) return -1;
  p.set(gpa, v);
  return 0;
}
}  // namespace

PhysMem::PhysMem() {
  phys.ctx = this;
  phys.read64 = phys_read;
  phys.write64 = phys_write;
}

uint64_t PhysMem::get(uint64_t gpa) const {
  auto it = words_.find(gpa);
  return it == words_.end() ? 0 : it->second;
}

}  // namespace vmmtest
