/* SPDX-License-Identifier: MIT */
/* The few C library functions gcc may call even in freestanding code. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H
#include "types.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
/* Whether the space-separated command line contains word. */
int cmdline_has_word(const char *cmdline, const char *word);

#endif
