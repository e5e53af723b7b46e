/* SPDX-License-Identifier: MIT */
/*
 * What elfrewrite tells the VMM about the image it was linked into: the
 * symbols of vmm_abi.h ("Symbols elfrewrite defines"), declared here once.
 * They are absolute symbols, so their addresses are the values.
 */
#ifndef PREVIRT_XEN_VMM_IMAGE_H
#define PREVIRT_XEN_VMM_IMAGE_H

#include <stdint.h>

#include "previrt/vmm_abi.h"

extern char previrt_guest_entry[], previrt_image_start[], previrt_image_end[];
extern char previrt_region_start[], previrt_region_end[], previrt_virt_base[];
extern char previrt_boot_protocol[];
extern const struct vmm_site_desc previrt_site_descs[], previrt_site_descs_end[];

#define VMM_IMAGE_VALUE(sym) ((uint64_t)(unsigned long)(sym))

#endif
