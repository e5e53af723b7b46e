/* SPDX-License-Identifier: MIT */
/* The boot-info structure handed to guest_entry64 (docs/guest-boot.md). */
#include "saved_boot.h"
#include "test.h"

extern char __image_start[], __image_end[];

void test_bootinfo(void)
{
	struct test t;
	test_begin(&t, "boot-info");
	EXPECT_EQ(&t, "magic", saved_boot.info.magic, GUEST_BOOT_MAGIC);
	EXPECT_EQ(&t, "version", saved_boot.info.version, GUEST_BOOT_VERSION);
	EXPECT_TRUE(&t, "memory map is empty", saved_boot.memmap_entries > 0);
	int covered = 0;
	for (unsigned i = 0; i < saved_boot.memmap_entries; i++) {
		const struct guest_memmap_entry *e = &saved_boot.memmap[i];
		if (e->type == MEMMAP_TYPE_RAM && e->addr <= (u64)__image_start &&
		    e->addr + e->size >= (u64)__image_end)
			covered = 1;
	}
	EXPECT_TRUE(&t, "no RAM entry covers the guest image", covered);
	test_end(&t);
}
