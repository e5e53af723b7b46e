// SPDX-License-Identifier: MIT
/*
 * A Xen PV guest that faults before it can exit: it has no trap table, so
 * Xen crashes the domain (for dom0: resets the machine after a delay).  The
 * runner must report that as "no exit line", not as any guest status.
 */
#include "xen-backend.h"

int xen_pv_main(const start_info_t *si)
{
	(void)si;
	xen_console_puts("crash: writing to an unmapped page\n");
	*(volatile unsigned long *)0x1000 = 1;
	return 0;
}
