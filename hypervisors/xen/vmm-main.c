// SPDX-License-Identifier: MIT
/*
 * The in-place VMM on Xen: what xen_pv_main does in a rewritten image.
 */
#include "xen-backend.h"
#include "vmm-image.h"

int xen_pv_main(const start_info_t *si)
{
	(void)si;
	xen_console_puts("previrt-vmm: guest entry ");
	xen_console_put_udec(VMM_IMAGE_VALUE(previrt_guest_entry));
	xen_console_puts(", ");
	xen_console_put_udec((unsigned long)(previrt_site_descs_end - previrt_site_descs));
	xen_console_puts(" sites\n");
	return 1;
}
