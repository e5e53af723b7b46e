// SPDX-License-Identifier: GPL-3.0-or-later
// libopcodes (binutils 2.40): since 2.39, init_disassemble_info() takes a
// second, "styled" printer that the x86 printer uses for every operand; the
// plain one is still used for some text. Both append to the same buffer.
// opcodes_api_check.cc fails the build when the installed API differs.
//
// The library is loaded on first use (dlopen), not at program start: pv-as
// runs once per compilation and decodes only for rare `.byte` directives,
// and loading and relocating libopcodes and libbfd would otherwise cost
// every run about a millisecond. A program linked with libopcodes (such as
// elfrewrite) gets the already loaded copy.
// bfd.h refuses to be included without a config.h-style PACKAGE macro.
#define PACKAGE "elfrewrite"
#define PACKAGE_VERSION "0"
#include <dis-asm.h>
#include <dlfcn.h>

#include "x86_decoder.hh"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "sensitive_table.hh"

// The name the dynamic linker knows libopcodes by (its SONAME); the build
// passes it (common/build.mk). A build that does not finds the library
// through its development link, which is there wherever dis-asm.h is.
#ifndef PV_OPCODES_SONAME
#define PV_OPCODES_SONAME "libopcodes.so"
#endif

namespace previrt {

namespace {

// The libopcodes functions the decoder calls, typed as dis-asm.h declares
// them.
struct OpcodesApi {
  decltype(&::disassembler) disassembler = nullptr;
  decltype(&::init_disassemble_info) init_disassemble_info = nullptr;
  decltype(&::disassemble_init_for_target) disassemble_init_for_target = nullptr;
  decltype(&::disassemble_free_target) disassemble_free_target = nullptr;
  decltype(&::buffer_read_memory) buffer_read_memory = nullptr;
};

template <typename F>
void bind(void *lib, const char *name, F *fn) {
  void *sym = dlsym(lib, name);
  if (!sym)
    throw std::runtime_error(std::string("cannot use the x86 disassembler ") + PV_OPCODES_SONAME +
                             ": it has no " + name);
  *fn = reinterpret_cast<F>(sym);
}

// Loads libopcodes; throws, with one line saying what is missing, when it
// cannot. The library stays loaded for the life of the process. Lazy
// binding: of libbfd's thousands of functions libopcodes calls a few.
OpcodesApi load_opcodes() {
  void *lib = dlopen(PV_OPCODES_SONAME, RTLD_LAZY | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    throw std::runtime_error(std::string("cannot load the x86 disassembler (libopcodes): ") +
                             (why ? why : PV_OPCODES_SONAME));
  }
  OpcodesApi api;
  bind(lib, "disassembler", &api.disassembler);
  bind(lib, "init_disassemble_info", &api.init_disassemble_info);
  bind(lib, "disassemble_init_for_target", &api.disassemble_init_for_target);
  bind(lib, "disassemble_free_target", &api.disassemble_free_target);
  bind(lib, "buffer_read_memory", &api.buffer_read_memory);
  return api;
}

// Once per process (a failed load is tried again by the next decoder).
const OpcodesApi &opcodes() {
  static const OpcodesApi api = load_opcodes();
  return api;
}

void append_vformat(std::string *out, const char *fmt, va_list ap) {
  char buf[256];
  va_list copy;
  va_copy(copy, ap);
  int n = std::vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof buf) {
    out->append(buf, n);
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  big.resize(n);
  *out += big;
}

int print_plain(void *stream, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  append_vformat(static_cast<std::string *>(stream), fmt, ap);
  va_end(ap);
  return 0;
}

int print_styled(void *stream, enum disassembler_style, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  append_vformat(static_cast<std::string *>(stream), fmt, ap);
  va_end(ap);
  return 0;
}

// libopcodes separates mnemonic and operands with runs of spaces; the
// matcher wants words separated by single spaces.
std::string collapse_spaces(const std::string &s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

// One disassemble_info per decoder, set up once: initialising it for every
// instruction costs more than decoding.
struct X86Decoder::Impl {
  const OpcodesApi &api = opcodes();
  disassembler_ftype fn = nullptr;
  unsigned long mach = 0;
  disassemble_info info;
  std::string text;  // the printers' stream
};

X86Decoder::X86Decoder(int code_bits) : bits_(code_bits), impl_(new Impl) {
  const OpcodesApi &api = impl_->api;
  impl_->mach = code_bits == 64 ? bfd_mach_x86_64 : bfd_mach_i386_i386;
  impl_->fn = api.disassembler(bfd_arch_i386, false, impl_->mach, nullptr);
  disassemble_info &info = impl_->info;
  api.init_disassemble_info(&info, &impl_->text, print_plain, print_styled);
  info.arch = bfd_arch_i386;
  info.mach = impl_->mach;
  info.read_memory_func = api.buffer_read_memory;
  api.disassemble_init_for_target(&info);
}

X86Decoder::~X86Decoder() { impl_->api.disassemble_free_target(&impl_->info); }

DecodedInsn X86Decoder::decode(const uint8_t *p, size_t avail, uint64_t address) const {
  DecodedInsn out;
  if (avail == 0 || !impl_->fn) {
    out.bad = true;
    return out;
  }
  disassemble_info &info = impl_->info;
  impl_->text.clear();
  info.buffer = const_cast<bfd_byte *>(p);
  info.buffer_length = avail;
  info.buffer_vma = address;
  int n = impl_->fn(address, &info);
  out.text = collapse_spaces(impl_->text);
  if (n <= 0) {
    out.length = 1;
    out.bad = true;
  } else {
    out.length = static_cast<size_t>(n);
    // libopcodes spells what it cannot decode "(bad)", and an opcode cut
    // short by the end of the buffer ".byte 0x..".
    out.bad = out.text.find("(bad)") != std::string::npos || out.text.rfind(".byte", 0) == 0 ||
              out.length > avail;
  }
  return out;
}

const SensitiveClass *X86Decoder::classify(const DecodedInsn &insn) const {
  if (insn.bad) return nullptr;
  return previrt::classify(previrt::split_instruction(insn.text), previrt::AsmDialect{}, bits_);
}

bool is_padding_nop(const uint8_t *p, size_t len, int code_bits) {
  size_t i = 0;
  while (i < len && (p[i] == 0x66 || p[i] == 0x2e || p[i] == 0x3e)) ++i;
  if (i + 1 == len && p[i] == 0x90) return true;
  // 0f 1f /0: nopw/nopl with any memory operand; the reg field must be 0.
  if (len - i >= 3 && p[i] == 0x0f && p[i + 1] == 0x1f &&
      ((p[i + 2] >> 3) & 7) == 0)
    return true;
  if (code_bits != 32 || len - i < 2) return false;
  // GAS pads 32-bit code (without a -march that has nopl) with register
  // moves and address computations that change nothing: mov %esi,%esi and
  // lea 0x0(%esi[,%eiz,1]),%esi.
  uint8_t op = p[i], modrm = p[i + 1];
  unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
  if ((op == 0x89 || op == 0x8b) && mod == 3 && reg == rm) return i + 2 == len;
  if (op != 0x8d || (mod != 1 && mod != 2)) return false;
  size_t at = i + 2;
  if (rm == 4) {  // SIB: no index (100), base is the destination register
    if (at >= len) return false;
    uint8_t sib = p[at++];
    if (((sib >> 3) & 7) != 4 || (sib & 7) != reg) return false;
  } else if (rm != reg) {
    return false;
  }
  size_t disp = mod == 1 ? 1 : 4;
  if (at + disp != len) return false;
  for (size_t k = at; k < len; ++k)
    if (p[k] != 0) return false;
  return true;
}

const SensitiveClass *classify_encoded(const uint8_t *bytes, size_t size, int code_bits,
                                       DecodedInsn *decoded) {
  X86Decoder decoder(code_bits);
  DecodedInsn insn = decoder.decode(bytes, size, 0);
  if (decoded) *decoded = insn;
  if (insn.bad || insn.length != size) return nullptr;
  return decoder.classify(insn);
}

}  // namespace previrt
