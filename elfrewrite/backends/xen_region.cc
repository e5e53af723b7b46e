// SPDX-License-Identifier: GPL-3.0-or-later
#include "xen_region.hh"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "format.hh"
#include "previrt/sites.h"
#include "previrt/vmm_abi.h"
#include "previrt/vmm_decode.h"
#include "sensitive_table.hh"
#include "vmm_linker.hh"

// The object file of $(XEN_VMM_OBJ) without its debug sections, embedded at
// build time (elfrewrite/build.mk).
extern "C" const unsigned char pv_xen_vmm_object[];
extern "C" const unsigned long pv_xen_vmm_object_size;

namespace elfrewrite {

namespace {

constexpr uint64_t kThunkAlign = 16;
constexpr uint64_t kDescAlign = 16;
constexpr unsigned kThunkSize = 10;          // pushq $desc; jmp vmm_entry
constexpr unsigned kNostackThunkSize = 24;   // mov, lea, pushq, jmp
constexpr unsigned kCallLength = 5;
constexpr unsigned kCliLength = 7;

// Symbols of the VMM object that the image's sites, thunks and notes use.
const char *const kRequiredSymbols[] = {
    VMM_SYM_ENTRY, VMM_SYM_ENTRY_NOSTACK, VMM_SYM_STI, VMM_SYM_POPF_SLOW, VMM_SYM_PCPU, VMM_SYM_NOSTACK_STACK_TOP, "xen_pv_start", "hypercall_page"};

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

bool fits_s32(uint64_t v) { return static_cast<int64_t>(v) == static_cast<int32_t>(v); }

void put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}

bool is_nostack(const Site &site) {
  const auto *cls = previrt::find_class(static_cast<int>(site.insn_class));
  return (site.flags & PV_SITE_NOSTACK) || (cls && (cls->attrs & PV_ATTR_NOSTACK));
}

struct ImageLayout {
  uint64_t virt_base = 0;
  uint64_t start = 0, end = 0;
};

// previrt_virt_base is p_vaddr - p_paddr of the PT_LOAD that holds the
// entry point (the first one if none does): Linux's per-CPU segment is
// linked at virtual 0 and has its own offset, which Xen ignores because it
// loads every segment at p_paddr + VIRT_BASE - PADDR_OFFSET. The image's
// extent is therefore taken from p_paddr in that same layout; for an image
// whose segments share one offset it is the p_vaddr extent.
ImageLayout image_layout(const ElfFile &elf) {
  const Segment *ref = nullptr;
  for (const auto &p : elf.segments()) {
    if (p.type != PT_LOAD) continue;
    if (!ref) ref = &p;
    uint64_t entry = elf.header().entry;
    if (entry >= p.vaddr && entry - p.vaddr < p.memsz) {
      ref = &p;
      break;
    }
  }
  ImageLayout l;
  if (!ref) return l;  // check_appendable() refused the image already
  l.virt_base = ref->vaddr - ref->paddr;
  bool first = true;
  for (const auto &p : elf.segments()) {
    if (p.type != PT_LOAD) continue;
    uint64_t lo = p.paddr + l.virt_base, hi = lo + p.memsz;
    l.start = first ? lo : std::min(l.start, lo);
    l.end = first ? hi : std::max(l.end, hi);
    first = false;
  }
  l.start = align_down(l.start, kPageSize);
  l.end = align_up(l.end, kPageSize);
  return l;
}

// The boot protocol the VMM gives the guest: Linux's for an image with a
// "Linux" ELF note (vmm_abi.h, previrt_boot_protocol).
uint64_t boot_protocol(const ElfFile &elf) {
  for (const auto &n : elf.notes())
    if (n.owner == VMM_LINUX_NOTE_OWNER) return VMM_BOOT_PROTOCOL_LINUX;
  return VMM_BOOT_PROTOCOL_PGBT;
}

Diagnostic site_error(const ElfFile &elf, const Site &s, std::string_view target,
                      const std::string &msg) {
  return error_at(elf.describe(s.address), "record " + std::to_string(s.record) + ": " +
                                               std::string(target) + " target: " + msg);
}

// The descriptor of one site, from its original bytes in the annotated image.
Result<vmm_site_desc> describe_site(const ElfFile &elf, const Site &s, unsigned next_hlt_length,
                                    std::string_view target) {
  const Section *sec = elf.section_at(s.address);
  const uint8_t *orig = sec ? elf.bytes_at(*sec, s.address, s.padded_length) : nullptr;
  if (!orig) return site_error(elf, s, target, "the site's bytes are not in the file");
  vmm_site_desc d;
  std::memset(&d, 0, sizeof d);
  if (s.insn_length == 0 || s.insn_length > sizeof d.bytes ||
      vmm_decode(orig, s.insn_length, &d) != 0)
    return site_error(elf, s, target,
                      "vmm_decode does not accept the original instruction (" +
                          hex_bytes(orig, std::min<size_t>(s.insn_length, 15)) +
                          "): the VMM cannot emulate it");
  if (d.insn_class != s.insn_class)
    return site_error(elf, s, target,
                      "vmm_decode reads the original instruction as " +
                          class_name(d.insn_class) + ", the record says " +
                          class_name(s.insn_class));
  if (d.insn_length != s.insn_length)
    return site_error(elf, s, target,
                      "vmm_decode reads an instruction of " + std::to_string(d.insn_length) +
                          " bytes, the record says " + std::to_string(s.insn_length));
  d.site = s.address;
  d.resume = s.address + s.padded_length;
  d.abi_version = PREVIRT_VMM_ABI_VERSION;
  d.flags = static_cast<uint8_t>(s.flags);
  d.padded_length = static_cast<uint8_t>(s.padded_length);
  d.next_hlt_length = static_cast<uint8_t>(next_hlt_length);
  return d;
}

// Whether descriptor `a` and the one stored at `b` emulate alike: equal
// apart from the replacement flag (where the code was linked).
bool same_emulation(vmm_site_desc a, const uint8_t *b) {
  vmm_site_desc c;
  std::memcpy(&c, b, sizeof c);
  a.flags &= ~PV_SITE_REPLACEMENT;
  c.flags &= ~PV_SITE_REPLACEMENT;
  return std::memcmp(&a, &c, sizeof a) == 0;
}

// pushf/popf with the default 64-bit operand: no 0x66 among the prefixes
// in front of the opcode (the last byte). Without the bytes, assume so.
bool moves_eight_bytes(const Site &site, const uint8_t *insn) {
  if (!insn) return true;
  for (unsigned i = 0; i + 1 < site.insn_length; ++i)
    if (insn[i] == 0x66) return false;
  return true;
}

}  // namespace

