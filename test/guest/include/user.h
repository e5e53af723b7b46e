/* SPDX-License-Identifier: MIT */
/*
 * Ring 3. user_run() enters a user program with iretq on the user stack and
 * returns when the program calls SYS_EXIT (through syscall or int $0x80),
 * with the value it passed. Kernel entries: syscall_entry (swapgs, stack
 * switch through %gs, sysretq back) and vector 0x80.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#define SYS_EXIT 0
#define SYS_ECHO 1 /* returns its argument plus one */
#define SYS_NOP 2

#define USER_RFLAGS 0x002UL       /* IF clear, IOPL 0 */
#define USER_RFLAGS_IF 0x202UL    /* IF set, IOPL 0 */
#define SYSCALL_MASK 0x47700UL    /* SFMASK: clear TF, IF, DF, NT, AC on entry */
#define SYSENTER_MAGIC 0x5e5e

#ifndef __ASSEMBLER__
#include "types.h"

u64 user_run(void (*program)(void), u64 arg, u64 rflags);
void user_return(u64 value) NORETURN;
void user_setup(void); /* EFER.SCE, STAR, LSTAR, SFMASK, SYSENTER MSRs */

struct syscall_record {
	u64 count, nr, arg, user_rip, user_rflags, kernel_rsp, cs, ss;
};
extern volatile struct syscall_record syscall_seen, int80_seen, sysenter_seen;

/* Kernel entry points (user.S). */
void syscall_entry(void);
void sysenter_entry(void);

/* User programs (user.S) and the labels tests check. */
void user_prog_segments(void);
void user_prog_syscall(void);
extern char user_syscall_return[];
void user_prog_int80(void);
extern char user_int80_return[];
void user_prog_cli(void);
extern char user_cli_insn[], user_cli_after[];
void user_prog_in(void);
extern char user_in_insn[], user_in_after[];
void user_prog_hlt(void);
extern char user_hlt_insn[], user_hlt_after[];
void user_prog_wrmsr(void);
extern char user_wrmsr_insn[], user_wrmsr_after[];
void user_prog_rdpmc(void);
extern char user_rdpmc_insn[], user_rdpmc_after[];
void user_prog_rdtsc(void);
void user_prog_read(void);
extern char user_read_insn[], user_read_after[];
void user_prog_spin(void);
void user_prog_sysenter(void);
extern char user_sysenter_insn[], user_sysenter_after[];
void user_prog_syscall_loop(void);
#endif

#endif
