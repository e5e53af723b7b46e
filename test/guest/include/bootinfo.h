/* SPDX-License-Identifier: MIT */
/*
 * The boot-info structure the 64-bit entry receives in %rsi (see
 * docs/guest-boot.md). The layout is fixed: the 32-bit PVH entry fills it
 * from Xen's hvm_start_info, and a VMM that enters at guest_entry64 fills it
 * from whatever its hypervisor provides.
 */
#ifndef GUEST_BOOTINFO_H
#define GUEST_BOOTINFO_H

#define GUEST_BOOT_MAGIC 0x74626770u /* "pgbt" little-endian */
#define GUEST_BOOT_VERSION 1

/* Offsets used by the assembly that fills the structure. */
#define BOOTINFO_MAGIC 0
#define BOOTINFO_VERSION 4
#define BOOTINFO_CMDLINE 8
#define BOOTINFO_MEMMAP 16
#define BOOTINFO_MEMMAP_ENTRIES 24

#define MEMMAP_TYPE_RAM 1

#ifndef __ASSEMBLER__
#include "types.h"

struct guest_memmap_entry {
	u64 addr;
	u64 size;
	u32 type; /* E820 type: 1 = RAM */
	u32 reserved;
};

struct guest_boot_info {
	u32 magic;          /* GUEST_BOOT_MAGIC */
	u32 version;        /* GUEST_BOOT_VERSION */
	u64 cmdline;        /* address of a NUL-terminated string, 0 if none */
	u64 memmap;         /* address of memmap_entries guest_memmap_entry */
	u32 memmap_entries;
	u32 reserved;
};

typedef char guest_boot_info_size_check[sizeof(struct guest_boot_info) == 32 ? 1 : -1];
#endif

#endif
