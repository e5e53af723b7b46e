/* SPDX-License-Identifier: MIT */
/*
 * The guest's GDT, LDT, TSS and IDT.
 *
 * GDT layout is dictated by SYSCALL/SYSRET and SYSENTER/SYSEXIT, which derive
 * selectors from one MSR value each:
 *   STAR[47:32] = KERNEL_CS     -> syscall: CS = 0x08, SS = 0x10
 *   STAR[63:48] = USER_CS32|3   -> sysretq: CS = 0x28|3, SS = 0x20|3
 *   SYSENTER_CS = KERNEL_CS     -> sysexitq: CS = 0x28|3, SS = 0x30|3
 * All code/data descriptors are created with the accessed bit set so the CPU
 * never writes to the table and lar reads back exactly what was defined.
 */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_USER_CS32 0x18
#define SEL_USER_DS 0x20
#define SEL_USER_CS 0x28
#define SEL_USER_SS_SYSEXIT 0x30
#define SEL_TSS 0x38 /* 16-byte system descriptor */
#define SEL_LDT 0x48 /* 16-byte system descriptor */
#define GDT_ENTRIES 11
#define SEL_LDT_DATA 0x04 /* LDT entry 0, TI=1, RPL 0 */

#define DESC_KERNEL_CS 0x00af9b000000ffffUL /* 64-bit code, DPL 0 */
#define DESC_KERNEL_DS 0x00cf93000000ffffUL /* flat data, DPL 0 */
#define DESC_USER_CS32 0x00cffb000000ffffUL /* 32-bit code, DPL 3 */
#define DESC_USER_DS 0x00cff3000000ffffUL   /* flat data, DPL 3 */
#define DESC_USER_CS 0x00affb000000ffffUL   /* 64-bit code, DPL 3 */

#define TSS_LIMIT 0x67
#define IST_DOUBLE_FAULT 1

#define PERCPU_KERNEL_RSP 0
#define PERCPU_USER_RSP 8

#ifndef __ASSEMBLER__
#include "types.h"

struct desc_ptr {
	u16 limit;
	u64 base;
} PACKED;

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} PACKED;

/* What %gs points to in kernel mode; the syscall entry uses it to switch stacks. */
struct percpu {
	u64 kernel_rsp;
	u64 user_rsp;
};

extern u64 gdt[GDT_ENTRIES];
extern u64 ldt[1];
extern struct tss64 tss;
extern struct percpu percpu;

#define STACK_SIZE 16384
extern u8 rsp0_stack[STACK_SIZE];
extern u8 ist_df_stack[STACK_SIZE];
extern u8 syscall_stack[STACK_SIZE];
#define STACK_TOP(s) ((u64)(s) + sizeof(s))
#define ON_STACK(s, addr) ((u64)(addr) >= (u64)(s) && (u64)(addr) < STACK_TOP(s))

/* Builds the tables (no loading). */
void desc_build(void);
/* lgdt, segment reloads with a far return for %cs, lldt, ltr. */
void desc_load_gdt(void);
/* lidt of the guest's IDT. */
void desc_load_idt(void);
extern struct desc_ptr gdt_ptr, idt_ptr;
/* Points GS_BASE at percpu (kernel mode) after anything reloaded %gs. */
void percpu_load(void);

/* Reloads %cs with a far return (defined in segments.S). */
void reload_cs(u64 selector);
#endif

#endif
