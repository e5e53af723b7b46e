// SPDX-License-Identifier: GPL-3.0-or-later
// vmm/entry.S executed for real on the host: in user mode the real IF is 1
// and IOPL 0, as for a guest kernel deprivileged by a hypervisor, so the
// inline sequences and the entry/exit paths run exactly as in a guest.
// Each test calls them the way a rewritten site does and checks registers,
// flags and %rsp afterwards.  The asm blocks first step over the red zone,
// since the VMM (like any kernel code) writes below %rsp.
#include <catch2/catch.hpp>

#include "machine.hh"

using namespace vmmtest;

extern "C" {
extern vmm_pcpu vmm_pcpu;
void vmm_entry(void);
void vmm_entry_nostack(void);
void vmm_sti(void);
void vmm_popf_slow(void);
extern char vmm_nostack_stack_top[];
// the descriptor pointer the NOSTACK thunk pushes from memory
uint64_t desc_ptr_for_nostack_test;
}

namespace {

// A machine whose vCPU uses the entry code's vmm_pcpu.
struct Live : Machine {
  Live() {
    vmm_vcpu_init(&vcpu, &::vmm_pcpu, &backend, &mem, &devices);
    vcpu.gdtr.base = kGdt;
    vcpu.gdtr.limit = 0x4f;
    vcpu.idtr.base = kIdt;
    vcpu.idtr.limit = 256 * 16 - 1;
    vcpu.tr.base = kTss;
    vcpu.tr.limit = 0x67;
  }
};

constexpr uint64_t kCF = X86_FLAGS_CF, kZF = X86_FLAGS_ZF;

}  // namespace

// The pushf and popf sites exactly as elfrewrite --target=xen writes them
// (elfrewrite/backends/xen.cc), so that these tests run the forms a
// rewritten guest runs.
#define PUSHF_SITE "pushfq\n\tcall *vmm_pcpu(%%rip)\n\t"
#define POPF_SITE                                                            \
  "testl $0x247200, (%%rsp)\n\tjz 1f\n\tcall vmm_popf_slow\n"               \
  "1:\n\tmovw $0, vmm_pcpu(%%rip)\n\tpopfq\n\t"

namespace {

// Runs the pushf site with CF set; returns the pushed word and checks that
// the real CF survived and %rsp moved by 8.
uint64_t run_pushf_site() {
  uint64_t pushed, carry, rsp_before, rsp_after;
  asm volatile(
      "lea -256(%%rsp), %%rsp\n\t"
      "mov %%rsp, %[before]\n\t"
      "stc\n\t" PUSHF_SITE
      "setc %b[carry]\n\t"
      "pop %[pushed]\n\t"
      "mov %%rsp, %[after]\n\t"
      "lea 256(%%rsp), %%rsp\n\t"
      : [pushed] "=r"(pushed), [carry] "=&r"(carry), [before] "=&r"(rsp_before),
        [after] "=&r"(rsp_after)
      :
      : "memory", "cc");
  CHECK((pushed & kCF) != 0);
  CHECK((pushed & 2) != 0);
  CHECK((carry & 0xff) == 1);
  CHECK(rsp_after == rsp_before);
  return pushed;
}

// Runs the popf site on `value`; returns ZF after it and checks %rsp.
bool run_popf_site(uint64_t value) {
  uint64_t zero, rsp_before, rsp_after, r15 = 0x1515151515151515ULL, r15_after;
  asm volatile(
      "lea -256(%%rsp), %%rsp\n\t"
      "mov %%rsp, %[before]\n\t"
      "mov %[r15], %%r15\n\t"
      "push %[value]\n\t" POPF_SITE
      "setz %b[zero]\n\t"
      "mov %%rsp, %[after]\n\t"
      "mov %%r15, %[r15_after]\n\t"
      "lea 256(%%rsp), %%rsp\n\t"
      : [zero] "=&r"(zero), [before] "=&r"(rsp_before), [after] "=&r"(rsp_after),
        [r15_after] "=&r"(r15_after)
      : [value] "r"(value), [r15] "r"(r15)
      : "memory", "cc", "r15");
  CHECK(rsp_after == rsp_before);  // the value popped (and a return address)
  CHECK(r15_after == r15);
  return (zero & 0xff) == 1;
}

}  // namespace

