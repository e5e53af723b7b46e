/* SPDX-License-Identifier: MIT */
/* Architectural constants of x86-64 the VMM models (Intel SDM vol. 3). */
#ifndef VMM_X86_H
#define VMM_X86_H

#define X86_FLAGS_CF 0x1
#define X86_FLAGS_FIXED 0x2 /* bit 1 reads as 1 */
#define X86_FLAGS_PF 0x4
#define X86_FLAGS_AF 0x10
#define X86_FLAGS_ZF 0x40
#define X86_FLAGS_SF 0x80
#define X86_FLAGS_TF 0x100
#define X86_FLAGS_IF 0x200
#define X86_FLAGS_DF 0x400
#define X86_FLAGS_OF 0x800
#define X86_FLAGS_IOPL 0x3000
#define X86_FLAGS_IOPL_SHIFT 12
#define X86_FLAGS_NT 0x4000
#define X86_FLAGS_RF 0x10000
#define X86_FLAGS_VM 0x20000
#define X86_FLAGS_AC 0x40000
#define X86_FLAGS_VIF 0x80000
#define X86_FLAGS_VIP 0x100000
#define X86_FLAGS_ID 0x200000
/* Flags an ordinary instruction at any privilege level owns. */
#define X86_FLAGS_ARITH (X86_FLAGS_CF | X86_FLAGS_PF | X86_FLAGS_AF | X86_FLAGS_ZF | X86_FLAGS_SF | \
			 X86_FLAGS_OF | X86_FLAGS_DF | X86_FLAGS_TF)

#define X86_CR0_PE 0x1
#define X86_CR0_MP 0x2
#define X86_CR0_EM 0x4
#define X86_CR0_TS 0x8
#define X86_CR0_ET 0x10
#define X86_CR0_NE 0x20
#define X86_CR0_WP 0x10000
#define X86_CR0_AM 0x40000
#define X86_CR0_NW 0x20000000
#define X86_CR0_CD 0x40000000
#define X86_CR0_PG 0x80000000UL

#define X86_CR4_VME 0x1
#define X86_CR4_PVI 0x2
#define X86_CR4_TSD 0x4
#define X86_CR4_DE 0x8
#define X86_CR4_PSE 0x10
#define X86_CR4_PAE 0x20
#define X86_CR4_MCE 0x40
#define X86_CR4_PGE 0x80
#define X86_CR4_PCE 0x100
#define X86_CR4_OSFXSR 0x200
#define X86_CR4_OSXMMEXCPT 0x400
#define X86_CR4_UMIP 0x800
#define X86_CR4_FSGSBASE 0x10000
#define X86_CR4_PCIDE 0x20000
#define X86_CR4_OSXSAVE 0x40000
#define X86_CR4_SMEP 0x100000
#define X86_CR4_SMAP 0x200000
#define X86_CR4_PKE 0x400000
#define X86_CR4_PKS 0x1000000UL

#define X86_EFER_SCE 0x1
#define X86_EFER_LME 0x100
#define X86_EFER_LMA 0x400
#define X86_EFER_NXE 0x800

#define X86_MSR_TSC 0x10
#define X86_MSR_APIC_BASE 0x1b
#define X86_MSR_MISC_ENABLE 0x1a0
#define X86_MSR_SYSENTER_CS 0x174
#define X86_MSR_SYSENTER_ESP 0x175
#define X86_MSR_SYSENTER_EIP 0x176
#define X86_MSR_PAT 0x277
#define X86_MSR_PKRS 0x6e1
#define X86_MSR_XSS 0xda0
#define X86_MSR_EFER 0xc0000080
#define X86_MSR_STAR 0xc0000081
#define X86_MSR_LSTAR 0xc0000082
#define X86_MSR_CSTAR 0xc0000083
#define X86_MSR_SFMASK 0xc0000084
#define X86_MSR_FS_BASE 0xc0000100
#define X86_MSR_GS_BASE 0xc0000101
#define X86_MSR_KERNEL_GS_BASE 0xc0000102
#define X86_MSR_TSC_AUX 0xc0000103

/* Exception vectors. */
#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_OF 4
#define X86_EXC_BR 5
#define X86_EXC_UD 6
#define X86_EXC_NM 7
#define X86_EXC_DF 8
#define X86_EXC_TS 10
#define X86_EXC_NP 11
#define X86_EXC_SS 12
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_MF 16
#define X86_EXC_AC 17
#define X86_EXC_MC 18
#define X86_EXC_XM 19
#define X86_EXC_CP 21

/* Page-fault error code bits. */
#define X86_PF_P 0x1
#define X86_PF_W 0x2
#define X86_PF_U 0x4
#define X86_PF_RSVD 0x8
#define X86_PF_I 0x10
#define X86_PF_PK 0x20

/* Selector error code bits (#GP, #NP, #TS, #SS). */
#define X86_ERR_EXT 0x1
#define X86_ERR_IDT 0x2
#define X86_ERR_TI 0x4

/* Page-table entry bits. */
#define X86_PTE_P 0x1ULL
#define X86_PTE_W 0x2ULL
#define X86_PTE_U 0x4ULL
#define X86_PTE_PWT 0x8ULL
#define X86_PTE_PCD 0x10ULL
#define X86_PTE_A 0x20ULL
#define X86_PTE_D 0x40ULL
#define X86_PTE_PS 0x80ULL
#define X86_PTE_G 0x100ULL
#define X86_PTE_NX 0x8000000000000000ULL

/* System descriptor types (S = 0) in long mode. */
#define X86_DESC_LDT 0x2
#define X86_DESC_TSS_AVAIL 0x9
#define X86_DESC_TSS_BUSY 0xb
#define X86_DESC_INTR_GATE 0xe
#define X86_DESC_TRAP_GATE 0xf

#endif
