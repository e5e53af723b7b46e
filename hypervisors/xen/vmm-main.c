// SPDX-License-Identifier: MIT
/*
 * The in-place VMM on Xen: xen_pv_main of a rewritten image.
 *
 * Boot (Xen has loaded the image, the VMM's region included, and entered
 * xen_pv_start on its own page tables):
 *   1. memory: the table pool at the top of the guest's memory, the window
 *      onto the guest's memory, the region's own tables (vmm-memory.c);
 *   2. the kernel-mode and user-mode shadow tables, the window and region
 *      linked into the kernel-mode one; Xen's kernel mode and the guest's
 *      first user mode both use it from now on;
 *   3. the vCPU, the device models and the guest's boot state: the page
 *      tables, boot info and memory map its documented 64-bit entry expects
 *      (vmm_boot_prepare), or for a Linux image (previrt_boot_protocol)
 *      the zero page, e820 map and GDT of Linux's 64-bit boot protocol
 *      (vmm_linux_boot_prepare), with the VMM's region, what Xen built at
 *      boot and the pool reserved;
 *   4. Xen's entries: trap table with the VMM's hook, event, syscall and
 *      failsafe callbacks, VIRQ_TIMER, the kernel stack;
 *   5. an iret into the guest's entry in Xen's user mode.
 */
#include "vmm-xen.h"

#include "events.h"
#include "hypercall.h"
#include "vmm-image.h"
#include "vmm/boot.h"
#include "vmm/linux_boot.h"
#include "xen-backend.h"

extern char vmm_sti[], vmm_popf_slow[], vmm_resume[], vmm_exit_lea[], vmm_exit_popf[],
	vmm_exit_mov[], vmm_exit_ret[];

struct xen_vmm xen_vmm;

#define PAGE 4096ULL

static void check(long rc, const char *what)
{
	if (rc < 0) {
		xen_console_puts("previrt-vmm: ");
		xen_console_puts(what);
		xen_console_puts(" failed: error ");
		xen_console_put_udec((unsigned long)-rc);
		xen_console_puts("\n");
		xen_exit(XEN_VMM_FATAL_STATUS);
	}
}

/* xen-trap leaves ud2 at every site; the xen target never does. */
static int is_trap_target(void)
{
	const uint8_t *site;

	if (&previrt_site_descs[0] == &previrt_site_descs_end[0])
		return 0;
	/* the guest's pages are reached through the window */
	site = (const uint8_t *)(unsigned long)(XEN_VMM_PHYSMAP_BASE + previrt_site_descs[0].site -
						VMM_IMAGE_VALUE(previrt_virt_base));
	return site[0] == 0x0f && site[1] == 0x0b;
}

/* start_info lies outside the region, in what Xen mapped at boot only. */
static start_info_t start_info_copy;