TEST_CASE("the pushf table is aligned and vmm_pcpu starts at its first entry", "[entry]") {
  Live m;
  const uint64_t table = reinterpret_cast<uint64_t>(vmm_pushf_table);
  CHECK(table % VMM_PUSHF_TABLE_ALIGN == 0);
  CHECK(::vmm_pcpu.pushf_entry == table);
  vmm_set_vif(&m.vcpu, 1);
  vmm_set_vflags_sys(&m.vcpu, X86_FLAGS_AC);
  CHECK(::vmm_pcpu.pushf_entry == table + 256 * VMM_VIF_ON + VMM_MODE_SYS);
  vmm_set_vflags_sys(&m.vcpu, 0);
  CHECK(::vmm_pcpu.pushf_entry == table + 256 * VMM_VIF_ON);
}

TEST_CASE("the pushf site pushes the virtual IF with the real arithmetic flags", "[entry]") {
  Live m;
  vmm_set_vif(&m.vcpu, 0);
  CHECK((run_pushf_site() & (X86_FLAGS_IF | X86_FLAGS_IOPL)) == 0);
  vmm_set_vif(&m.vcpu, 1);
  CHECK((run_pushf_site() & (X86_FLAGS_IF | X86_FLAGS_IOPL)) == X86_FLAGS_IF);
}

TEST_CASE("the pushf site adds the virtual IOPL, NT, AC and ID", "[entry]") {
  Live m;
  const uint64_t sys = X86_FLAGS_IOPL | X86_FLAGS_AC;
  vmm_set_vflags_sys(&m.vcpu, sys);
  vmm_set_vif(&m.vcpu, 0);
  CHECK((run_pushf_site() & (X86_FLAGS_IF | VMM_VFLAGS_SYS)) == sys);
  vmm_set_vif(&m.vcpu, 1);
  CHECK((run_pushf_site() & (X86_FLAGS_IF | VMM_VFLAGS_SYS)) == (sys | X86_FLAGS_IF));
}

TEST_CASE("the popf site's fast path: IF and the system bits cleared, one store", "[entry]") {
  Live m;
  vmm_set_vif(&m.vcpu, 1);
  vmm_set_vflags_sys(&m.vcpu, X86_FLAGS_IOPL);
  ::vmm_pcpu.pending = 1;  // IF stays clear: nothing is delivered
  CHECK(run_popf_site(0x2 | kZF));
  CHECK_FALSE(vmm_vif(&m.vcpu));
  CHECK(vmm_vflags_sys(&m.vcpu) == 0);
  CHECK(::vmm_pcpu.pending == 1);
  CHECK_FALSE(run_popf_site(0x2));
  ::vmm_pcpu.pending = 0;
}

TEST_CASE("the popf site's slow path takes IF and AC into the vCPU, not the CPU", "[entry]") {
  Live m;
  vmm_set_vif(&m.vcpu, 0);
  ::vmm_pcpu.pending = 0;
  CHECK(run_popf_site(0x202 | kZF | X86_FLAGS_AC));
  CHECK(vmm_vif(&m.vcpu));
  CHECK(vmm_vflags_sys(&m.vcpu) == X86_FLAGS_AC);
  uint64_t real;
  asm volatile("pushf\n\tpop %0" : "=r"(real));
  CHECK((real & X86_FLAGS_AC) == 0);
  CHECK_FALSE(run_popf_site(0x202));  // IF only: mode back to 0
  CHECK(vmm_vflags_sys(&m.vcpu) == 0);
  CHECK(::vmm_pcpu.pushf_entry == reinterpret_cast<uint64_t>(vmm_pushf_table) + 256 * VMM_VIF_ON);
}

