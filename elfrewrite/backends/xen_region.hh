// SPDX-License-Identifier: GPL-3.0-or-later
// The region the xen targets add to an image (docs/vmm-interface.md,
// sections 1-3), at a 2 MiB boundary after the image:
//
//   region_start  the Xen VMM object (hypervisors/xen: VMM core, Xen
//                 backend, glue), linked here by vmm_linker
//                 per-site thunks (xen only: every site that enters the VMM
//                 through the descriptor path), 16-byte aligned each
//                 previrt_site_descs: one struct vmm_site_desc per
//                 rewritten site, inline forms included, sorted by site
//                 address
//   region_end    page aligned
//
// The object's undefined previrt_* symbols (vmm_abi.h) get their values
// here; the thunks and descriptors are built from the annotated image's
// original bytes, decoded with vmm_decode (vmm/decode.c), the decoder the
// VMM itself uses, so that both sides read every instruction the same way.
#pragma once

#include <cstdint>

#include "backend.hh"
#include "previrt/sites.h"

namespace elfrewrite {

constexpr uint64_t kXenRegionAlign = 2u << 20;

// How a site of the xen target enters the VMM (docs/vmm-interface.md,
// section 1).
enum class XenSiteForm {
  inline_cli,  // movb $0, vmm_pcpu+1(%rip)
  call_sti,    // call vmm_sti
  pushf_dispatch,  // pushfq; call *vmm_pcpu(%rip)
  popf_fast,       // testl; jz; call vmm_popf_slow; movw $0, vmm_pcpu(%rip); popfq
  call_thunk,  // call thunk_N: pushq $desc_N; jmp vmm_entry
  jmp_thunk,   // jmp thunk_N: the NOSTACK thunk, then vmm_entry_nostack
};

// 32-bit code keeps its original bytes and gets no descriptor: in a 64-bit
// kernel it is the code of 32-bit boot entries (PVH, multiboot) that run
// before long mode, which a Xen PV kernel, entered in 64-bit mode through
// xen_pv_start, never takes; and vmm_decode and the VMM know 64-bit code
// only.
inline bool xen_keeps_site(const Site &site) { return site.flags & PV_SITE_CODE32; }

// The form of `site`, whose original instruction is at `insn` (nullptr if
// unknown: then pushf and popf are taken to move 8 bytes); `before_hlt`
// says that a HLT site starts where it ends (an sti there takes the
// descriptor path, for the interrupt shadow).
XenSiteForm xen_site_form(const Site &site, const uint8_t *insn, bool before_hlt);
// Writes rel32 = target - next_ip (little endian) at p; false if it does
// not reach.
bool put_rel32(uint8_t *p, uint64_t target, uint64_t next_ip);

// Bytes of the replacement proper (before the NOP fill) for a form.
unsigned xen_form_length(XenSiteForm form);

// Links the region at `vaddr` (a multiple of kXenRegionAlign). With
// `thunks`, every site whose form is call_thunk or jmp_thunk gets a thunk,
// recorded in VmmImage::thunks. The descriptor table's bounds are in
// VmmImage::symbols with the other previrt_* values. Every place a site
// runs at (`places`, alternatives.hh) gets a descriptor with that place as
// site and resume: runtime replacement code is described where the kernel
// copies it, so descriptors of alternatives for the same original code may
// share addresses. A site with a thunk must run at one place; without
// thunks (xen-trap) descriptors that share an address must be identical.
Result<VmmImage> link_xen_region(const ElfFile &elf, const SiteTable &table,
                                 const SitePlaces &places, uint64_t vaddr, bool thunks);

}  // namespace elfrewrite
