// SPDX-License-Identifier: GPL-3.0-or-later
// The xen targets: a 64-bit Xen PV kernel (Xen 4.17) with the in-place VMM.
//
// Xen's domain builder reads the image's PT_LOAD segments and its notes
// owned by "Xen" (<xen/elfnote.h>), loads every segment at p_paddr +
// VIRT_BASE - PADDR_OFFSET, fills the page named by HYPERCALL_PAGE with
// hypercall stubs and enters ENTRY in ring 3 with %rsi = start_info. Both
// targets link the same VMM object (hypervisors/xen: VMM core, Xen backend
// and glue; entry xen_pv_start) into a region after the image
// (xen_region.hh), with a descriptor for every site, and differ in what the
// sites become:
//
//   xen       the forms of docs/vmm-interface.md section 1: cli, pushf and
//             popf inline, sti a call into the VMM's fast path, every other
//             site a call (NOSTACK: a jmp) to its own thunk, which pushes
//             the site's descriptor and enters the VMM.
//   xen-trap  every site is ud2 (0f 0b); the VMM finds the trapping site by
//             a binary search of the descriptors by rip. The slow reference
//             that the xen target's speed is measured against.
//
// e_entry becomes xen_pv_start too, so that the ELF header and the ENTRY
// note agree (a loader that ignores notes must not start the guest with its
// sites rewritten and no VMM); --target=native restores the original header
// from .previrt_orig.
//
// Sites in 32-bit code (flag code32) keep their original bytes and get no
// descriptor (xen_keeps_site). Sites in runtime replacement code (Linux
// copies .altinstr_replacement over other code at boot) are encoded for the
// place the kernel copies them to, and their descriptors name that place
// (alternatives.hh, xen_region.hh).
#include <xen/elfnote.h>

#include <algorithm>

#include "backend.hh"
#include "format.hh"
#include "previrt/sites.h"
#include "previrt/vmm_abi.h"
#include "xen_region.hh"

