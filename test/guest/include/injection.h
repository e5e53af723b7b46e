/* SPDX-License-Identifier: MIT */
/* Fault injection for the VMM's diagnostics (injection.c). */
#ifndef GUEST_INJECTION_H
#define GUEST_INJECTION_H

/* Runs the injections cmdline names; if any ran (natively: harmlessly),
 * prints one line and ends the guest with status 0. */
void injection_run(const char *cmdline);

#endif
