/* SPDX-License-Identifier: MIT */
/*
 * previrt annotation ABI, version 1: how an annotated object or image records
 * its virtualization-sensitive instruction sites. Shared by pv-as (producer),
 * elfrewrite (reader, verifier, rewriter) and the in-place VMM (dispatch).
 * Freestanding C: no host headers, usable in a kernel.
 * The prose specification is docs/annotations.md.
 */
#ifndef PREVIRT_SITES_H
#define PREVIRT_SITES_H

#define PREVIRT_ABI_VERSION 1

/* Section holding the packed site records (SHF_ALLOC, 4-byte aligned). */
#define PREVIRT_SITES_SECTION ".previrt_sites"
/* Section holding the ABI note; one per object, deduplicated by a COMDAT group. */
#define PREVIRT_NOTE_SECTION ".note.previrt"
#define PREVIRT_NOTE_GROUP "previrt.abi.1"
#define PREVIRT_NOTE_OWNER "previrt"
#define PREVIRT_NOTE_TYPE_ABI 1

/* Code sizes a class applies to (PV_CLASS modes). */
#define PV_MODE_32 0x1
#define PV_MODE_64 0x2

/* Class attributes (PV_CLASS attrs). */
#define PV_ATTR_NOSTACK 0x1
#define PV_ATTR_PREFIX_PAD 0x2

/* Operand rules (PV_SPELLING operands); used by the tools' matchers only. */
#define PV_OPS_ANY 0
#define PV_OPS_CR_DST 1
#define PV_OPS_CR_SRC 2
#define PV_OPS_DR_DST 3
#define PV_OPS_DR_SRC 4
#define PV_OPS_SEG_DST 5
#define PV_OPS_SEG_SRC 6
#define PV_OPS_FAR 7

/* Class numbers, generated from the table. 0 is never a valid class. */
enum previrt_class {
	PV_CLASS_NONE = 0,
#define PV_CLASS(NAME, id, modes, attrs, pad, why) PV_CLASS_##NAME = id,
#include "sensitive.def"
	PV_CLASS_LIMIT
};

/* Site flags (previrt_site.flags). */
#define PV_SITE_NOSTACK 0x01     /* the stack may not be used at this site */
#define PV_SITE_CODE32 0x02      /* assembled as 32-bit code (else 64-bit) */
#define PV_SITE_REPLACEMENT 0x04 /* in code the kernel copies over other code at
				    run time (.altinstr_replacement) */
#define PV_SITE_KNOWN_FLAGS 0x07

/*
 * One record per site, 8 bytes, no padding between records. Records from
 * many objects concatenate at link time; each stays valid because the only
 * address in it is relative to the record itself.
 */
struct previrt_site {
	int addr_rel;                /* site address minus &addr_rel */
	unsigned char padded_length; /* bytes of the whole site */
	unsigned char insn_length;   /* bytes of the original instruction */
	unsigned char insn_class;    /* enum previrt_class */
	unsigned char flags;         /* PV_SITE_* */
} __attribute__((packed));

#define PREVIRT_SITE_SIZE 8

typedef char previrt_site_size_check[sizeof(struct previrt_site) == PREVIRT_SITE_SIZE ? 1 : -1];

/*
 * Descriptor of the PREVIRT_NOTE_TYPE_ABI note (owner "previrt"), followed in
 * the note by a NUL-terminated producer string such as "pv-as 0.1.0" padded
 * to a multiple of 4 bytes.
 */
struct previrt_note_abi {
	unsigned int abi_version; /* PREVIRT_ABI_VERSION */
	unsigned int record_size; /* PREVIRT_SITE_SIZE */
};

static inline unsigned long previrt_site_address(const struct previrt_site *s)
{
	return (unsigned long)&s->addr_rel + (long)s->addr_rel;
}

#endif /* PREVIRT_SITES_H */
