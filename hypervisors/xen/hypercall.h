/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls of a 64-bit Xen PV guest.
 *
 * ABI: the guest does not trap into Xen itself; it calls into the hypercall
 * page, a 4 KiB page of its own image that Xen fills at domain build time
 * (the page's address is announced by the XEN_ELFNOTE_HYPERCALL_PAGE note).
 * Hypercall number N has a 32-byte stub at hypercall_page + 32 * N which
 * loads N into %eax and issues `syscall` (a 64-bit PV kernel runs in ring 3;
 * Xen takes the syscall and recognizes it as a hypercall because it comes
 * from guest kernel mode).  The stub saves %rcx and %r11 around the syscall.
 *
 * Arguments go in %rdi, %rsi, %rdx, %r10, %r8 (then %r9); the result comes
 * back in %rax, negative values being -XEN_Exxx error numbers.  Xen may
 * clobber the argument registers (debug builds of Xen deliberately poison
 * the ones a hypercall does not use, %r9 included), so every argument
 * register is an in/out operand here and %r9 a clobber.  Memory is
 * clobbered because most hypercalls read or write guest buffers.
 */
#ifndef PREVIRT_XEN_HYPERCALL_H
#define PREVIRT_XEN_HYPERCALL_H

#include "xen-public.h"

/* Size of one stub in the hypercall page (fixed by Xen's x86 PV ABI). */
#define XEN_HYPERCALL_STUB_SIZE 32

#ifndef __ASSEMBLY__

/* Filled by Xen; defined in hypercall-page.S. */
extern char hypercall_page[4096];

static inline long xen_hypercall5(unsigned int nr, unsigned long a1, unsigned long a2,
                                  unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long rdi __asm__("rdi") = a1;
	register unsigned long rsi __asm__("rsi") = a2;
	register unsigned long rdx __asm__("rdx") = a3;
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("call *%[stub]"
	                 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
	                 : [stub] "r"(hypercall_page + nr * XEN_HYPERCALL_STUB_SIZE)
	                 : "r9", "memory", "cc");
	return ret;
}

static inline long xen_hypercall2(unsigned int nr, unsigned long a1, unsigned long a2)
{
	return xen_hypercall5(nr, a1, a2, 0, 0, 0);
}

static inline long xen_hypercall3(unsigned int nr, unsigned long a1, unsigned long a2,
                                  unsigned long a3)
{
	return xen_hypercall5(nr, a1, a2, a3, 0, 0);
}

/* CONSOLEIO_write: dom0 writes straight to Xen's own console (serial). */
static inline long xen_console_io(int cmd, unsigned int count, const char *buf)
{
	return xen_hypercall3(__HYPERVISOR_console_io, (unsigned long)cmd, count,
	                      (unsigned long)buf);
}

static inline long xen_sched_op(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_sched_op, (unsigned long)cmd, (unsigned long)arg);
}

static inline long xen_event_channel_op(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_event_channel_op, (unsigned long)cmd,
	                      (unsigned long)arg);
}

static inline long xen_callback_op(int cmd, const void *arg)
{
	return xen_hypercall2(__HYPERVISOR_callback_op, (unsigned long)cmd, (unsigned long)arg);
}

static inline long xen_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return xen_hypercall3(__HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu, (unsigned long)arg);
}

/* 64-bit form: the new PTE is one argument, not two halves. */
static inline long xen_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
	return xen_hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long xen_version(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_xen_version, (unsigned long)cmd, (unsigned long)arg);
}

#endif /* !__ASSEMBLY__ */

#endif