int xen_pv_main(const start_info_t *boot_si)
{
	const start_info_t *si = &start_info_copy;
	struct xen_vmm *x = &xen_vmm;
	struct vmm_vcpu *v = &x->vcpu;
	uint64_t vb = VMM_IMAGE_VALUE(previrt_virt_base);
	uint64_t ram;
	struct vmm_boot_range reserved[3];
	unsigned nreserved = 2;
	uint64_t initrd = 0, initrd_size = 0;
	struct vmm_boot_request req;
	struct vmm_boot_state boot;
	struct vmm_regs regs = { .rflags = 0x2 };
	int linux_boot = VMM_IMAGE_VALUE(previrt_boot_protocol) == VMM_BOOT_PROTOCOL_LINUX;
	uint64_t area_size = linux_boot ? VMM_LINUX_BOOT_AREA_SIZE : VMM_BOOT_AREA_SIZE;

	start_info_copy = *boot_si;
	xen_start_info = si;
	ram = si->nr_pages * PAGE;

	/* 1, 2: memory and shadows */
	check(xen_vmm_memory_init(&x->memory, si), "building the VMM's page tables");
	check(vmm_shadow_init(&x->shadow, &x->memory.shadow_ops, 1) ? -XEN_ENOMEM : 0,
	      "allocating the shadow tables");
	/* Xen's slots of every PV top-level table, 0xffff800000000000 up to
	 * 0xffff880000000000 */
	x->shadow.foreign_first = 256;
	x->shadow.foreign_end = 272;
	check(xen_vmm_memory_link(&x->memory, &x->shadow) ? -XEN_ENOMEM : 0,
	      "linking the VMM into the shadow");
	check(xen_mmuext(MMUEXT_PIN_L4_TABLE, x->shadow.top[0]), "pinning the kernel shadow");
	check(xen_mmuext(MMUEXT_PIN_L4_TABLE, x->shadow.top[1]), "pinning the user shadow");
	check(xen_mmuext(MMUEXT_NEW_BASEPTR, x->shadow.top[0]), "loading the kernel shadow");
	check(xen_mmuext(MMUEXT_NEW_USER_BASEPTR, x->shadow.top[0]), "loading the user table");

	/* 3: vCPU, devices, the guest's boot state */
	xen_vmm_backend_init(x);
	vmm_devices_init(&x->devices);
	vmm_paged_mem_init(&x->mem, v, &x->memory.phys);
	vmm_vcpu_init(v, &vmm_pcpu, &x->backend, &x->mem.mem, &x->devices);
	x->mem.vcpu = v;
	vmm_pcpu.vcpu = (uint64_t)(unsigned long)v;
	v->sites = previrt_site_descs;
	v->sites_end = previrt_site_descs_end;
	x->entry_points = (struct vmm_entry_points){
		.sti = (uint64_t)(unsigned long)vmm_sti,
		.popf_slow = (uint64_t)(unsigned long)vmm_popf_slow,
		.pcpu = (uint64_t)(unsigned long)&vmm_pcpu,
	};
	x->exit_labels = (struct vmm_exit_labels){
		.resume = (uint64_t)(unsigned long)vmm_resume,
		.lea = (uint64_t)(unsigned long)vmm_exit_lea,
		.popf = (uint64_t)(unsigned long)vmm_exit_popf,
		.mov = (uint64_t)(unsigned long)vmm_exit_mov,
		.ret = (uint64_t)(unsigned long)vmm_exit_ret,
	};
	x->trap_env = (struct vmm_trap_env){
		.shadow = &x->shadow,
		.guest_phys = &x->memory.phys,
		.entry = &x->entry_points,
		.vmm_start = VMM_IMAGE_VALUE(previrt_region_start),
		.vmm_end = VMM_IMAGE_VALUE(previrt_region_end),
		.vmm_frame = xen_vmm_region_frame,
		.ctx = &x->memory,
		/* a kernel not linked 1:1 may reach the region at its
		 * guest-physical address while it runs 1:1 (vmm/traps.h) */
		.alias_offset = vb,
	};
	x->trap_target = is_trap_target();

	/* the region and what Xen built after it (the initrd, p2m,
	 * start_info, its page tables, the boot stack), then the pool */
	reserved[0] = (struct vmm_boot_range){
		.addr = VMM_IMAGE_VALUE(previrt_region_start) - vb,
		.size = x->memory.pt_end * PAGE + PAGE - (VMM_IMAGE_VALUE(previrt_region_start) - vb),
		.type = VMM_E820_RESERVED,
	};
	reserved[1] = (struct vmm_boot_range){
		.addr = x->memory.pool_first * PAGE,
		.size = ram - x->memory.pool_first * PAGE,
		.type = VMM_E820_RESERVED,
	};
	/* Xen maps the initrd (the first module) after the image; a Linux guest
	 * gets it as its RAM disk, left out of the reserved range as RAM (Linux
	 * reserves it itself until it has unpacked it) */
	if (linux_boot && si->mod_start && si->mod_len) {
		initrd = (si->flags & SIF_MOD_START_PFN) ? si->mod_start * PAGE : si->mod_start - vb;
		initrd_size = si->mod_len;
		check(vmm_boot_ranges_cut(reserved, &nreserved, 3, initrd, initrd_size) ? -XEN_EINVAL
											 : 0,
		      "taking the initrd out of the reserved ranges");
	}
	req = (struct vmm_boot_request){
		.ram_bytes = ram,
		.area = x->memory.pool_first * PAGE - ((area_size + PAGE - 1) & ~(PAGE - 1)),
		.reserved = reserved,
		.reserved_count = nreserved,
		.cmdline = (const char *)si->cmd_line,
		.entry = VMM_IMAGE_VALUE(previrt_guest_entry),
		.initrd = initrd,
		.initrd_size = initrd_size,
	};
	if (linux_boot) {
		check(vmm_linux_boot_prepare(&x->memory.phys, &req, &boot) ? -XEN_EINVAL : 0,
		      "preparing Linux's boot state");
		vmm_linux_boot_enter(v, &regs, &req, &boot);
	} else {
		check(vmm_boot_prepare(&x->memory.phys, &req, &boot) ? -XEN_EINVAL : 0,
		      "preparing the guest's boot state");
		vmm_boot_enter(v, &regs, &req, &boot);
	}

	/* 4: Xen's entries */
	xen_set_trap_hook(xen_vmm_trap);
	check(xen_events_init(xen_vmm_event_entry), "the event callbacks");
	check(xen_register_callback(CALLBACKTYPE_syscall, xen_vmm_syscall_entry),
	      "the syscall callback");
	check(xen_hypercall2(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
			     (unsigned long)xen_vmm_kernel_stack_top),
	      "the kernel stack");
	check(xen_bind_virq(VIRQ_TIMER, xen_vmm_timer_event, v), "binding VIRQ_TIMER");

	/* 5: the guest */
	xen_vmm_start_guest(&regs);
}
