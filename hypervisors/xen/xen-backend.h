/* SPDX-License-Identifier: MIT */
/*
 * The Xen PV backend as the rest of a guest image sees it.
 *
 * Boot flow: Xen enters xen_pv_start (start.S) -> xen_pv_boot (boot.c)
 * records start_info, maps shared_info, installs the default trap table
 * (traps.c: an unexpected exception is reported, not silently fatal) ->
 * xen_pv_main(), which the image provides (the in-place VMM, or a test's
 * own main) -> its return value goes to xen_exit().
 *
 * Exit-status convention (what scripts/run-xen understands): the guest's
 * last console line is "previrt-exit: N" (N a decimal 0..255), then it asks
 * Xen for SCHEDOP_shutdown with reason SHUTDOWN_reboot.  A dom0 reboot makes
 * Xen reset the machine, which ends qemu under -no-reboot; the runner
 * returns N.
 */
#ifndef PREVIRT_XEN_BACKEND_H
#define PREVIRT_XEN_BACKEND_H

#include "xen-public.h"

/* The line prefix scripts/run-xen looks for. */
#define XEN_EXIT_LINE_PREFIX "previrt-exit: "

/* start_info as Xen passed it to xen_pv_start, and the shared_info page
 * mapped at boot; both valid when xen_pv_main runs. */
extern const start_info_t *xen_start_info;
extern shared_info_t *xen_shared_info;

/* Provided by the image: runs with the boot stack, events masked. */
int xen_pv_main(const start_info_t *si);

/* C side of the entry; never returns. */
void xen_pv_boot(const start_info_t *si) __attribute__((noreturn));

/* Console (CONSOLEIO_write on Xen's console; a dom0 facility). */
void xen_console_write(const char *buf, unsigned long len);
void xen_console_puts(const char *s);          /* no newline added */
void xen_console_put_udec(unsigned long value);
void xen_console_put_hex(uint64_t value);      /* 0x and 16 digits */

/* Prints the exit line and shuts the domain down with SHUTDOWN_reboot. */
void xen_exit(int status) __attribute__((noreturn));

/* SCHEDOP_shutdown with the given SHUTDOWN_* reason; never returns. */
void xen_shutdown(unsigned int reason) __attribute__((noreturn));

#endif
