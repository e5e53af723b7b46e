/* SPDX-License-Identifier: MIT */
/* Console on the 16550 UART at 0x3f8 (port I/O only) and a tiny formatter. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H
#include "types.h"

void console_init(void);
void console_puts(const char *s);
/*
 * Formats %s %c %d %u %x (optional 0-padded width, optional l) and %%:
 * enough for result lines. format() always NUL-terminates (size > 0) and
 * returns the length the full output would have.
 */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t format(char *buf, size_t size, const char *fmt, va_list ap);
size_t format_str(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
