/* SPDX-License-Identifier: MIT */
/*
 * The in-place VMM core: virtual CPU state, the backend interface and the
 * emulation entry points.  Hypervisor independent and freestanding; the same
 * sources build for the host, where the unit tests drive them through a
 * backend and a guest memory of their own.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <stdint.h>

#include "previrt/sites.h"
#include "previrt/vmm_abi.h"
#include "vmm/x86.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmm_vcpu;

/* ---- results ------------------------------------------------------------ */

/* What an emulation routine asks for.  A fault is delivered into the guest's
 * IDT with rip = the site's address, as if the original instruction had
 * faulted, so the guest's exception tables (Linux's _ASM_EXTABLE around
 * rdmsr/wrmsr) work unchanged. */
enum vmm_status {
	VMM_DONE = 0,   /* continue at regs->rip (normally the site's end) */
	VMM_FAULT,      /* deliver vcpu->fault */
	VMM_HALT,       /* hlt: block until an interrupt, then continue */
	VMM_SHUTDOWN,   /* the guest asked to stop (debug-exit port, triple fault) */
};

struct vmm_fault {
	uint8_t vector;
	uint8_t has_error;
	uint32_t error;
	uint64_t cr2;   /* #PF only */
};

/* ---- backend interface -------------------------------------------------- */

/* tlb_flush's va when it is not a page address (neither is page aligned). */
#define VMM_TLB_FLUSH_NONGLOBAL (UINT64_MAX - 1)
#define VMM_TLB_FLUSH_ALL UINT64_MAX

/*
 * What a hypervisor backend provides.  Every function is required unless
 * marked optional; none may be called with guest state half-updated.
 */
struct vmm_backend {
	void *ctx;
	/* Console bytes (the UART's transmit side). */
	void (*console_write)(void *ctx, const char *buf, unsigned long len);
	/* Stop the domain with the guest's exit status (isa-debug-exit value,
	 * or 255 for a triple fault).  Must not return in a real backend; a host
	 * test backend records it and returns. */
	void (*shutdown)(void *ctx, int status);
	/* Monotonic time in ns since some fixed point (the PIT and TSC base). */
	uint64_t (*time_ns)(void *ctx);
	/* Wall-clock seconds since 1970-01-01 UTC (CMOS RTC). */
	uint64_t (*wallclock)(void *ctx);
	/* Ask for vmm_timer_fired() at time_ns() >= deadline_ns; replaces any
	 * earlier request.  UINT64_MAX cancels. */
	void (*set_timer)(void *ctx, uint64_t deadline_ns);
	/* The hypervisor's view of cpuid (the VMM filters it). */
	void (*cpuid)(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
	/* The time-stamp counter as the guest may read it. */
	uint64_t (*rdtsc)(void *ctx);
	/* Load a segment base into the real CPU (fs, gs of the current mode,
	 * the inactive gs); which = VMM_SEG_FS, VMM_SEG_GS, or VMM_BASE_KERNEL_GS. */
	void (*set_segment_base)(void *ctx, int which, uint64_t base);
	/* The guest switched page tables or flushed its TLB: va is a page
	 * (invlpg, invpcid 0: that page, global or not), VMM_TLB_FLUSH_NONGLOBAL
	 * (mov %cr3, invpcid 1 and 3: translations from non-global entries) or
	 * VMM_TLB_FLUSH_ALL (global ones too: a CR4 or CR0 paging change,
	 * invpcid 2, a new boot).  The backend drops shadow entries
	 * accordingly. */
	void (*tlb_flush)(void *ctx, uint64_t cr3, uint64_t va);
	/* Block until an event or the timer arrives (hlt with IF = 1).  Returns
	 * nonzero if nothing can ever wake the vCPU (no timer, no event source). */
	int (*block)(void *ctx);
	/* Resume the guest from regs after its CPL changed (v->cpl is the new
	 * one): switch the hypervisor's kernel/user address space and return to
	 * the guest through the hypervisor (Xen: HYPERVISOR_iret).  Does not
	 * return.  Only the freestanding entry path calls it. */
	void (*enter_mode)(void *ctx, struct vmm_vcpu *v, struct vmm_regs *regs);
	/* Optional (0: none).  A site entered the VMM (called first, before
	 * any VMM state is touched), and the VMM is about to resume the guest
	 * from regs (called last, after in_vmm is cleared and before a mode
	 * switch; it may deliver what became pending).  A
	 * backend whose hypervisor can interrupt the VMM's own code holds its
	 * events back in between. */
	void (*vmm_entered)(void *ctx);
	/* Optional: load XCR0 into the real CPU (xsetbv), so that the guest's
	 * own xgetbv and XSAVE instructions, which are not sensitive, see it. */
	void (*set_xcr0)(void *ctx, uint64_t value);
	void (*vmm_leaving)(void *ctx, struct vmm_vcpu *v, struct vmm_regs *regs);
};

#define VMM_BASE_KERNEL_GS 6

/*
 * Guest linear memory as the current guest mode sees it.  In the guest the
 * backend implements this with the VMM's own page walk and plain accesses;
 * host tests use a buffer.  Each returns 0 on success or fills *fault with
 * the #PF (or #GP for a non-canonical address, or for an access that wraps
 * around the top of the address space) the access would raise.
 */
struct vmm_mem {
	void *ctx;
	int (*read)(void *ctx, uint64_t lin, void *buf, unsigned len, int user,
		    struct vmm_fault *fault);
	int (*write)(void *ctx, uint64_t lin, const void *buf, unsigned len, int user,
		     struct vmm_fault *fault);
};

/* ---- virtual CPU -------------------------------------------------------- */

/* A segment register: selector and the descriptor cache loaded with it. */
struct vmm_segment {
	uint16_t sel;
	uint16_t attr; /* descriptor bits 40..55: type, S, DPL, P, AVL, L, D/B, G */
	uint32_t limit;
	uint64_t base;
};

struct vmm_dtr {
	uint64_t base;
	uint16_t limit;
};

struct vmm_vcpu {
	struct vmm_pcpu *pcpu;     /* vif, pending: shared with the fast paths */
	const struct vmm_backend *backend;
	const struct vmm_mem *mem;
	struct vmm_devices *devices;

