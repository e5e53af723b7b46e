/* SPDX-License-Identifier: MIT */
/*
 * Linux's 64-bit boot protocol (Documentation/x86/boot.rst, "64-bit Boot
 * Protocol"), as a boot loader provides it to a vmlinux entered at
 * startup_64: long mode at CPL 0, IF clear, page tables that map the
 * kernel, the zero page and the command line 1:1, a GDT with flat
 * __BOOT_CS (0x10) and __BOOT_DS (0x18) loaded in CS and DS/ES/SS, and
 * %rsi = the zero page (struct boot_params).
 *
 * The same vmm_boot_request as the guest-boot.md protocol (vmm/boot.h); a
 * larger area, laid out as
 *   +0x0000 PML4, +0x1000 PDPT, +0x2000 PD (2 MiB pages, [0, 1 GiB) 1:1)
 *   +0x3000 the zero page
 *   +0x4000 the boot GDT (4 entries), +0x4040 the command line
 */
#ifndef VMM_LINUX_BOOT_H
#define VMM_LINUX_BOOT_H

#include <stdint.h>

#include "vmm/boot.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VMM_LINUX_BOOT_AREA_SIZE (5 * 4096)
#define VMM_LINUX_ZERO_PAGE_OFF 0x3000
#define VMM_LINUX_GDT_OFF 0x4000
#define VMM_LINUX_CMDLINE_OFF 0x4040

/* The boot_params fields written (offsets of arch/x86/include/uapi/asm/
 * bootparam.h; the setup header starts at 0x1f1). */
#define VMM_LINUX_BP_E820_ENTRIES 0x1e8
#define VMM_LINUX_BP_SENTINEL 0x1ef
#define VMM_LINUX_BP_BOOT_FLAG 0x1fe    /* 0xaa55 */
#define VMM_LINUX_BP_HEADER 0x202       /* "HdrS" */
#define VMM_LINUX_BP_VERSION 0x206
#define VMM_LINUX_BP_TYPE_OF_LOADER 0x210
#define VMM_LINUX_BP_LOADFLAGS 0x211
#define VMM_LINUX_BP_RAMDISK_IMAGE 0x218
#define VMM_LINUX_BP_RAMDISK_SIZE 0x21c
#define VMM_LINUX_BP_CMD_LINE_PTR 0x228
#define VMM_LINUX_BP_CMDLINE_SIZE 0x238
#define VMM_LINUX_BP_EXT_RAMDISK_IMAGE 0x0c0
#define VMM_LINUX_BP_EXT_RAMDISK_SIZE 0x0c4
#define VMM_LINUX_BP_EXT_CMD_LINE_PTR 0x0c8
#define VMM_LINUX_BP_E820_TABLE 0x2d0   /* 20-byte entries: addr, size, type */
#define VMM_LINUX_E820_MAX 128

#define VMM_LINUX_BOOT_FLAG 0xaa55
#define VMM_LINUX_HEADER_MAGIC 0x53726448u /* "HdrS" */
#define VMM_LINUX_PROTOCOL_VERSION 0x020f  /* what Linux 6.1's header says */
#define VMM_LINUX_LOADER_UNDEFINED 0xff
#define VMM_LINUX_LOADED_HIGH 0x01
#define VMM_LINUX_BOOT_CS 0x10
#define VMM_LINUX_BOOT_DS 0x18

/* Writes the page tables, the zero page (e820 map of vmm_boot_memory_map
 * with the whole area reserved, command line, initrd, the setup-header
 * fields a boot loader sets), the boot GDT and the command line into guest-physical
 * memory at r->area.  Returns 0, or -1 if the request does not fit (area
 * not page-aligned, outside RAM or the first GiB, too many ranges). */
int vmm_linux_boot_prepare(const struct vmm_phys *m, const struct vmm_boot_request *r,
			   struct vmm_boot_state *out);

/* vmm_boot_enter, then the protocol's segments: GDTR = the boot GDT,
 * CS = __BOOT_CS, DS/ES/SS = __BOOT_DS. */
void vmm_linux_boot_enter(struct vmm_vcpu *v, struct vmm_regs *regs,
			  const struct vmm_boot_request *r, const struct vmm_boot_state *s);

#ifdef __cplusplus
}
#endif

#endif