TEST_CASE("the popf site with IF and an interrupt pending round-trips through the VMM", "[entry]") {
  Live m;
  vmm_set_vif(&m.vcpu, 0);
  ::vmm_pcpu.pending = 1;  // nothing deliverable in the PIC: the VMM clears it
  CHECK(run_popf_site(0x202 | kZF));
  CHECK(::vmm_pcpu.pending == 0);
  CHECK(vmm_vif(&m.vcpu));
}

TEST_CASE("vmm_sti sets IF; with an interrupt pending it round-trips through the VMM", "[entry]") {
  Live m;
  vmm_set_vif(&m.vcpu, 0);
  ::vmm_pcpu.pending = 0;
  asm volatile("lea -256(%%rsp), %%rsp\n\tcall vmm_sti\n\tlea 256(%%rsp), %%rsp" ::: "memory");
  CHECK(vmm_vif(&m.vcpu));

  // pending set but the PIC has nothing deliverable any more: the VMM is
  // entered, finds nothing, clears pending and resumes after the call with
  // every register intact.  io[]: inputs 0..2, outputs 3..6 (addressed
  // through a register: %rsp moves inside the asm).
  vmm_set_vif(&m.vcpu, 0);
  ::vmm_pcpu.pending = 1;
  static uint64_t io[8];
  io[0] = 0x0808080808080808ULL;
  io[1] = 0x1515151515151515ULL;
  io[2] = 0xbbbb;
  asm volatile(
      "lea -256(%%rsp), %%rsp\n\t"
      "push %%rbp\n\t"
      "mov 0(%[io]), %%r8\n\t"
      "mov 8(%[io]), %%r15\n\t"
      "mov 16(%[io]), %%rbp\n\t"
      "stc\n\t"
      "call vmm_sti\n\t"
      "setc %%al\n\t"
      "movzbl %%al, %%eax\n\t"
      "mov %%rax, 48(%[io])\n\t"
      "mov %%r8, 24(%[io])\n\t"
      "mov %%r15, 32(%[io])\n\t"
      "mov %%rbp, 40(%[io])\n\t"
      "pop %%rbp\n\t"
      "lea 256(%%rsp), %%rsp\n\t"
      :
      : [io] "b"(io)
      : "memory", "cc", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r15");
  CHECK(::vmm_pcpu.pending == 0);
  CHECK(io[3] == io[0]);
  CHECK(io[4] == io[1]);
  CHECK(io[5] == io[2]);
  CHECK(io[6] == 1);
}

TEST_CASE("vmm_entry runs a site's emulation and resumes at the site's end", "[entry]") {
  Live m;
  static vmm_site_desc d;
  d = m.site(PV_CLASS_CPUID, 2, 5);
  vmm_set_vif(&m.vcpu, 0);
  // io: 0 rsp before, 1 rsp after, 2 carry
  static uint64_t io[4];
  uint64_t a = 1, b = 0xb, c = 0, dd = 0xd, r12 = 0x1212;
  asm volatile(
      "lea -256(%%rsp), %%rsp\n\t"
      "lea 1f(%%rip), %%r11\n\t"
      "mov %%r11, 0(%[desc])\n\t"       // desc.site
      "lea 3f(%%rip), %%r11\n\t"
      "mov %%r11, 8(%[desc])\n\t"       // desc.resume
      "mov %%rsp, 0(%[io])\n\t"
      "stc\n\t"
      "1: call 2f\n\t"                  // the site: call thunk
      "ud2\n\t"                         // never: the VMM resumes at 3
      "2: push %[desc]\n\t"             // the thunk: pushq $desc
      "jmp vmm_entry\n\t"
      "3: setc %%r11b\n\t"
      "movzbl %%r11b, %%r11d\n\t"
      "mov %%r11, 16(%[io])\n\t"
      "mov %%rsp, 8(%[io])\n\t"
      "lea 256(%%rsp), %%rsp\n\t"
      : "+a"(a), "+b"(b), "+c"(c), "+d"(dd), "+r"(r12)
      : [desc] "S"(&d), [io] "D"(io)
      : "memory", "cc", "r11");
  CHECK(a == 0);  // the test backend's leaf 1: eax 0
  CHECK(b == 0x00000800);  // ebx with the APIC id cleared
  CHECK((dd & (1u << 9)) == 0);
  CHECK((dd & 1) == 1);
  CHECK(r12 == 0x1212);
  CHECK(io[2] == 1);
  CHECK(io[1] == io[0]);
}

TEST_CASE("vmm_entry resumes a site where it ran, not where its descriptor says it is linked",
          "[entry][alias]") {
  // The descriptor names the site 1 MiB higher (the linked address of code
  // that runs 1:1 at boot); the call's return address says where it ran.
  Live m;
  static vmm_site_desc d;
  d = m.site(PV_CLASS_CPUID, 2, 5);
  vmm_set_vif(&m.vcpu, 0);
  static uint64_t io[4];
  uint64_t a = 1, b = 0xb, c = 0, dd = 0xd;
  asm volatile(
      "lea -256(%%rsp), %%rsp\n\t"
      "lea 1f+0x100000(%%rip), %%r11\n\t"
      "mov %%r11, 0(%[desc])\n\t"       // desc.site: linked elsewhere
      "lea 3f+0x100000(%%rip), %%r11\n\t"
      "mov %%r11, 8(%[desc])\n\t"       // desc.resume
      "mov %%rsp, 0(%[io])\n\t"
      "1: call 2f\n\t"                  // the site as it runs
      "ud2\n\t"
      "2: push %[desc]\n\t"
      "jmp vmm_entry\n\t"
      "3: mov %%rsp, 8(%[io])\n\t"      // resumed here, 1 MiB below resume
      "lea 256(%%rsp), %%rsp\n\t"
      : "+a"(a), "+b"(b), "+c"(c), "+d"(dd)
      : [desc] "S"(&d), [io] "D"(io)
      : "memory", "cc", "r11");
  CHECK(a == 0);  // emulated
  CHECK(io[1] == io[0]);
}

TEST_CASE("vmm_entry_nostack leaves the guest stack untouched", "[entry]") {
  Live m;
  static vmm_site_desc d;
  d = m.site(PV_CLASS_SWAPGS, 3, 5);
  desc_ptr_for_nostack_test = uint64_t(&d);
  m.vcpu.seg[VMM_SEG_GS].base = 0x1111;
  m.vcpu.kernel_gs_base = 0x2222;
  // a canary just below %rsp that a stack-using path would overwrite;
  // io: 0 rsp before, 1 rsp after, 2 canary
  static uint64_t io[4];
  asm volatile(
      "lea -256(%%rsp), %%rsp\n\t"
      "movq $0x5a5a, -8(%%rsp)\n\t"
      "lea 1f(%%rip), %%r11\n\t"
      "mov %%r11, 0(%[desc])\n\t"
      "lea 3f(%%rip), %%r11\n\t"
      "mov %%r11, 8(%[desc])\n\t"
      "mov %%rsp, 0(%[io])\n\t"
      "1: jmp 2f\n\t"                           // the site: jmp thunk
      "2: mov %%rsp, vmm_pcpu+24(%%rip)\n\t"    // the NOSTACK thunk
      "lea vmm_nostack_stack_top(%%rip), %%rsp\n\t"
      "pushq desc_ptr_for_nostack_test(%%rip)\n\t"
      "jmp vmm_entry_nostack\n\t"
      "3: mov %%rsp, 8(%[io])\n\t"
      "mov -8(%%rsp), %%r11\n\t"
      "mov %%r11, 16(%[io])\n\t"
      "lea 256(%%rsp), %%rsp\n\t"
      :
      : [desc] "r"(&d), [io] "r"(io)
      : "memory", "cc", "r11");
  CHECK(io[1] == io[0]);
  CHECK(io[2] == 0x5a5a);
  CHECK(m.vcpu.seg[VMM_SEG_GS].base == 0x2222);
  CHECK(m.vcpu.kernel_gs_base == 0x1111);
}
