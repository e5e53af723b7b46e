// SPDX-License-Identifier: MIT
/*
 * Smallest Xen PV guest built from the backend: prints one line and exits
 * with HELLO_EXIT_STATUS (set at build time), which scripts/run-xen must
 * return.  Also reports whether Xen made it the initial domain (the console
 * it uses is a dom0 facility) and echoes its command line, which the runner
 * builds from its ARGS.
 */
#include "xen-backend.h"

#ifndef HELLO_EXIT_STATUS
#error "build with -DHELLO_EXIT_STATUS=N"
#endif

int xen_pv_main(const start_info_t *si)
{
	xen_console_puts("hello from xen pv\n");
	xen_console_puts((si->flags & SIF_INITDOMAIN) ? "domain: initial\n" : "domain: other\n");
	xen_console_puts("pages: ");
	xen_console_put_udec(si->nr_pages);
	xen_console_puts("\ncmdline: ");
	xen_console_puts((const char *)si->cmd_line);
	xen_console_puts("\n");
	return HELLO_EXIT_STATUS;
}
