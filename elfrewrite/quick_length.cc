// SPDX-License-Identifier: GPL-3.0-or-later
#include "quick_length.hh"

namespace elfrewrite {

namespace {

// Longest instruction the processor (and libopcodes) accepts.
constexpr size_t kMaxLength = 15;

// What follows an opcode this decoder knows. Anything else (sensitive
// opcodes, rare ones, encodings whose length depends on more than the
// ModRM byte and the operand size) is `unknown`.
enum Shape : uint8_t {
  unknown,
  none,      // no operand bytes
  imm8,      // an 8-bit immediate or displacement
  imm16,     // a 16-bit immediate (ret $n)
  immz,      // 16 bits with the operand-size prefix, else 32
  immv,      // mov $imm,%reg: 64 bits with REX.W, 16 with 0x66, else 32
  relz,      // a 32-bit branch displacement (not with 0x66)
  modrm,     // ModRM (SIB, displacement)
  modrm8,    // ModRM, then an 8-bit immediate
  modrmz,    // ModRM, then a 16/32-bit immediate
  group,     // ModRM whose reg field selects the instruction: see below
};

// One-byte opcodes. Mode differences are applied in quick_length().
constexpr Shape one_byte(uint8_t op) {
  if (op < 0x40 && (op & 7) < 4) return modrm;                        // add..cmp r/m forms
  if (op < 0x40 && (op & 7) == 4) return imm8;                        // add..cmp $i8,%al
  if (op < 0x40 && (op & 7) == 5) return immz;                        // add..cmp $iz,%eax
  if (op >= 0x50 && op <= 0x5f) return none;                          // push/pop %reg
  if (op >= 0x70 && op <= 0x7f) return imm8;                          // jcc rel8
  if (op >= 0x90 && op <= 0x99) return none;                          // nop, xchg, cltq, cqto
  if (op >= 0xb0 && op <= 0xb7) return imm8;                          // mov $i8,%r8
  if (op >= 0xb8 && op <= 0xbf) return immv;                          // mov $imm,%reg
  switch (op) {
    case 0x63: return modrm;  // movslq (64-bit only, see below)
    case 0x68: return immz;   // push $iz
    case 0x69: return modrmz;
    case 0x6a: return imm8;
    case 0x6b: return modrm8;
    case 0x80: case 0x83: case 0xc0: case 0xc1: return modrm8;
    case 0x81: return modrmz;
    case 0x84: case 0x85: case 0x86: case 0x87:
    case 0x88: case 0x89: case 0x8a: case 0x8b:
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: return modrm;
    case 0x8d: case 0xc6: case 0xc7: case 0xf6: case 0xf7: case 0xfe: case 0xff: return group;
    case 0xa4: case 0xa5: case 0xa6: case 0xa7:  // movs, cmps
    case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:  // stos, lods, scas
    case 0xc3: case 0xc9: case 0xcc:  // ret, leave, int3
    case 0xf5: case 0xf8: case 0xf9: case 0xfc: case 0xfd:  // cmc, clc, stc, cld, std
      return none;
    case 0xa8: return imm8;
    case 0xa9: return immz;
    case 0xc2: return imm16;
    case 0xe8: case 0xe9: return relz;  // call, jmp
    case 0xeb: return imm8;             // jmp rel8
  }
  return unknown;
}

// Two-byte opcodes (after 0x0f).
constexpr Shape two_byte(uint8_t op) {
  if (op >= 0x40 && op <= 0x4f) return modrm;  // cmovcc
  if (op >= 0x80 && op <= 0x8f) return relz;   // jcc rel32
  if (op >= 0x90 && op <= 0x9f) return modrm;  // setcc
  if (op >= 0xc8 && op <= 0xcf) return none;   // bswap
  switch (op) {
    case 0x0b: return none;  // ud2
    case 0x1f: return modrm;  // nop r/m
    case 0xa3: case 0xab: case 0xb3: case 0xbb:  // bt, bts, btr, btc
    case 0xa5: case 0xad:                        // shld, shrd by %cl
    case 0xaf:                                   // imul
    case 0xb0: case 0xb1:                        // cmpxchg
    case 0xb6: case 0xb7: case 0xbe: case 0xbf:  // movzx, movsx
    case 0xbc: case 0xbd:                        // bsf, bsr (tzcnt, lzcnt)
    case 0xc0: case 0xc1:                        // xadd
      return modrm;
    case 0xa4: case 0xac: return modrm8;  // shld, shrd by an immediate
    case 0xba: return group;              // bt* $i8
  }
  return unknown;
}

struct Tables {
  Shape one[256], two[256];
  constexpr Tables() : one(), two() {
    for (int i = 0; i < 256; ++i) {
      one[i] = one_byte(static_cast<uint8_t>(i));
      two[i] = two_byte(static_cast<uint8_t>(i));
    }
  }
};
constexpr Tables kTables;

// Bytes of ModRM, SIB and displacement at `p` (32- or 64-bit addressing;
// the address-size prefix never gets here), or 0 if they do not fit.
size_t modrm_length(const uint8_t *p, size_t avail) {
  if (avail < 1) return 0;
  unsigned mod = p[0] >> 6, rm = p[0] & 7;
  size_t n = 1;
  if (mod == 3) return n;
  if (rm == 4) {
    if (avail < 2) return 0;
    if (mod == 0 && (p[1] & 7) == 5) n += 4;  // SIB without base: disp32
    ++n;
  } else if (mod == 0 && rm == 5) {
    n += 4;  // disp32 (RIP-relative in 64-bit code)
  }
  if (mod == 1) n += 1;
  if (mod == 2) n += 4;
  return n;
}

}  // namespace

size_t quick_length(const uint8_t *p, size_t avail, int code_bits) {
  const bool is64 = code_bits == 64;
  size_t limit = avail < kMaxLength ? avail : kMaxLength;
  size_t i = 0;
  bool opsize = false, rex_w = false, repne = false;
  // Legacy prefixes. 0x67 changes the ModRM form and 0x9b (fwait) is an
  // instruction of its own in libopcodes; both go the slow way.
  for (;; ++i) {
    if (i >= limit) return 0;
    uint8_t b = p[i];
    if (b == 0x66) opsize = true;
    else if (b == 0xf2) repne = true;
    else if (b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x2e && b != 0x3e && b != 0x26 &&
             b != 0x36 && b != 0x64 && b != 0x65)
      break;
  }
  // REX counts only right before the opcode; libopcodes prints a REX
  // followed by another prefix as an instruction of its own.
  if (is64 && (p[i] & 0xf0) == 0x40) {
    rex_w = p[i] & 8;
    if (++i >= limit) return 0;
    uint8_t b = p[i];
    if ((b & 0xf0) == 0x40 || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
        b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 || b == 0x64 || b == 0x65 || b == 0x9b)
      return 0;
  }
  uint8_t op = p[i++];
  Shape shape;
  unsigned reg = 0;
  bool two = op == 0x0f;
  if (two) {
    if (i >= limit) return 0;
    op = p[i++];
    shape = kTables.two[op];
    if ((op == 0xbc || op == 0xbd) && repne) return 0;  // invalid with 0xf2
  } else {
    shape = kTables.one[op];
    if (op >= 0x40 && op <= 0x4f) shape = is64 ? unknown : none;  // inc/dec %reg (REX: above)
    if (op == 0x63 && !is64) return 0;                              // arpl
    // Invalid in 64-bit code, or push/pop of a segment register.
    if (op < 0x40 && ((op & 7) == 6 || (op & 7) == 7)) return 0;
  }
  if (shape == unknown) return 0;
  if (shape == group) {
    if (i >= limit) return 0;
    reg = (p[i] >> 3) & 7;
    unsigned mod = p[i] >> 6;
    if (two) {  // 0f ba: bt, bts, btr, btc $i8 (/4 to /7)
      if (reg < 4) return 0;
      shape = modrm8;
    } else {
      switch (op) {
        case 0x8d:  // lea: a register operand is invalid
          if (mod == 3) return 0;
          shape = modrm;
          break;
        case 0xc6:  // mov $i8 (/0 only)
        case 0xc7:  // mov $iz (/0 only)
          if (reg != 0) return 0;
          shape = op == 0xc6 ? modrm8 : modrmz;
          break;
        case 0xf6:  // test $i8 (/0, /1), not, neg, mul, imul, div, idiv
        case 0xf7:
          shape = reg < 2 ? (op == 0xf6 ? modrm8 : modrmz) : modrm;
          break;
        case 0xfe:  // inc, dec (/0, /1)
          if (reg > 1) return 0;
          shape = modrm;
          break;
        case 0xff:  // inc, dec, call, jmp, push; /3 and /5 are far transfers
          if (reg == 3 || reg == 5 || reg == 7) return 0;
          if ((reg == 2 || reg == 4) && opsize) return 0;
          shape = modrm;
          break;
        default:
          return 0;
      }
    }
  }
  size_t zsize = opsize && !rex_w ? 2 : 4;  // REX.W overrides 0x66
  switch (shape) {
    case none: break;
    case imm8: i += 1; break;
    case imm16: i += 2; break;
    case immz:
      if (op == 0x68 && opsize) return 0;  // pushw $i16: rare, and mode-dependent
      i += zsize;
      break;
    case immv: i += rex_w ? 8 : zsize; break;
    case relz: if (opsize) return 0; i += 4; break;
    case modrm:
    case modrm8:
    case modrmz: {
      size_t m = modrm_length(p + i, limit - i);
      if (m == 0) return 0;
      i += m;
      if (shape == modrm8) i += 1;
      if (shape == modrmz) i += zsize;
      break;
    }
    default: return 0;
  }
  return i <= limit ? i : 0;
}

}  // namespace elfrewrite
