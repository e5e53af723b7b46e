// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: arbitrary bytes through vmm_decode, and whatever decodes
// through vmm_dispatch on a host machine whose registers come from the
// input too.  Checks the decoder's invariants and that the emulation, with
// any operands, only ever ends at the site's end, a handler of the guest's
// IDT, or a transfer it is allowed to make; the sanitizers catch the rest.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "previrt/vmm_decode.h"
#include "../machine.hh"

using namespace vmmtest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  vmm_site_desc d{};
  size_t code = size < 15 ? size : 15;
  if (vmm_decode(data, unsigned(code), &d) != 0) return 0;
  if (d.insn_length == 0 || d.insn_length > code) std::abort();
  if (d.insn_class == 0 || d.insn_class >= PV_CLASS_LIMIT) std::abort();
  if (std::memcmp(d.bytes, data, d.insn_length) != 0) std::abort();
  for (const vmm_operand &o : d.op)
    if (o.kind > VMM_OP_FAR || (o.kind == VMM_OP_GPR && o.reg > 19) ||
        (o.kind == VMM_OP_MEM && o.size > 16))
      std::abort();

  Machine m;
  d.site = kSite;
  d.padded_length = uint8_t(d.insn_length < 5 ? 5 : d.insn_length);
  d.resume = kSite + d.padded_length;
  // registers from the rest of the input, kept inside guest memory half the time
  const uint8_t *rest = data + d.insn_length;
  size_t left = size - d.insn_length;
  for (unsigned i = 0; i < VMM_GPR_COUNT && left >= 8; ++i, rest += 8, left -= 8) {
    uint64_t v;
    std::memcpy(&v, rest, 8);
    m.regs.gpr[i] = (v & 1) ? v : v % kMemSize;
  }
  if (left >= 1 && (rest[0] & 1)) m.enter_user();
  uint64_t rsp = m.regs.gpr[VMM_RSP];
  (void)rsp;
  vmm_status s = vmm_dispatch(&m.vcpu, &m.regs, &d);
  if (s != VMM_DONE && s != VMM_SHUTDOWN && s != VMM_HALT) std::abort();
  if (s == VMM_DONE) {
    uint64_t rip = m.regs.rip;
    bool handler = rip >= kHandler && rip < kHandler + 256 * 16 && (rip - kHandler) % 16 == 0;
    bool transfer = d.insn_class == PV_CLASS_IRET || d.insn_class == PV_CLASS_LRET ||
                    d.insn_class == PV_CLASS_LJMP || d.insn_class == PV_CLASS_LCALL ||
                    d.insn_class == PV_CLASS_SYSRET || d.insn_class == PV_CLASS_SYSEXIT ||
                    d.insn_class == PV_CLASS_STI || d.insn_class == PV_CLASS_POPF;
    if (rip != d.resume && !handler && !transfer) std::abort();
  }
  return 0;
}
