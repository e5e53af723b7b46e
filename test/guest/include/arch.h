/* SPDX-License-Identifier: MIT */
/*
 * One-instruction wrappers for the privileged and sensitive instructions the
 * guest uses. They are plain inline asm on purpose: pv-gcc sees each
 * instruction in the compiler's output and annotates it as a site.
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H
#include "types.h"

#define X86_EFLAGS_IF (1UL << 9)
#define X86_EFLAGS_IOPL (3UL << 12)
#define X86_EFLAGS_NT (1UL << 14)
#define X86_EFLAGS_AC (1UL << 18)
#define X86_EFLAGS_ID (1UL << 21)

#define X86_CR0_PE (1UL << 0)
#define X86_CR0_TS (1UL << 3)
#define X86_CR0_WP (1UL << 16)
#define X86_CR0_PG (1UL << 31)
#define X86_CR4_TSD (1UL << 2)
#define X86_CR4_PAE (1UL << 5)
#define X86_CR4_PCE (1UL << 8)
#define X86_CR4_FSGSBASE (1UL << 16)
#define X86_CR4_OSXSAVE (1UL << 18)

#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_XSS 0xda0
#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_LMA (1UL << 10)

static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cli(void) { asm volatile("cli" : : : "memory"); }
static inline void sti(void) { asm volatile("sti" : : : "memory"); }
static inline void hlt(void) { asm volatile("hlt" : : : "memory"); }
/* sti;hlt: the interrupt shadow of sti makes the pair atomic. */
static inline void sti_hlt(void) { asm volatile("sti\n\thlt" : : : "memory"); }

static inline u64 read_flags(void)
{
	u64 f;
	asm volatile("pushfq\n\tpopq %0" : "=r"(f) : : "memory");
	return f;
}
static inline void write_flags(u64 f) { asm volatile("pushq %0\n\tpopfq" : : "r"(f) : "memory", "cc"); }

static inline u64 read_cr0(void) { u64 v; asm volatile("movq %%cr0, %0" : "=r"(v)); return v; }
static inline u64 read_cr2(void) { u64 v; asm volatile("movq %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; asm volatile("movq %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_cr4(void) { u64 v; asm volatile("movq %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(u64 v) { asm volatile("movq %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(u64 v) { asm volatile("movq %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(u64 v) { asm volatile("movq %0, %%cr4" : : "r"(v) : "memory"); }

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

static inline void invlpg(const void *va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void wbinvd(void) { asm volatile("wbinvd" : : : "memory"); }
static inline void clts(void) { asm volatile("clts"); }
static inline void swapgs(void) { asm volatile("swapgs" : : : "memory"); }

static inline u16 read_cs(void) { u16 v; asm volatile("movw %%cs, %0" : "=r"(v)); return v; }
static inline u16 read_ss(void) { u16 v; asm volatile("movw %%ss, %0" : "=r"(v)); return v; }
static inline u16 read_ds(void) { u16 v; asm volatile("movw %%ds, %0" : "=r"(v)); return v; }
static inline u16 read_es(void) { u16 v; asm volatile("movw %%es, %0" : "=r"(v)); return v; }
static inline u16 read_fs(void) { u16 v; asm volatile("movw %%fs, %0" : "=r"(v)); return v; }
static inline u16 read_gs(void) { u16 v; asm volatile("movw %%gs, %0" : "=r"(v)); return v; }

#endif