namespace elfrewrite {

namespace {

constexpr const char *kXenEntry = "xen_pv_start";
constexpr const char *kHypercallPage = "hypercall_page";

void put_u64(std::vector<uint8_t> &v, uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(uint8_t(x >> (8 * i)));
}

NoteSpec xen_note(uint32_t type, const std::string &text) {
  NoteSpec n;
  n.owner = "Xen";
  n.type = type;
  n.desc.assign(text.begin(), text.end());
  n.desc.push_back(0);
  return n;
}

NoteSpec xen_note(uint32_t type, uint64_t value) {
  NoteSpec n;
  n.owner = "Xen";
  n.type = type;
  put_u64(n.desc, value);
  return n;
}

// Where a branch goes in its site and what fills the rest.
enum class Branch {
  // First, then int3: the VMM resumes the guest at the descriptor's resume
  // address, so nothing executes the rest, and a jump into it traps.
  first_then_int3,
  // Last, after NOPs: the VMM's fast paths return to the call's end, which
  // is then the site's end (the instruction boundary the guest knows).
  last_after_nops,
};

// Appends the rel32 of `target` from `next` (the end of the instruction).
Status append_rel32(std::vector<uint8_t> &out, uint64_t target, uint64_t next,
                    const char *what) {
  out.resize(out.size() + 4);
  if (!put_rel32(out.data() + out.size() - 4, target, next))
    return error(std::string(what) + " at " + hex(target) +
                 " is out of reach of a 32-bit displacement from the site");
  return Ok{};
}

// `opcode rel32` to `target` in the site, placed as `where` says.
Result<std::vector<uint8_t>> branch_site(uint8_t opcode, const Site &site, uint64_t site_at,
                                         uint64_t target, Branch where) {
  const size_t rest = site.padded_length - 5;
  const uint64_t at = site_at + (where == Branch::last_after_nops ? rest : 0);
  std::vector<uint8_t> branch = {opcode};
  if (auto st = append_rel32(branch, target, at + 5, "the VMM's entry or thunk"); !st)
    return st.error();
  std::vector<uint8_t> out;
  if (where == Branch::last_after_nops) {
    out = nop_fill(rest);
    out.insert(out.end(), branch.begin(), branch.end());
  } else {
    out = branch;
    out.insert(out.end(), rest, 0xcc);
  }
  return out;
}

// The first `extra` bytes of a site whose first instruction takes up to
// `max_prefixes` DS prefixes (no effect in 64-bit code): NOPs, then those.
std::vector<uint8_t> lead_in(size_t extra, size_t max_prefixes) {
  const size_t prefixes = std::min(extra, max_prefixes);
  std::vector<uint8_t> out = nop_fill(extra - prefixes);
  out.insert(out.end(), prefixes, 0x3e);
  return out;
}

// pushf: pushfq; call *vmm_pcpu(%rip) -- the call ends the site, and
// vmm_pcpu.pushf_entry picks the table entry for the guest's IF and mode.
Result<std::vector<uint8_t>> pushf_site(const Site &site, uint64_t at, const VmmImage &vmm) {
  std::vector<uint8_t> out = lead_in(site.padded_length - VMM_PUSHF_SITE_LENGTH, 14);
  out.insert(out.end(), {0x9c, 0xff, 0x15});
  const uint64_t end = at + site.padded_length;
  if (auto st = append_rel32(out, vmm.symbols.at(VMM_SYM_PCPU) + VMM_PCPU_OFF_PUSHF_ENTRY, end,
                          "vmm_pcpu");
      !st)
    return st.error();
  return out;
}

// popf: a value with none of IF, IOPL, NT, AC, ID clears the vif and mode
// bytes with one store and loads the rest with popfq; any other value
// takes the call, which returns to the site's end.
//   testl $0x247200, (%rsp); jz 1f; call vmm_popf_slow;
//   1: movw $0, vmm_pcpu(%rip); popfq
Result<std::vector<uint8_t>> popf_site(const Site &site, uint64_t at, const VmmImage &vmm) {
  std::vector<uint8_t> out = lead_in(site.padded_length - VMM_POPF_SITE_LENGTH, 8);
  out.insert(out.end(), {0xf7, 0x04, 0x24, 0x00, 0x72, 0x24, 0x00, 0x74, 0x05, 0xe8});
  const uint64_t end = at + site.padded_length;
  if (auto st = append_rel32(out, vmm.symbols.at(VMM_SYM_POPF_SLOW), end - VMM_POPF_SLOW_SKIP,
                          VMM_SYM_POPF_SLOW);
      !st)
    return st.error();
  out.insert(out.end(), {0x66, 0xc7, 0x05});
  if (auto st = append_rel32(out, vmm.symbols.at(VMM_SYM_PCPU) + VMM_PCPU_OFF_PUSHF_ENTRY, end - 1,
                          "vmm_pcpu");
      !st)
    return st.error();
  out.insert(out.end(), {0x00, 0x00, 0x9d});
  return out;
}

class XenBackend final : public Backend {
 public:
  explicit XenBackend(bool trap) : trap_(trap) {}

  std::string_view name() const override { return trap_ ? "xen-trap" : "xen"; }
  std::string_view description() const override {
    return trap_ ? "Xen 4.17 PV kernel, every site ud2 into the VMM (the slow reference)"
                 : "Xen 4.17 PV kernel with the in-place VMM: inline cli, calls and thunks";
  }
  uint64_t region_alignment() const override { return kXenRegionAlign; }

  Status check_site(const Site &site) const override {
    if (xen_keeps_site(site)) return Ok{};
    unsigned need = trap_ ? 2 : xen_form_length(xen_site_form(site, nullptr, false));
    if (site.padded_length < need)
      return error("replacement needs " + std::to_string(need) + " bytes, the site has " +
                   std::to_string(site.padded_length));
    return Ok{};
  }

  Result<VmmImage> link_vmm(const ElfFile &elf, const SiteTable &table, const SitePlaces &places,
                            uint64_t vaddr) const override {
    return link_xen_region(elf, table, places, vaddr, !trap_);
  }

