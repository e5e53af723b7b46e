/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting into a buffer. Pure logic with no hardware access,
 * so it is also compiled for the host and unit-tested (unit/).
 */
#include "console.h"

struct sink {
	char *buf;
	size_t size, len;
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_unsigned(struct sink *s, u64 v, unsigned base, int width)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (int pad = width - n; pad > 0; pad--)
		put(s, '0');
	while (n)
		put(s, digits[--n]);
}

size_t format(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&s, *fmt);
			continue;
		}
		int is_long = 0, width = 0;
		fmt++;
		if (*fmt == '0')
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				width = width * 10 + (*fmt - '0');
		if (*fmt == 'l') {
			is_long = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *str = va_arg(ap, const char *);
			while (*str)
				put(&s, *str++);
			break;
		}
		case 'c':
			put(&s, (char)va_arg(ap, int));
			break;
		case 'd': {
			s64 v = is_long ? va_arg(ap, s64) : va_arg(ap, int);
			if (v < 0) {
				put(&s, '-');
				v = -v;
			}
			put_unsigned(&s, (u64)v, 10, width);
			break;
		}
		case 'u':
			put_unsigned(&s, is_long ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, width);
			break;
		case 'x':
			put_unsigned(&s, is_long ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, width);
			break;
		case '%':
			put(&s, '%');
			break;
		default:
			put(&s, '?');
			break;
		}
	}
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return s.len;
}

size_t format_str(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = format(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
