// SPDX-License-Identifier: MIT
/*
 * Builds the state of docs/guest-boot.md's 64-bit entry in guest-physical
 * memory: boot page tables mapping [0, 1 GiB) 1:1 with 2 MiB pages
 * (present, writable, supervisor, executable), the boot-info structure, a
 * memory map (RAM from 0 to ram_bytes, the caller's reserved ranges cut
 * out and listed as reserved, the boot area itself reserved), and a copy of
 * the command line.  The guest copies all of it before it installs its own
 * tables, as the entry contract says.
 */
#include "vmm/boot.h"

#define PAGE 4096ULL
#define PTE_BOOT (X86_PTE_P | X86_PTE_W)

int vmm_phys_store(const struct vmm_phys *m, uint64_t gpa, uint64_t value, unsigned len)
{
	while (len) {
		uint64_t word, aligned = gpa & ~7ULL;
		unsigned off = (unsigned)(gpa & 7), n = 8 - off < len ? 8 - off : len;
		uint64_t mask = (n == 8 ? ~0ULL : ((1ULL << (8 * n)) - 1)) << (8 * off);

		if (m->read64(m->ctx, aligned, &word))
			return -1;
		word = (word & ~mask) | ((value << (8 * off)) & mask);
		if (m->write64(m->ctx, aligned, word))
			return -1;
		value = n == 8 ? 0 : value >> (8 * n);
		gpa += n;
		len -= n;
	}
	return 0;
}

struct map_builder {
	struct vmm_boot_range out[2 * VMM_BOOT_MAX_RANGES + 2];
	unsigned n;
};

static void add(struct map_builder *b, uint64_t addr, uint64_t end, uint32_t type)
{
	if (end > addr && b->n < sizeof(b->out) / sizeof(b->out[0])) {
		b->out[b->n].addr = addr;
		b->out[b->n].size = end - addr;
		b->out[b->n].type = type;
		b->n++;
	}
}

/* RAM with the reserved ranges (sorted here) cut out, in address order. */
static int build_map(const struct vmm_boot_request *r, uint64_t area_size, struct map_builder *b)
{
	struct vmm_boot_range res[VMM_BOOT_MAX_RANGES + 1];
	unsigned n = 0;
	uint64_t at = 0;

	if (r->reserved_count > VMM_BOOT_MAX_RANGES)
		return -1;
	for (unsigned i = 0; i < r->reserved_count; i++)
		res[n++] = r->reserved[i];
	res[n].addr = r->area;
	res[n].size = area_size;
	res[n].type = VMM_E820_RESERVED;
	n++;
	for (unsigned i = 1; i < n; i++) /* insertion sort: a handful of ranges */
		for (unsigned j = i; j > 0 && res[j].addr < res[j - 1].addr; j--) {
			struct vmm_boot_range t = res[j];

			res[j] = res[j - 1];
			res[j - 1] = t;
		}
	b->n = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = res[i].addr, end = res[i].addr + res[i].size;

		if (start < at)
			start = at; /* overlapping reservations merge */
		if (end <= at)
			continue;
		add(b, at, start < r->ram_bytes ? start : r->ram_bytes, VMM_E820_RAM);
		add(b, start, end, VMM_E820_RESERVED);
		at = end;
	}
	add(b, at, r->ram_bytes, VMM_E820_RAM);
	return 0;
}

int vmm_boot_memory_map(const struct vmm_boot_request *r, uint64_t area_size,
			struct vmm_boot_range *out, unsigned max)
{
	struct map_builder b;

	if (build_map(r, area_size, &b) || b.n > max)
		return -1;
	for (unsigned i = 0; i < b.n; i++)
		out[i] = b.out[i];
	return (int)b.n;
}

int vmm_boot_ranges_cut(struct vmm_boot_range *r, unsigned *n, unsigned max, uint64_t addr,
			uint64_t size)
{
	uint64_t lo = addr & ~(PAGE - 1), hi = (addr + size + PAGE - 1) & ~(PAGE - 1);
	struct vmm_boot_range out[2 * VMM_BOOT_MAX_RANGES];
	unsigned k = 0;

	if (!size)
		return 0;
	if (*n > VMM_BOOT_MAX_RANGES)
		return -1;
	for (unsigned i = 0; i < *n; i++) {
		uint64_t start = r[i].addr, end = r[i].addr + r[i].size;

		if (hi <= start || lo >= end) {
			out[k++] = r[i];
			continue;
		}
		if (start < lo)
			out[k++] = (struct vmm_boot_range){ start, lo - start, r[i].type };
		if (hi < end)
			out[k++] = (struct vmm_boot_range){ hi, end - hi, r[i].type };
	}
	if (k > max)
		return -1;
	for (unsigned i = 0; i < k; i++)
		r[i] = out[i];
	*n = k;
	return 0;
}

