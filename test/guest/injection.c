// SPDX-License-Identifier: MIT
/*
 * Fault injection for the in-place VMM's diagnostics (command-line words;
 * docs/guest-boot.md).  Natively both are harmless and the guest ends with
 * status 0 after one line; a rewritten guest must instead be stopped by the
 * VMM with a diagnostic that names the address.
 *
 *   unannotated     mov %cr3, %rax spelled as two .byte directives, which
 *                   pv-as does not take for one instruction: a sensitive
 *                   instruction without a site.
 *   jump-into-site  a jump to byte 1 of the 8-byte site of an sti (natively
 *                   six DS prefixes and the sti itself; rewritten, the middle
 *                   of the NOP in front of the call into the VMM).
 */
#include "console.h"
#include "test.h"
#include "injection.h"
#include "lib.h"

static __attribute__((noinline)) void unannotated(void)
{
	unsigned long cr3;

	asm volatile(".byte 0x0f\n\t"
		     ".byte 0x20, 0xd8" /* mov %cr3, %rax */
		     : "=a"(cr3));
	(void)cr3;
}

static void jump_into_site(void)
{
	asm volatile("leaq 1f+1(%%rip), %%rax\n\t"
		     "jmp *%%rax\n"
		     "1:\n\t"
		     "sti\n\t"
		     "cli"
		     : : : "rax", "memory");
}

void injection_run(const char *cmdline)
{
	int any = 0;

	if (cmdline_has_word(cmdline, "unannotated")) {
		unannotated();
		any = 1;
	}
	if (cmdline_has_word(cmdline, "jump-into-site")) {
		jump_into_site();
		any = 1;
	}
	if (any) {
		console_puts("previrt-guest: injected faults went unnoticed\n");
		guest_exit(GUEST_PASSED);
	}
}
