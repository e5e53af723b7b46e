// SPDX-License-Identifier: MIT
/*
 * Linux's 64-bit boot protocol for a vmlinux entered at startup_64
 * (vmm/include/vmm/linux_boot.h).  What Linux 6.1 reads before it copies
 * the zero page (copy_bootdata, sanitize_boot_params, the e820 setup): the
 * setup header's magic numbers and version, type_of_loader, loadflags,
 * cmd_line_ptr (and ext_cmd_line_ptr for the upper half), ramdisk_image
 * and ramdisk_size (and their ext_ halves), the e820 table
 * and its count, and a zero sentinel (a loader that builds the zero page
 * from scratch, as this one does, leaves it 0).  Everything else is zero:
 * no EDD, no ACPI RSDP pointer (Linux then scans the BIOS area),
 * hardware_subarch 0 (a PC).
 */
#include "vmm/linux_boot.h"

#define PAGE 4096ULL

/* Flat 4 GiB descriptors: 64-bit code (L, P, DPL 0, execute/read,
 * accessed), data (D/B, G, P, read/write, accessed). */
#define GDT_CODE64 0x00af9b000000ffffULL
#define GDT_DATA 0x00cf93000000ffffULL

int vmm_linux_boot_prepare(const struct vmm_phys *m, const struct vmm_boot_request *r,
			   struct vmm_boot_state *out)
{
	uint64_t zp = r->area + VMM_LINUX_ZERO_PAGE_OFF, gdt = r->area + VMM_LINUX_GDT_OFF;
	uint64_t cmdline = r->area + VMM_LINUX_CMDLINE_OFF;
	struct vmm_boot_range map[VMM_LINUX_E820_MAX];
	int n;
	int err = 0;

	if ((r->area & (PAGE - 1)) || r->area + VMM_LINUX_BOOT_AREA_SIZE > r->ram_bytes ||
	    r->area + VMM_LINUX_BOOT_AREA_SIZE > (1ULL << 30))
		return -1;
	n = vmm_boot_memory_map(r, VMM_LINUX_BOOT_AREA_SIZE, map, VMM_LINUX_E820_MAX);
	if (n < 0)
		return -1;

	err |= vmm_boot_write_tables(m, r->area);
	for (uint64_t off = 0; off < PAGE; off += 8) /* from scratch */
		err |= m->write64(m->ctx, zp + off, 0);
	for (uint64_t off = 0; off < PAGE; off += 8)
		err |= m->write64(m->ctx, gdt + off, 0);

	err |= vmm_phys_store(m, zp + VMM_LINUX_BP_BOOT_FLAG, VMM_LINUX_BOOT_FLAG, 2);
	err |= vmm_phys_store(m, zp + VMM_LINUX_BP_HEADER, VMM_LINUX_HEADER_MAGIC, 4);
	err |= vmm_phys_store(m, zp + VMM_LINUX_BP_VERSION, VMM_LINUX_PROTOCOL_VERSION, 2);
	err |= vmm_phys_store(m, zp + VMM_LINUX_BP_TYPE_OF_LOADER, VMM_LINUX_LOADER_UNDEFINED, 1);
	err |= vmm_phys_store(m, zp + VMM_LINUX_BP_LOADFLAGS, VMM_LINUX_LOADED_HIGH, 1);
	err |= vmm_phys_store(m, zp + VMM_LINUX_BP_CMDLINE_SIZE, VMM_BOOT_CMDLINE_MAX - 1, 4);
	if (r->cmdline) {
		unsigned i = 0;

		for (; r->cmdline[i] && i < VMM_BOOT_CMDLINE_MAX - 1; i++)
			err |= vmm_phys_store(m, cmdline + i, (uint8_t)r->cmdline[i], 1);
		err |= vmm_phys_store(m, cmdline + i, 0, 1);
		err |= vmm_phys_store(m, zp + VMM_LINUX_BP_CMD_LINE_PTR, (uint32_t)cmdline, 4);
		err |= vmm_phys_store(m, zp + VMM_LINUX_BP_EXT_CMD_LINE_PTR, cmdline >> 32, 4);
	}
	if (r->initrd_size) {
		err |= vmm_phys_store(m, zp + VMM_LINUX_BP_RAMDISK_IMAGE, (uint32_t)r->initrd, 4);
		err |= vmm_phys_store(m, zp + VMM_LINUX_BP_EXT_RAMDISK_IMAGE, r->initrd >> 32, 4);
		err |= vmm_phys_store(m, zp + VMM_LINUX_BP_RAMDISK_SIZE, (uint32_t)r->initrd_size, 4);
		err |= vmm_phys_store(m, zp + VMM_LINUX_BP_EXT_RAMDISK_SIZE, r->initrd_size >> 32, 4);
	}
	err |= vmm_phys_store(m, zp + VMM_LINUX_BP_E820_ENTRIES, (uint64_t)n, 1);
	for (int i = 0; i < n; i++) {
		uint64_t e = zp + VMM_LINUX_BP_E820_TABLE + 20 * (uint64_t)i;

		err |= vmm_phys_store(m, e, map[i].addr, 8);
		err |= vmm_phys_store(m, e + 8, map[i].size, 8);
		err |= vmm_phys_store(m, e + 16, map[i].type, 4);
	}

	err |= m->write64(m->ctx, gdt + VMM_LINUX_BOOT_CS, GDT_CODE64);
	err |= m->write64(m->ctx, gdt + VMM_LINUX_BOOT_DS, GDT_DATA);
	if (err)
		return -1;
	out->cr3 = r->area;
	out->boot_info = zp;
	out->memmap_entries = (unsigned)n;
	out->gdt = gdt;
	return 0;
}

void vmm_linux_boot_enter(struct vmm_vcpu *v, struct vmm_regs *regs,
			  const struct vmm_boot_request *r, const struct vmm_boot_state *s)
{
	vmm_boot_enter(v, regs, r, s);
	v->gdtr.base = s->gdt;
	v->gdtr.limit = 4 * 8 - 1;
	v->seg[VMM_SEG_CS].sel = VMM_LINUX_BOOT_CS;
	v->seg[VMM_SEG_DS].sel = VMM_LINUX_BOOT_DS;
	v->seg[VMM_SEG_ES].sel = VMM_LINUX_BOOT_DS;
	v->seg[VMM_SEG_SS].sel = VMM_LINUX_BOOT_DS;
}
