// SPDX-License-Identifier: GPL-3.0-or-later
// The x86 decoding facade: the only file that talks to libopcodes. It
// decodes one instruction at a time into its length and its AT&T text as
// objdump prints it, which common/sensitive_table.hh classifies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace previrt {

struct SensitiveClass;

struct DecodedInsn {
  size_t length = 0;  // 0 only if no byte was available
  std::string text;   // "mov %rax,%cr3", whitespace collapsed
  bool bad = false;   // libopcodes could not decode it ("(bad)" or truncated)
};

class X86Decoder {
 public:
  explicit X86Decoder(int code_bits);  // 32 or 64
  ~X86Decoder();
  X86Decoder(const X86Decoder &) = delete;
  X86Decoder &operator=(const X86Decoder &) = delete;

  int code_bits() const { return bits_; }
  // Decodes the instruction at `p` (at most `avail` bytes are read) as if
  // it were at `address`.
  DecodedInsn decode(const uint8_t *p, size_t avail, uint64_t address) const;
  // The sensitive class of a decoded instruction, or nullptr.
  const SensitiveClass *classify(const DecodedInsn &insn) const;

 private:
  struct Impl;
  int bits_;
  std::unique_ptr<Impl> impl_;
};

// The class of `bytes` when they are exactly one sensitive instruction (no
// byte left over, none missing), else nullptr. pv-as uses it on `.byte`
// directives, which Linux uses for instructions older assemblers lacked.
const SensitiveClass *classify_encoded(const uint8_t *bytes, size_t size, int code_bits,
                                       DecodedInsn *decoded = nullptr);

// True if the `len` bytes of one decoded instruction are a NOP as
// assemblers pad with them: optional 0x66/0x2e/0x3e prefixes, then 0x90 or
// 0x0f 0x1f /0; in 32-bit code also GAS's "mov %esi,%esi" and
// "lea 0x0(%esi[,%eiz,1]),%esi" forms.
bool is_padding_nop(const uint8_t *p, size_t len, int code_bits);

}  // namespace previrt
