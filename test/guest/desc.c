/* SPDX-License-Identifier: MIT */
/* Building and loading the GDT, LDT, TSS and IDT. */
#include "arch.h"
#include "desc.h"
#include "traps.h"

u64 gdt[GDT_ENTRIES] ALIGNED(16);
u64 ldt[1] ALIGNED(16);
struct tss64 tss ALIGNED(16);
struct percpu percpu;
struct desc_ptr gdt_ptr, idt_ptr;

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} PACKED;
static struct idt_gate idt[256] ALIGNED(16);

u8 rsp0_stack[STACK_SIZE] ALIGNED(16);
u8 ist_df_stack[STACK_SIZE] ALIGNED(16);
u8 syscall_stack[STACK_SIZE] ALIGNED(16);

/* A 16-byte system descriptor (TSS or LDT) at gdt[index], gdt[index + 1]. */
static void set_system_desc(unsigned index, u64 base, u32 limit, u8 type)
{
	gdt[index] = (limit & 0xffffUL) | ((base & 0xffffffUL) << 16) | ((u64)(0x80 | type) << 40) |
		     ((u64)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xffUL) << 56);
	gdt[index + 1] = base >> 32;
}

static void set_gate(unsigned vector, u64 handler, u8 dpl, u8 ist)
{
	struct idt_gate *g = &idt[vector];
	g->offset_low = (u16)handler;
	g->selector = SEL_KERNEL_CS;
	g->ist = ist;
	g->type_attr = (u8)(0x8e | (dpl << 5)); /* present 64-bit interrupt gate */
	g->offset_mid = (u16)(handler >> 16);
	g->offset_high = (u32)(handler >> 32);
	g->reserved = 0;
}

void desc_build(void)
{
	gdt[0] = 0;
	gdt[SEL_KERNEL_CS / 8] = DESC_KERNEL_CS;
	gdt[SEL_KERNEL_DS / 8] = DESC_KERNEL_DS;
	gdt[SEL_USER_CS32 / 8] = DESC_USER_CS32;
	gdt[SEL_USER_DS / 8] = DESC_USER_DS;
	gdt[SEL_USER_CS / 8] = DESC_USER_CS;
	gdt[SEL_USER_SS_SYSEXIT / 8] = DESC_USER_DS;
	set_system_desc(SEL_TSS / 8, (u64)&tss, TSS_LIMIT, 0x9); /* available 64-bit TSS */
	set_system_desc(SEL_LDT / 8, (u64)ldt, sizeof(ldt) - 1, 0x2);
	ldt[0] = DESC_KERNEL_DS;

#ifdef GUEST_BROKEN_RSP0
	tss.rsp[0] = STACK_TOP(ist_df_stack); /* deliberately wrong: test-guest must notice */
#else
	tss.rsp[0] = STACK_TOP(rsp0_stack);
#endif
	tss.ist[IST_DOUBLE_FAULT - 1] = STACK_TOP(ist_df_stack);
	/* No I/O bitmap: every port access at CPL 3 faults. */
	tss.iomap_base = sizeof(tss);

	gdt_ptr.limit = sizeof(gdt) - 1;
	gdt_ptr.base = (u64)gdt;

#ifdef GUEST_BROKEN_IST
	const unsigned df_ist = 0; /* deliberately wrong: test-guest must notice */
#else
	const unsigned df_ist = IST_DOUBLE_FAULT;
#endif
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, (u64)trap_stubs + v * TRAP_STUB_SIZE, v == VECTOR_SYSCALL_INT ? 3 : 0,
			 v == VECTOR_DOUBLE_FAULT ? df_ist : 0);
	idt_ptr.limit = sizeof(idt) - 1;
	idt_ptr.base = (u64)idt;

	percpu.kernel_rsp = STACK_TOP(syscall_stack);
}

void desc_load_gdt(void)
{
	asm volatile("lgdt %0" : : "m"(gdt_ptr) : "memory");
	reload_cs(SEL_KERNEL_CS);
	asm volatile("movw %w0, %%ds\n\t"
		     "movw %w0, %%es\n\t"
		     "movw %w0, %%ss\n\t"
		     "movw %w0, %%fs\n\t"
		     "movw %w0, %%gs"
		     : : "r"(SEL_KERNEL_DS) : "memory");
	asm volatile("lldt %w0" : : "r"(SEL_LDT));
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
}

void desc_load_idt(void)
{
	asm volatile("lidt %0" : : "m"(idt_ptr) : "memory");
}

void percpu_load(void)
{
	wrmsr(MSR_GS_BASE, (u64)&percpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
