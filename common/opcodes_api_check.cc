// SPDX-License-Identifier: GPL-3.0-or-later
// Build-time check of the libopcodes API elfrewrite is written against
// (binutils 2.39 and later, Debian 12 ships 2.40): init_disassemble_info()
// with a styled printer, disassembler() with four arguments. Compiled with
// -fsyntax-only, never linked. If this fails, install Debian 12's
// binutils-dev; older binutils lack the styled printer argument.
#define PACKAGE "elfrewrite"
#define PACKAGE_VERSION "0"
#include <dis-asm.h>

void elfrewrite_check_init(disassemble_info *info, void *stream, fprintf_ftype plain,
                           fprintf_styled_ftype styled) {
  init_disassemble_info(info, stream, plain, styled);
}

disassembler_ftype elfrewrite_check_disassembler() {
  return disassembler(bfd_arch_i386, false, bfd_mach_x86_64, nullptr);
}