	/* Every site's descriptor, sorted by address (elfrewrite's
	 * previrt_site_descs), if the backend has them: maps an address inside
	 * a site to the site.  May be empty. */
	const struct vmm_site_desc *sites, *sites_end;

	uint8_t cpl;               /* 0 guest kernel, 3 guest user (also pcpu->user) */
	/* RFLAGS.IF and IOPL, NT, AC, ID live in pcpu (vmm_vif, vmm_vflags_sys) */
	uint64_t cr0, cr2, cr3, cr4, cr8, xcr0;
	uint64_t dr[8];
	struct vmm_dtr gdtr, idtr;
	struct vmm_segment seg[VMM_SEG_COUNT];
	struct vmm_segment ldtr, tr;

	/* MSRs the guest reads and writes. */
	uint64_t efer, star, lstar, cstar, sfmask;
	uint64_t kernel_gs_base, tsc_aux, pat, pkrs, xss, apic_base, misc_enable;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	int64_t tsc_offset;

	/* cpuid features offered (leaf 1 ecx/edx, leaf 7 ebx/ecx) after filtering. */
	uint32_t maxphyaddr;

	/* Set when an emulation changed the CPL (event delivery from user mode,
	 * iret/sysret to user mode, syscall): the backend resumes through its
	 * mode-switch path (under Xen: HYPERVISOR_iret with the other top-level
	 * page table) and clears it. */
	uint8_t mode_switch;
	struct vmm_fault fault;    /* the pending fault after VMM_FAULT */
	int shutdown_status;
};

/* Power-on state of a long-mode vCPU in guest kernel mode (what the
 * guest's 64-bit entry expects: CR0.PE|PG, CR4.PAE, EFER.LME|LMA, CPL 0). */
void vmm_vcpu_init(struct vmm_vcpu *v, struct vmm_pcpu *pcpu, const struct vmm_backend *b,
		   const struct vmm_mem *mem, struct vmm_devices *devices);

/* The virtual RFLAGS bits kept in pcpu->vflags_sys. */
#define VMM_VFLAGS_SYS (X86_FLAGS_IOPL | X86_FLAGS_NT | X86_FLAGS_AC | X86_FLAGS_ID)

/* The pushf entries (vmm/entry.S), VMM_PUSHF_TABLE_ALIGN aligned. */
extern char vmm_pushf_table[];

static inline int vmm_vif(const struct vmm_vcpu *v)
{
	return (v->pcpu->pushf_entry & X86_FLAGS_IF) != 0;
}

/* Byte stores, as the inline cli and popf make: the rest of pushf_entry is
 * the table address (vmm_abi.h). */
static inline void vmm_set_vif(struct vmm_vcpu *v, int on)
{
	((volatile uint8_t *)&v->pcpu->pushf_entry)[VMM_PCPU_OFF_VIF] = on ? VMM_VIF_ON : 0;
}

static inline uint64_t vmm_vflags_sys(const struct vmm_vcpu *v)
{
	return (v->pcpu->pushf_entry & VMM_MODE_SYS) ? v->pcpu->vflags_sys : 0;
}

static inline void vmm_set_vflags_sys(struct vmm_vcpu *v, uint64_t bits)
{
	bits &= VMM_VFLAGS_SYS;
	v->pcpu->vflags_sys = bits; /* before the mode byte that makes it count */
	((volatile uint8_t *)&v->pcpu->pushf_entry)[VMM_PCPU_OFF_MODE] = bits ? VMM_MODE_SYS : 0;
}

void vmm_set_cpl(struct vmm_vcpu *v, unsigned cpl);

/* The site whose bytes contain addr (v->sites), or 0. */
const struct vmm_site_desc *vmm_site_lookup(const struct vmm_vcpu *v, uint64_t addr);

/* The length of the call at the start of a site that takes the descriptor
 * path (`call thunk_N`): its return address is where the site ran + 5. */
#define VMM_SITE_CALL_LENGTH 5

/*
 * The descriptor of site d as it ran: a kernel may run the same code at a
 * second virtual address (Linux runs startup_64 and what it calls at the
 * physical address, mapped 1:1, before it jumps to where it is linked), and
 * a site must then resume, fault and address RIP-relative operands there.
 * ret is the return address of the site's call (0 if the site was entered
 * without a call).  Returns d if the site ran where it is linked (or ret is
 * 0), else *copy: d with site and resume moved to where it ran.
 */
const struct vmm_site_desc *vmm_site_as_run(const struct vmm_site_desc *d, uint64_t ret,
					    struct vmm_site_desc *copy);

/* RFLAGS as the guest sees it: arithmetic flags from the real ones, system
 * flags from the virtual CPU. */
uint64_t vmm_guest_rflags(const struct vmm_vcpu *v, uint64_t real);
/* Takes the system flags of a value the guest loads (popf, iret) as far as
 * its privilege allows; returns the arithmetic flags to put in the frame. */
uint64_t vmm_load_rflags(struct vmm_vcpu *v, uint64_t value, uint64_t real, int opsize);

/* ---- dispatch ----------------------------------------------------------- */

/* Emulates the site's instruction on regs; delivers a fault it raises.
 * Returns VMM_DONE (resume at regs->rip), VMM_HALT or VMM_SHUTDOWN. */
enum vmm_status vmm_dispatch(struct vmm_vcpu *v, struct vmm_regs *regs,
			     const struct vmm_site_desc *d);

/* One routine per class; each returns VMM_DONE, VMM_FAULT (v->fault set),
 * VMM_HALT or VMM_SHUTDOWN and leaves regs->rip at the site's end on
 * VMM_DONE unless it transfers control. */
typedef enum vmm_status (*vmm_emulate_fn)(struct vmm_vcpu *v, struct vmm_regs *regs,
					  const struct vmm_site_desc *d);
vmm_emulate_fn vmm_emulator(unsigned insn_class);

/* Sets v->fault and returns VMM_FAULT. */
enum vmm_status vmm_raise(struct vmm_vcpu *v, unsigned vector, int has_error, uint32_t error);

/* ---- operands ------------------------------------------------------------ */

/* Linear address of a memory operand (segment base included). */
uint64_t vmm_operand_address(const struct vmm_vcpu *v, const struct vmm_regs *regs,
			     const struct vmm_site_desc *d, const struct vmm_operand *op);
/* Reads/writes a GPR, memory or immediate operand of op->size bytes
 * (a 4-byte GPR write zero-extends, 1- and 2-byte writes merge). */
enum vmm_status vmm_operand_read(struct vmm_vcpu *v, const struct vmm_regs *regs,
				 const struct vmm_site_desc *d, const struct vmm_operand *op,
				 uint64_t *value);
enum vmm_status vmm_operand_write(struct vmm_vcpu *v, struct vmm_regs *regs,
				  const struct vmm_site_desc *d, const struct vmm_operand *op,
				  uint64_t value);
/* Reads or writes len bytes at a memory operand (#GP/#SS if non-canonical). */
enum vmm_status vmm_operand_bytes(struct vmm_vcpu *v, const struct vmm_regs *regs,
				  const struct vmm_site_desc *d, const struct vmm_operand *op,
				  void *buf, unsigned len, int write);
int vmm_canonical(uint64_t addr);

/* ---- MSRs, control registers, descriptors -------------------------------- */

enum vmm_status vmm_msr_read(struct vmm_vcpu *v, uint32_t msr, uint64_t *value);
enum vmm_status vmm_msr_write(struct vmm_vcpu *v, uint32_t msr, uint64_t value);
enum vmm_status vmm_cr_read(struct vmm_vcpu *v, unsigned cr, uint64_t *value);
enum vmm_status vmm_cr_write(struct vmm_vcpu *v, unsigned cr, uint64_t value);
/* Reads the 8-byte descriptor for sel from the guest's GDT or LDT. */
enum vmm_status vmm_read_descriptor(struct vmm_vcpu *v, uint16_t sel, uint64_t *desc,
				    uint32_t error_if_bad);
/* Loads a segment register as the guest's mov/pop to a segment would. */
enum vmm_status vmm_load_segment(struct vmm_vcpu *v, unsigned sreg, uint16_t sel);
/* lldt and ltr: 16-byte system descriptors from the GDT. */
enum vmm_status vmm_load_ldt(struct vmm_vcpu *v, uint16_t sel);
enum vmm_status vmm_load_tr(struct vmm_vcpu *v, uint16_t sel);
void vmm_cpuid(struct vmm_vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* ---- events -------------------------------------------------------------- */

/* Kinds of event for delivery. */
#define VMM_EVENT_EXCEPTION 0 /* a fault or trap raised by the guest's code */
#define VMM_EVENT_EXTERNAL 1  /* an external interrupt (EXT set in error codes) */
#define VMM_EVENT_SOFTWARE 2  /* int n: gate DPL checked against CPL */

/*
 * Delivers vector into the guest's IDT exactly as a 64-bit CPU does: gate
 * checks, CPL change with the stack from TSS.rsp0 or an IST slot, the 16-byte
 * aligned frame (ss, rsp, rflags, cs, rip[, error]), IF cleared for an
 * interrupt gate, TF/NT/RF cleared; a fault during delivery becomes #DF or,
 * during #DF, a triple fault (VMM_SHUTDOWN).  regs->rip must be the rip to
 * save (the faulting instruction for faults, the next one for traps and
 * interrupts).  On success regs->rip/rsp point at the handler and its frame.
 */
enum vmm_status vmm_deliver(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned vector,
			    int kind, int has_error, uint32_t error);
/* Delivers v->fault (the pending exception of an emulation). */
enum vmm_status vmm_deliver_fault(struct vmm_vcpu *v, struct vmm_regs *regs);

/* iretq in 64-bit mode: pops rip, cs, rflags, rsp, ss from the guest stack
 * and returns to kernel or user mode. */
enum vmm_status vmm_iret(struct vmm_vcpu *v, struct vmm_regs *regs, int opsize);

/* syscall and sysenter from guest user mode (the hypervisor hands them to
 * the backend): regs->rip is the instruction after it, insn_length its
 * length (2), so that a #UD/#GP is raised at the instruction itself. */
enum vmm_status vmm_syscall(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned insn_length);
enum vmm_status vmm_sysenter(struct vmm_vcpu *v, struct vmm_regs *regs, unsigned insn_length);

/* Called by the backend when the VMM may deliver interrupts (the guest's
 * vif is 1 and it is not inside the VMM): acknowledges the PIC and delivers
 * the highest-priority vector.  Returns VMM_DONE whether or not one was
 * delivered. */
enum vmm_status vmm_deliver_pending(struct vmm_vcpu *v, struct vmm_regs *regs);
/* Recomputes pcpu->pending from the device models. */
void vmm_update_pending(struct vmm_vcpu *v);
/* Backend timer callback: advances the PIT, raises IRQ 0, re-arms. */
void vmm_timer_fired(struct vmm_vcpu *v);
/* Asks the backend for a timer at the PIT's next IRQ 0 edge. */
void vmm_arm_timer(struct vmm_vcpu *v);
/* hlt with IF = 1: blocks until an interrupt is deliverable and delivers it
 * (rip already after the hlt).  VMM_HALT if the vCPU can never wake. */
enum vmm_status vmm_halt(struct vmm_vcpu *v, struct vmm_regs *regs);

#ifdef __cplusplus
}
#endif

#endif
