// SPDX-License-Identifier: MIT
/*
 * C side of the Xen PV start of day, and the way out.
 *
 * start.S calls xen_pv_boot() on our own stack with the start_info pointer
 * Xen passed in %rsi.  start_info begins with a magic string
 * "xen-<version>-<arch>" (e.g. "xen-3.0-x86_64"); we check its arch part so
 * that an image entered some other way (a native boot that jumped here by
 * mistake) stops loudly instead of misreading memory.
 *
 * shared_info (event channels, time, the PV cr2) is not mapped for a PV
 * guest: start_info.shared_info holds its machine address, and we map it
 * over a page of our own image with update_va_mapping (a PV guest's
 * page-table entries hold machine frame numbers, not guest-physical ones).
 *
 * Leaving: a PV guest cannot halt or reset the machine itself; it asks Xen
 * with SCHEDOP_shutdown and a reason.  For dom0, Xen then acts on the whole
 * machine: SHUTDOWN_poweroff halts it (qemu keeps running, idle),
 * SHUTDOWN_reboot resets it (qemu -no-reboot exits at once),
 * SHUTDOWN_crash reboots after a delay.  Hence the exit convention of
 * xen-backend.h: print the status, then reboot.
 */
#include "xen-backend.h"
#include "hypercall.h"
#include "traps.h"

/* x86 page-table entry bits (architectural, not Xen ABI). */
#define X86_PTE_PRESENT  0x001ULL
#define X86_PTE_WRITE    0x002ULL
#define X86_PTE_ACCESSED 0x020ULL
#define X86_PTE_DIRTY    0x040ULL
#define X86_PAGE_MASK    (~0xfffULL)

const start_info_t *xen_start_info;
shared_info_t *xen_shared_info;

static char shared_info_page[4096] __attribute__((aligned(4096)));

static int magic_is_x86_64(const char *magic)
{
	static const char want[] = "-x86_64";
	unsigned long n = 0, k;

	while (n < sizeof(((start_info_t *)0)->magic) && magic[n] != '\0')
		n++;
	if (n < sizeof(want) - 1 || magic[0] != 'x' || magic[1] != 'e' || magic[2] != 'n')
		return 0;
	for (k = 0; k < sizeof(want) - 1; k++)
		if (magic[n - (sizeof(want) - 1) + k] != want[k])
			return 0;
	return 1;
}

void xen_pv_boot(const start_info_t *si)
{
	if (si == 0 || !magic_is_x86_64(si->magic)) {
		xen_console_puts("xen-pv: entered without a valid start_info\n");
		xen_shutdown(SHUTDOWN_crash);
	}
	xen_start_info = si;
	if (xen_update_va_mapping((unsigned long)shared_info_page,
	                          (si->shared_info & X86_PAGE_MASK) | X86_PTE_PRESENT |
	                                  X86_PTE_WRITE | X86_PTE_ACCESSED | X86_PTE_DIRTY,
	                          UVMF_INVLPG | UVMF_LOCAL) < 0) {
		xen_console_puts("xen-pv: cannot map shared_info\n");
		xen_shutdown(SHUTDOWN_crash);
	}
	xen_shared_info = (shared_info_t *)shared_info_page;
	if (xen_install_default_traps() < 0) {
		xen_console_puts("xen-pv: set_trap_table failed\n");
		xen_shutdown(SHUTDOWN_crash);
	}
	xen_exit(xen_pv_main(si));
}

void xen_shutdown(unsigned int reason)
{
	struct sched_shutdown shutdown = { .reason = reason };

	xen_sched_op(SCHEDOP_shutdown, &shutdown);
	/* Only reached if Xen refused; crashing the domain is all that is left. */
	shutdown.reason = SHUTDOWN_crash;
	for (;;)
		xen_sched_op(SCHEDOP_shutdown, &shutdown);
}

void xen_exit(int status)
{
	/* One write, so that no message of Xen's can land inside the line. */
	static const char prefix[] = XEN_EXIT_LINE_PREFIX;
	char line[sizeof(prefix) + 4];
	unsigned int value = (unsigned int)status & 0xff, n = sizeof(prefix) - 1, i;

	for (i = 0; i < n; i++)
		line[i] = prefix[i];
	if (value >= 100)
		line[n++] = (char)('0' + value / 100);
	if (value >= 10)
		line[n++] = (char)('0' + value / 10 % 10);
	line[n++] = (char)('0' + value % 10);
	line[n++] = '\n';
	xen_console_write(line, n);
	xen_shutdown(SHUTDOWN_reboot);
}
