/* SPDX-License-Identifier: MIT */
/*
 * Exception and interrupt entry. Every vector has a stub (traps.S) that
 * pushes a uniform frame and calls trap_handler().
 *
 * Tests provoke faults with TRAP_PROBE: it arms trap_expect with the address
 * of the faulting instruction (label 1) and where to resume (label 2); the
 * handler records what the CPU reported and continues there. A fault nobody
 * armed for is fatal: it is printed and the guest exits as aborted.
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#define TRAP_STUB_SIZE 16
#define VECTOR_DIVIDE 0
#define VECTOR_BREAKPOINT 3
#define VECTOR_INVALID_OPCODE 6
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT 14
#define VECTOR_IRQ_BASE 0x20
#define VECTOR_TIMER (VECTOR_IRQ_BASE + 0)
#define VECTOR_SYSCALL_INT 0x80

/* Offsets in struct trap_expect, for the probes' inline asm. */
#define EXPECT_ARMED 0
#define EXPECT_RESUME 8
#define EXPECT_FAULT_RIP 16
#define EXPECT_NEW_RSP 24

#ifndef __ASSEMBLER__
#include "types.h"

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct trap_record {
	u64 count; /* traps taken while armed (1 for a good probe) */
	u64 vector, error, rip, cs, rsp, cr2;
	u64 frame; /* address of the frame: which stack the CPU switched to */
};

struct trap_expect {
	u64 armed;
	u64 resume;    /* rip to continue at (0: the saved rip) */
	u64 fault_rip; /* where the probed instruction starts */
	u64 new_rsp;   /* rsp to continue with (0: the saved rsp) */
	struct trap_record seen;
};
extern volatile struct trap_expect trap_expect;
_Static_assert(__builtin_offsetof(struct trap_expect, armed) == EXPECT_ARMED, "EXPECT_ARMED");
_Static_assert(__builtin_offsetof(struct trap_expect, resume) == EXPECT_RESUME, "EXPECT_RESUME");
_Static_assert(__builtin_offsetof(struct trap_expect, fault_rip) == EXPECT_FAULT_RIP, "EXPECT_FAULT_RIP");
_Static_assert(__builtin_offsetof(struct trap_expect, new_rsp) == EXPECT_NEW_RSP, "EXPECT_NEW_RSP");

extern char trap_stubs[];
void trap_handler(struct trap_frame *f);
/* Clears the record before a probe. */
void trap_reset(void);

/*
 * Runs insns with a fault expected at its first instruction; execution
 * continues after insns whether or not it faulted. Extra asm operands follow.
 */
#define TRAP_STR_(x) #x
#define TRAP_STR(x) TRAP_STR_(x)
#define TRAP_EXPECT(field) "trap_expect+" TRAP_STR(field) "(%%rip)"
#define TRAP_PROBE(insns, ...)                                                                      \
	asm volatile("leaq 1f(%%rip), %%r11\n\t"                                                   \
		     "movq %%r11, " TRAP_EXPECT(EXPECT_FAULT_RIP) "\n\t"                           \
		     "leaq 2f(%%rip), %%r11\n\t"                                                   \
		     "movq %%r11, " TRAP_EXPECT(EXPECT_RESUME) "\n\t"                              \
		     "movq $1, " TRAP_EXPECT(EXPECT_ARMED) "\n"                                    \
		     "1:\n\t" insns "\n"                                                           \
		     "2:\n\t"                                                                      \
		     "movq $0, " TRAP_EXPECT(EXPECT_ARMED) __VA_ARGS__)

/* IRQ bookkeeping (irq.c). */
void irq_handler(struct trap_frame *f);
/* int $0x80 from ring 3 (user.c). */
void syscall_int_handler(struct trap_frame *f);
#endif

#endif
