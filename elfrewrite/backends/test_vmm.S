/* SPDX-License-Identifier: MIT */
/*
 * The VMM of the `test` target: counts how often each site ran. Every site
 * where the stack may be used becomes `call pv_test_entry`; this code finds
 * the site's index from the return address and increments its counter.
 * (NOSTACK sites jump to per-site stubs instead, which elfrewrite writes
 * after this code: see elfrewrite/backends/test.cc.) It changes no register and no
 * arithmetic flag (only lea, not, mov and jrcxz), so the rewritten code runs
 * as before apart from the site's own instruction, which is not emulated.
 *
 * elfrewrite links this object after the image and places the data area
 * it reaches through the symbol pv_test_data after it and the stubs, at
 * the end of the region:
 *   u64 count; s64 site_offset[count]; u64 hits[count]
 * where site_offset[i] is the site's address minus &pv_test_data, so the
 * table stays valid wherever the image is loaded (PIE, KASLR).
 */
	.text
	.code64
	.globl pv_test_entry
	.type pv_test_entry, @function
pv_test_entry:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	lea pv_test_data(%rip), %rdx
	mov %rdx, %rcx
	not %rcx			/* -data - 1 */
	mov 32(%rsp), %rax		/* return address = site + 5 */
	lea -4(%rax,%rcx), %rax		/* site - data */
	not %rax			/* data - site - 1 */
	mov (%rdx), %rsi		/* sites left to compare */
	lea 8(%rdx), %rdx
1:	mov %rsi, %rcx
	jrcxz 3f			/* not a known site: record nothing */
	mov (%rdx), %rcx
	lea 1(%rcx,%rax), %rcx		/* site_offset[i] - (site - data) */
	jrcxz 2f
	lea 8(%rdx), %rdx
	lea -1(%rsi), %rsi
	jmp 1b
2:	lea pv_test_data(%rip), %rax
	mov (%rax), %rcx
	mov (%rdx,%rcx,8), %rax		/* hits[i]: count * 8 bytes after site_offset[i] */
	lea 1(%rax), %rax
	mov %rax, (%rdx,%rcx,8)
3:	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	ret
	.size pv_test_entry, .-pv_test_entry
