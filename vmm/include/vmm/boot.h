/* SPDX-License-Identifier: MIT */
/*
 * The boot state a guest's documented 64-bit entry expects
 * (docs/guest-boot.md): long mode at CPL 0, IF clear, page tables that map
 * [0, 1 GiB) 1:1, and %rsi pointing at a boot-info structure with the
 * memory map and command line.  A backend calls vmm_boot_prepare with what
 * its hypervisor handed over, then vmm_boot_enter, then resumes the guest.
 */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include <stdint.h>

#include "vmm/paging.h"
#include "vmm/vmm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The boot-info ABI of docs/guest-boot.md ("pgbt", version 1). */
#define VMM_BOOT_MAGIC 0x74626770u
#define VMM_BOOT_VERSION 1
#define VMM_BOOT_INFO_SIZE 32
#define VMM_MEMMAP_ENTRY_SIZE 24
#define VMM_E820_RAM 1
#define VMM_E820_RESERVED 2

/* One range of guest-physical memory for the map. */
struct vmm_boot_range {
	uint64_t addr, size;
	uint32_t type;
};

#define VMM_BOOT_MAX_RANGES 8
#define VMM_BOOT_CMDLINE_MAX 1024

struct vmm_boot_request {
	uint64_t ram_bytes;         /* guest-physical RAM from 0 */
	uint64_t area;              /* where to build: page-aligned guest-physical
				       address of VMM_BOOT_AREA_SIZE free RAM bytes */
	const struct vmm_boot_range *reserved; /* ranges the guest must not use */
	unsigned reserved_count;
	const char *cmdline;        /* may be 0 */
	uint64_t entry;             /* the guest's 64-bit entry (virtual = physical) */
	uint64_t initrd, initrd_size; /* guest-physical initial RAM disk, or 0, 0
				       (Linux's protocol only; guest-boot.md has none) */
};

/* PML4, PDPT, one PD (2 MiB pages for the first GiB), then the boot info,
 * the memory map and the command line. */
#define VMM_BOOT_AREA_SIZE (4 * 4096 + VMM_BOOT_CMDLINE_MAX)

struct vmm_boot_state {
	uint64_t cr3;               /* the boot page tables */
	uint64_t boot_info;         /* the value for %rsi */
	unsigned memmap_entries;
	uint64_t gdt;               /* a boot GDT to load (base; 4 entries), or 0 */
};

/* Writes the boot page tables, boot info, memory map and command line into
 * guest-physical memory.  Returns 0, or -1 if the request does not fit (the
 * area outside RAM or not page-aligned, too many ranges). */
int vmm_boot_prepare(const struct vmm_phys *m, const struct vmm_boot_request *r,
		     struct vmm_boot_state *out);

/* Pieces shared by the boot protocols (boot.c, linux_boot.c). */

/* Stores the low len bytes of value at gpa (any alignment).  0 or -1. */
int vmm_phys_store(const struct vmm_phys *m, uint64_t gpa, uint64_t value, unsigned len);

/* The memory map of a request, in address order: RAM from 0 to ram_bytes
 * with the reserved ranges and [area, area + area_size) cut out and listed
 * as reserved.  Returns the number of entries written to out, or -1 (too
 * many ranges, more than max entries). */
int vmm_boot_memory_map(const struct vmm_boot_request *r, uint64_t area_size,
			struct vmm_boot_range *out, unsigned max);

/* Takes the pages of [addr, addr + size) (whole pages: start rounded down,
 * end up) out of the *n ranges in r, splitting a range that holds them in
 * its middle; a range left empty is dropped.  For memory that lies among
 * reserved ranges but is the guest's (an initrd after the image).  Returns
 * 0, or -1 if a split would need more than max ranges (r unchanged). */
int vmm_boot_ranges_cut(struct vmm_boot_range *r, unsigned *n, unsigned max, uint64_t addr,
			uint64_t size);

/* Writes three page tables at pml4 (PML4, PDPT, PD: 3 pages) mapping
 * [0, 1 GiB) 1:1 with 2 MiB pages, present, writable, supervisor. */
int vmm_boot_write_tables(const struct vmm_phys *m, uint64_t pml4);

/* Puts the vCPU into the entry state: CPL 0, IF clear, cr3, rip = entry,
 * rsi = boot info. */
void vmm_boot_enter(struct vmm_vcpu *v, struct vmm_regs *regs, const struct vmm_boot_request *r,
		    const struct vmm_boot_state *s);

#ifdef __cplusplus
}
#endif

#endif