int vmm_boot_write_tables(const struct vmm_phys *m, uint64_t pml4)
{
	uint64_t pdpt = pml4 + PAGE, pd = pdpt + PAGE;
	int err = 0;

	for (uint64_t i = 0; i < 512; i++) {
		err |= m->write64(m->ctx, pml4 + 8 * i, i == 0 ? pdpt | PTE_BOOT : 0);
		err |= m->write64(m->ctx, pdpt + 8 * i, i == 0 ? pd | PTE_BOOT : 0);
		err |= m->write64(m->ctx, pd + 8 * i, (i << 21) | PTE_BOOT | X86_PTE_PS);
	}
	return err ? -1 : 0;
}

int vmm_boot_prepare(const struct vmm_phys *m, const struct vmm_boot_request *r,
		     struct vmm_boot_state *out)
{
	uint64_t pml4 = r->area, info = pml4 + 3 * PAGE;
	uint64_t map = info + VMM_BOOT_INFO_SIZE, cmdline = r->area + 3 * PAGE + PAGE;
	struct map_builder b;
	int err = 0;

	if ((r->area & (PAGE - 1)) || r->area + VMM_BOOT_AREA_SIZE > r->ram_bytes ||
	    r->area + VMM_BOOT_AREA_SIZE > (1ULL << 30))
		return -1;
	if (build_map(r, VMM_BOOT_AREA_SIZE, &b))
		return -1;
	if (map + b.n * VMM_MEMMAP_ENTRY_SIZE > cmdline)
		return -1;

	err |= vmm_boot_write_tables(m, pml4);
	err |= vmm_phys_store(m, info + 0, VMM_BOOT_MAGIC, 4);
	err |= vmm_phys_store(m, info + 4, VMM_BOOT_VERSION, 4);
	err |= vmm_phys_store(m, info + 8, r->cmdline ? cmdline : 0, 8);
	err |= vmm_phys_store(m, info + 16, b.n ? map : 0, 8);
	err |= vmm_phys_store(m, info + 24, b.n, 4);
	err |= vmm_phys_store(m, info + 28, 0, 4);
	for (unsigned i = 0; i < b.n; i++) {
		uint64_t e = map + i * VMM_MEMMAP_ENTRY_SIZE;

		err |= vmm_phys_store(m, e, b.out[i].addr, 8);
		err |= vmm_phys_store(m, e + 8, b.out[i].size, 8);
		err |= vmm_phys_store(m, e + 16, b.out[i].type, 4);
		err |= vmm_phys_store(m, e + 20, 0, 4);
	}
	if (r->cmdline) {
		unsigned i = 0;

		for (; r->cmdline[i] && i < VMM_BOOT_CMDLINE_MAX - 1; i++)
			err |= vmm_phys_store(m, cmdline + i, (uint8_t)r->cmdline[i], 1);
		err |= vmm_phys_store(m, cmdline + i, 0, 1);
	}
	if (err)
		return -1;
	out->cr3 = pml4;
	out->boot_info = info;
	out->memmap_entries = b.n;
	out->gdt = 0;
	return 0;
}

void vmm_boot_enter(struct vmm_vcpu *v, struct vmm_regs *regs, const struct vmm_boot_request *r,
		    const struct vmm_boot_state *s)
{
	v->cr3 = s->cr3;
	vmm_set_cpl(v, 0);
	vmm_set_vif(v, 0);
	vmm_set_vflags_sys(v, 0);
	v->seg[VMM_SEG_CS].sel = 0x08; /* any 64-bit DPL-0 code selector will do */
	regs->rip = r->entry;
	regs->gpr[VMM_RSI] = s->boot_info;
	regs->rflags &= ~(uint64_t)X86_FLAGS_DF;
	if (v->backend && v->backend->tlb_flush)
		v->backend->tlb_flush(v->backend->ctx, v->cr3, VMM_TLB_FLUSH_ALL);
}