bool put_rel32(uint8_t *p, uint64_t target, uint64_t next_ip) {
  uint64_t rel = target - next_ip;
  if (!fits_s32(rel)) return false;
  put_u32(p, static_cast<uint32_t>(rel));
  return true;
}

XenSiteForm xen_site_form(const Site &site, const uint8_t *insn, bool before_hlt) {
  // cli is one store that touches no stack: inline even at NOSTACK sites.
  if (site.insn_class == PV_CLASS_CLI) return XenSiteForm::inline_cli;
  if (is_nostack(site)) return XenSiteForm::jmp_thunk;
  switch (site.insn_class) {
    case PV_CLASS_STI: return before_hlt ? XenSiteForm::call_thunk : XenSiteForm::call_sti;
    // The inline forms push and pop 8 bytes and need their length (the
    // table's pads): pushfw/popfw (66 9c/9d) and shorter sites (annotated
    // with older pads) take the descriptor path.
    case PV_CLASS_PUSHF:
      return moves_eight_bytes(site, insn) && site.padded_length >= VMM_PUSHF_SITE_LENGTH
                 ? XenSiteForm::pushf_dispatch
                 : XenSiteForm::call_thunk;
    case PV_CLASS_POPF:
      return moves_eight_bytes(site, insn) && site.padded_length >= VMM_POPF_SITE_LENGTH
                 ? XenSiteForm::popf_fast
                 : XenSiteForm::call_thunk;
    default: return XenSiteForm::call_thunk;
  }
}

unsigned xen_form_length(XenSiteForm form) {
  switch (form) {
    case XenSiteForm::inline_cli: return kCliLength;
    case XenSiteForm::pushf_dispatch: return VMM_PUSHF_SITE_LENGTH;
    case XenSiteForm::popf_fast: return VMM_POPF_SITE_LENGTH;
    default: return kCallLength;
  }
}