  Result<std::vector<uint8_t>> rewrite_site(const Site &site, const uint8_t *original,
                                            uint64_t at, const VmmImage &vmm) const override {
    if (xen_keeps_site(site)) return std::vector<uint8_t>(original, original + site.padded_length);
    if (trap_) {
      // ud2, then int3: the VMM resumes at the site's end
      std::vector<uint8_t> out = {0x0f, 0x0b};
      out.insert(out.end(), site.padded_length - out.size(), 0xcc);
      return out;
    }
    auto thunk = vmm.thunks.find(site.address);
    bool has_thunk = thunk != vmm.thunks.end();
    // An sti with a thunk is one followed by a hlt (link_xen_region decided).
    XenSiteForm form =
        xen_site_form(site, original, has_thunk && site.insn_class == PV_CLASS_STI);
    switch (form) {
      case XenSiteForm::inline_cli: {
        // movb $0, vmm_pcpu+1(%rip): c6 05 rel32 imm8, rel32 from the end
        // of the instruction, with DS prefixes in front (no effect in
        // 64-bit code) so that the site is one instruction: up to 15 bytes,
        // NOPs after that.
        const size_t prefixes = std::min<size_t>(site.padded_length - 7, 15 - 7);
        std::vector<uint8_t> out(prefixes, 0x3e);
        out.push_back(0xc6);
        out.push_back(0x05);
        if (auto st = append_rel32(out, vmm.symbols.at(VMM_SYM_PCPU) + VMM_PCPU_OFF_VIF,
                                   at + prefixes + 7, "vmm_pcpu");
            !st)
          return st.error();
        out.push_back(0);
        std::vector<uint8_t> fill = nop_fill(site.padded_length - out.size());
        out.insert(out.end(), fill.begin(), fill.end());
        return out;
      }
      case XenSiteForm::call_sti:
        return branch_site(0xe8, site, at, vmm.symbols.at(VMM_SYM_STI), Branch::last_after_nops);
      case XenSiteForm::pushf_dispatch:
        return pushf_site(site, at, vmm);
      case XenSiteForm::popf_fast:
        return popf_site(site, at, vmm);
      case XenSiteForm::call_thunk:
      case XenSiteForm::jmp_thunk:
        if (!has_thunk) return error("internal error: the site has no thunk");
        return branch_site(form == XenSiteForm::jmp_thunk ? 0xe9 : 0xe8, site, at, thunk->second,
                           Branch::first_then_int3);
    }
    return error("internal error: unknown site form");
  }

  std::vector<NoteSpec> notes(const SiteTable &, const VmmImage &vmm) const override {
    return {
        xen_note(XEN_ELFNOTE_GUEST_OS, "previrt"),
        xen_note(XEN_ELFNOTE_GUEST_VERSION, "1"),
        xen_note(XEN_ELFNOTE_XEN_VERSION, "xen-3.0"),
        xen_note(XEN_ELFNOTE_LOADER, "generic"),
        xen_note(XEN_ELFNOTE_VIRT_BASE, vmm.symbols.at(VMM_SYM_VIRT_BASE)),
        xen_note(XEN_ELFNOTE_PADDR_OFFSET, uint64_t(0)),
        xen_note(XEN_ELFNOTE_ENTRY, vmm.symbols.at(kXenEntry)),
        xen_note(XEN_ELFNOTE_HYPERCALL_PAGE, vmm.symbols.at(kHypercallPage)),
        xen_note(XEN_ELFNOTE_FEATURES, "!writable_page_tables"),
    };
  }

  std::optional<uint64_t> entry(const VmmImage &vmm) const override {
    return vmm.symbols.at(kXenEntry);
  }

 private:
  bool trap_;
};

}  // namespace

const Backend &xen_backend() {
  static const XenBackend b(false);
  return b;
}

const Backend &xen_trap_backend() {
  static const XenBackend b(true);
  return b;
}

}  // namespace elfrewrite
