/* SPDX-License-Identifier: MIT */
/*
 * Decoding a sensitive 64-bit instruction into a site descriptor
 * (struct vmm_site_desc, vmm_abi.h): the class and the operand encoding the
 * VMM's emulation reads.  Shared by elfrewrite, which emits the descriptors,
 * and the VMM's tests, so that both sides read instructions the same way.
 * Freestanding C.
 */
#ifndef PREVIRT_VMM_DECODE_H
#define PREVIRT_VMM_DECODE_H

#include "previrt/vmm_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decodes the instruction at bytes[0..len) as 64-bit code.  On success
 * fills the class, insn_length, opsize, addrsize, prefixes, op[] and bytes[]
 * of *d (site, resume, flags and padded_length are the caller's) and
 * returns 0.  Returns -1 if the bytes are not one sensitive instruction of
 * include/previrt/sensitive.def that the VMM emulates in 64-bit code. */
int vmm_decode(const uint8_t *bytes, unsigned len, struct vmm_site_desc *d);

#ifdef __cplusplus
}
#endif

#endif