Result<VmmImage> link_xen_region(const ElfFile &elf, const SiteTable &table,
                                 const SitePlaces &places, uint64_t vaddr, bool thunks) {
  const std::string_view target = thunks ? "xen" : "xen-trap";
  if (vaddr % kXenRegionAlign)
    return error("the " + std::string(target) +
                 " target needs its region at a 2 MiB boundary, but the image's program "
                 "headers take its start (PT_PHDR: a dynamically linked program, not a kernel)");
  auto obj = ElfFile::parse_object(
      std::vector<uint8_t>(pv_xen_vmm_object, pv_xen_vmm_object + pv_xen_vmm_object_size));
  if (!obj) return error("Xen VMM object: " + obj.error().message);

  // One descriptor per place a site runs at (runtime replacement code runs
  // where the kernel copies it), by address; the HLT places, for the
  // sti;hlt pairs.
  struct Run {
    const Site *site;
    uint64_t at;
    bool copy;  // a place the kernel copies replacement code to
  };
  std::vector<Run> runs;
  std::map<uint64_t, size_t> places_of;  // site address -> number of places
  for (size_t i = 0; i < table.sites.size(); ++i) {
    const Site &s = table.sites[i];
    if (xen_keeps_site(s)) continue;
    for (const RunPlace &p : places.at(i)) runs.push_back({&s, p.address, p.record != SIZE_MAX});
    places_of[s.address] += places[i].size();
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const Run &a, const Run &b) { return a.at < b.at; });
  std::map<uint64_t, const Site *> hlt_at;
  for (size_t i = 0; i < runs.size(); ++i) {
    // The same address twice is a table error unless the kernel's runtime
    // patching puts different code there (at most one of it at a time).
    if (i && runs[i].at == runs[i - 1].at && !runs[i].copy && !runs[i - 1].copy)
      return site_error(elf, *runs[i].site, target, "two records describe the same site");
    if (runs[i].site->insn_class == PV_CLASS_HLT) hlt_at[runs[i].at] = runs[i].site;
  }
  auto next_hlt_at = [&](const Site &s, uint64_t at) -> const Site * {
    if (s.insn_class != PV_CLASS_STI) return nullptr;
    auto it = hlt_at.find(at + s.padded_length);
    return it == hlt_at.end() ? nullptr : it->second;
  };
  // An sti takes the descriptor path if a hlt follows it wherever it runs.
  std::map<uint64_t, bool> before_hlt;
  for (const Run &r : runs)
    if (next_hlt_at(*r.site, r.at)) before_hlt[r.site->address] = true;
  auto form_of = [&](const Site &s) {
    const Section *sec = elf.section_at(s.address);
    const uint8_t *insn = sec ? elf.bytes_at(*sec, s.address, s.padded_length) : nullptr;
    return xen_site_form(s, insn, before_hlt.count(s.address) > 0);
  };

  // Layout: object, thunks, descriptors.
  const uint64_t object_size = linked_vmm_size(*obj);
  uint64_t at = align_up(vaddr + object_size, kThunkAlign);
  const uint64_t thunks_start = at;
  std::map<uint64_t, uint64_t> thunk_of;  // site address -> thunk
  if (thunks) {
    for (const Run &r : runs) {
      const Site *s = r.site;
      XenSiteForm form = form_of(*s);
      if (form != XenSiteForm::call_thunk && form != XenSiteForm::jmp_thunk) continue;
      if (places_of[s->address] != 1)
        return site_error(elf, *s, target,
                          "the kernel copies this replacement code to " +
                              std::to_string(places_of[s->address]) +
                              " places, and its thunk can name only one descriptor");
      at = align_up(at, kThunkAlign);
      thunk_of[s->address] = at;
      at += form == XenSiteForm::jmp_thunk ? kNostackThunkSize : kThunkSize;
    }
  }
  const uint64_t thunks_end = at;
  const uint64_t descs = align_up(at, kDescAlign);
  const uint64_t descs_end = descs + runs.size() * sizeof(vmm_site_desc);
  const uint64_t region_end = align_up(descs_end, kPageSize);
  if (thunks && !thunk_of.empty() && !(fits_s32(descs) && fits_s32(descs_end - 1)))
    return error("the site descriptors would lie at " + hex(descs) + "-" + hex(descs_end) +
                 ", out of reach of a thunk's sign-extended 32-bit pushq (the image must be "
                 "linked in the bottom or the top 2 GiB)");

  const ImageLayout layout = image_layout(elf);
  const std::map<std::string, uint64_t> externals = {
      {VMM_SYM_GUEST_ENTRY, elf.header().entry},
      {VMM_SYM_IMAGE_START, layout.start},
      {VMM_SYM_IMAGE_END, layout.end},
      {VMM_SYM_REGION_START, vaddr},
      {VMM_SYM_REGION_END, region_end},
      {VMM_SYM_VIRT_BASE, layout.virt_base},
      {VMM_SYM_SITE_DESCS, descs},
      {VMM_SYM_SITE_DESCS_END, descs_end},
      {VMM_SYM_BOOT_PROTOCOL, boot_protocol(elf)},
  };
  auto linked = link_vmm_object(*obj, vaddr, externals);
  if (!linked) return linked.error();
  for (const char *name : kRequiredSymbols)
    if (!linked->symbols.count(name))
      return error(std::string("Xen VMM object: no global symbol ") + name);
  const auto &sym = linked->symbols;

  VmmImage img;
  img.vaddr = vaddr;
  img.bytes = std::move(linked->bytes);
  img.bytes.resize(thunks_start - vaddr, 0);
  img.bytes.resize(thunks_end - vaddr, 0xcc);  // int3 between thunks
  img.bytes.resize(region_end - vaddr, 0);

  for (size_t i = 0; i < runs.size(); ++i) {
    const Site &s = *runs[i].site;
    const Site *hlt = next_hlt_at(s, runs[i].at);
    auto d = describe_site(elf, s, hlt ? hlt->padded_length : 0, target);
    if (!d) return d.error();
    d->site = runs[i].at;
    d->resume = runs[i].at + s.padded_length;
    const uint64_t desc = descs + i * sizeof(vmm_site_desc);
    std::memcpy(img.bytes.data() + (desc - vaddr), &*d, sizeof *d);
    if (!thunks && i && runs[i].at == runs[i - 1].at &&
        !same_emulation(*d, img.bytes.data() + (desc - sizeof(vmm_site_desc) - vaddr)))
      return site_error(elf, s, target,
                        "runs at " + hex(runs[i].at) + " (the kernel's runtime patching), where "
                        "other code with a different instruction, " +
                            elf.describe(runs[i - 1].site->address) +
                            ", may run instead: a ud2 there cannot tell which one trapped");

    auto t = thunk_of.find(s.address);
    if (t == thunk_of.end()) continue;
    uint8_t *p = img.bytes.data() + (t->second - vaddr);
    const uint64_t thunk = t->second;
    bool ok = true;
    if (form_of(s) == XenSiteForm::jmp_thunk) {
      // mov %rsp, vmm_pcpu+24(%rip); lea vmm_nostack_stack_top(%rip), %rsp;
      // pushq $desc; jmp vmm_entry_nostack
      const uint8_t code[] = {0x48, 0x89, 0x25, 0, 0, 0, 0, 0x48, 0x8d, 0x25, 0, 0, 0, 0,
                              0x68, 0,    0,    0, 0, 0xe9, 0, 0, 0, 0};
      static_assert(sizeof code == kNostackThunkSize, "NOSTACK thunk size");
      std::memcpy(p, code, sizeof code);
      ok &= put_rel32(p + 3, sym.at(VMM_SYM_PCPU) + VMM_PCPU_OFF_NOSTACK_RSP, thunk + 7);
      ok &= put_rel32(p + 10, sym.at(VMM_SYM_NOSTACK_STACK_TOP), thunk + 14);
      put_u32(p + 15, static_cast<uint32_t>(desc));
      ok &= put_rel32(p + 20, sym.at(VMM_SYM_ENTRY_NOSTACK), thunk + 24);
    } else {
      // pushq $desc; jmp vmm_entry
      const uint8_t code[] = {0x68, 0, 0, 0, 0, 0xe9, 0, 0, 0, 0};
      static_assert(sizeof code == kThunkSize, "thunk size");
      std::memcpy(p, code, sizeof code);
      put_u32(p + 1, static_cast<uint32_t>(desc));
      ok &= put_rel32(p + 6, sym.at(VMM_SYM_ENTRY), thunk + 10);
    }
    if (!ok) return site_error(elf, s, target, "its thunk does not reach the VMM");
  }

  img.symbols = std::move(linked->symbols);
  for (const auto &e : externals) img.symbols[e.first] = e.second;
  img.thunks = std::move(thunk_of);
  return img;
}

}  // namespace elfrewrite
