# SPDX-License-Identifier: GPL-3.0-or-later
# One instruction of every class that 64-bit code can hold, AT&T syntax.
	.text
	.globl all_classes
all_classes:
	cli
	sti
	pushfq
	popfq
	inb $0x60, %al
	outw %ax, %dx
	rep insl
	outsb
	mov %cr4, %rax
	movq %rax, %cr3
	mov %rdi, %dr7
	mov %dr6, %rsi
	clts
	lmsw %ax
	smsw %eax
	lgdt (%rdi)
	lidt 0x10(%rip)
	lldt %ax
	ltr %ax
	sgdt (%rsi)
	sidtq (%rsi)
	sldt %eax
	str %eax
	rdmsr
	wrmsr
	rdpmc
	rdtsc
	rdtscp
	cpuid
	invlpg (%rdi)
	invpcid (%rax), %rdx
	wbinvd
	invd
	hlt
	monitor %rax, %ecx, %edx
	mwait %eax, %ecx
	iretq
	lretq
	sysretq
	sysexitq
	swapgs
	xsetbv
	movw %ax, %ds
	mov %cs, %eax
	push %fs
	pop %gs
	lss (%rax), %esp
	ljmp *(%rax)
	lcall *(%rbx)
	lar %ax, %eax
	lsl %eax, %eax
	verr %ax
	verw %ax
	wrfsbase %rax
	wrgsbase %rax
	rdfsbase %rax
	rdgsbase %rax
	stac
	clac
	xsaves (%rdi)
	xrstors64 (%rdi)
	ret
