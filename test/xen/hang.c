// SPDX-License-Identifier: MIT
/*
 * A Xen PV guest that never exits: scripts/run-xen's timeout must end it.
 * It yields its CPU in the loop so the emulated machine stays responsive.
 */
#include "xen-backend.h"
#include "hypercall.h"

int xen_pv_main(const start_info_t *si)
{
	(void)si;
	xen_console_puts("hang: looping forever\n");
	for (;;)
		xen_sched_op(SCHEDOP_yield, 0);
}
