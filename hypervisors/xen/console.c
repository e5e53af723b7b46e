// SPDX-License-Identifier: MIT
/*
 * Console output of a Xen PV guest through the console_io hypercall.
 *
 * ABI: HYPERVISOR_console_io(CONSOLEIO_write, count, buffer) writes count
 * bytes from a guest-virtual buffer to Xen's own console (here the serial
 * port qemu shows).  Xen honours it for the hardware domain (dom0) without
 * any prefix; other domains' writes are dropped unless Xen was built with
 * guest console debugging, and normally use the shared console ring that
 * start_info->console describes instead.  Xen copies long buffers in chunks
 * by restarting the hypercall itself (a continuation) and returns 0 once all
 * is written, or a negative error.
 */
#include "xen-backend.h"
#include "hypercall.h"

void xen_console_write(const char *buf, unsigned long len)
{
	/* count is 32 bits wide in the ABI. */
	while (len > 0) {
		unsigned int chunk = len > 0x10000 ? 0x10000 : (unsigned int)len;

		if (xen_console_io(CONSOLEIO_write, chunk, buf) < 0)
			return; /* nowhere left to report the failure */
		buf += chunk;
		len -= chunk;
	}
}

void xen_console_puts(const char *s)
{
	unsigned long n = 0;

	while (s[n] != '\0')
		n++;
	xen_console_write(s, n);
}

void xen_console_put_udec(unsigned long value)
{
	char digits[20];
	int i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	xen_console_write(digits + i, sizeof(digits) - (unsigned long)i);
}

void xen_console_put_hex(uint64_t value)
{
	char digits[18] = "0x";
	int i;

	for (i = 0; i < 16; i++)
		digits[2 + i] = "0123456789abcdef"[(value >> (60 - 4 * i)) & 0xf];
	xen_console_write(digits, sizeof(digits));
}
