/* SPDX-License-Identifier: MIT */
/* Kernel command line parsing. Pure logic, also unit-tested on the host (unit/). */
#include "lib.h"

int cmdline_has_word(const char *cmdline, const char *word)
{
	size_t len = strlen(word);
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *start = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - start) == len && !memcmp(start, word, len))
			return 1;
	}
	return 0;
}
