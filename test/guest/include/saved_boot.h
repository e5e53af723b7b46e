/* SPDX-License-Identifier: MIT */
/* The boot information, copied out of loader memory before the guest's own page tables replace the boot map. */
#ifndef GUEST_SAVED_BOOT_H
#define GUEST_SAVED_BOOT_H
#include "bootinfo.h"

#define SAVED_MEMMAP_MAX 64

struct saved_boot {
	struct guest_boot_info info;
	struct guest_memmap_entry memmap[SAVED_MEMMAP_MAX];
	unsigned memmap_entries;
	char cmdline[256];
};
extern struct saved_boot saved_boot;

#endif
