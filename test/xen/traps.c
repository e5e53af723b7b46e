// SPDX-License-Identifier: MIT
/*
 * Exceptions through the trap table and the hook the VMM will use:
 *   ud2   #UD (a fault: rip at the instruction); the hook skips it and
 *         writes a value into the frame's rax, which the guest must see
 *   int3  #BP (a trap: rip after it), allowed from the kernel by the DPL
 *   #PF   a write to an unmapped page; the hook sees the address (the PV
 *         cr2 in vcpu_info) and the error code, then resumes at a label
 * Exit status 0 if every step held.  (An exception with no hook is reported
 * and crashes the domain: test/xen/crash.c.)
 */
#include "xen-backend.h"
#include "traps.h"

#define UD_MARK 0x5eedUL
#define UNMAPPED ((volatile unsigned long *)0x2000)

static volatile unsigned long seen_vector, seen_error, seen_cr2, hits;
static volatile unsigned long pf_resume_rip;

static int hook(struct xen_trap_frame *f)
{
	hits++;
	seen_vector = f->vector;
	seen_error = f->error_code;
	switch (f->vector) {
	case 6:
		f->rip += 2; /* ud2 */
		f->rax = UD_MARK;
		return 1;
	case 3:
		return 1; /* already past the int3 */
	case 14:
		seen_cr2 = xen_shared_info->vcpu_info[0].arch.cr2;
		f->rip = pf_resume_rip;
		return 1;
	}
	return 0;
}

static int fail(const char *what)
{
	xen_console_puts("traps: FAIL: ");
	xen_console_puts(what);
	xen_console_puts("\n");
	return 1;
}

int xen_pv_main(const start_info_t *si)
{
	unsigned long rax;

	(void)si;
	xen_set_trap_hook(hook);

	__asm__ volatile("xorl %%eax, %%eax\n\tud2" : "=a"(rax) : : "memory");
	if (hits != 1 || seen_vector != 6 || rax != UD_MARK)
		return fail("#UD not handled through the hook");
	xen_console_puts("traps: #UD handled, rax set by the hook\n");

	__asm__ volatile("int3" ::: "memory");
	if (hits != 2 || seen_vector != 3)
		return fail("#BP not handled through the hook");
	xen_console_puts("traps: #BP handled\n");

	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
	                 "movq %%rax, %0\n\t"
	                 "movq $1, (%1)\n"
	                 "1:"
	                 : "=m"(pf_resume_rip)
	                 : "r"(UNMAPPED)
	                 : "rax", "memory");
	if (hits != 3 || seen_vector != 14 || seen_cr2 != (unsigned long)UNMAPPED ||
	    (seen_error & 2) == 0)
		return fail("#PF not reported with its address and a write error code");
	xen_console_puts("traps: #PF handled, address and error code seen\n");
	return 0;
}
