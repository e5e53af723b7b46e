#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Structural checks of elfrewrite --target=xen and --target=xen-trap
# (docs/vmm-interface.md sections 1-3), with an independent ELF reader and
# an independent statement of what each site must become:
#  - every 64-bit site has its form: cli -> DS prefixes + movb $0,vmm_pcpu+1(%rip); sti ->
#    NOPs + call vmm_sti, or call thunk when a hlt site follows; pushf -> pushfq;
#    call *vmm_pcpu(%rip); popf -> testl $0x247200,(%rsp); jz +5; call
#    vmm_popf_slow; movw $0,vmm_pcpu(%rip); popfq (pushfw/popfw: call thunk);
#    NOSTACK -> jmp to a NOSTACK thunk; the rest -> call thunk, then int3;
#    xen-trap: ud2, then int3; 32-bit sites keep their bytes;
#  - every thunk has the byte-exact form, jumps to the right entry and pushes
#    the address of the site's descriptor;
#  - the descriptor table (previrt_site_descs) lists every rewritten site,
#    sorted, with site/resume/class/flags/lengths/original bytes/
#    next_hlt_length, identical for both targets;
#  - call targets, ENTRY and HYPERCALL_PAGE are the VMM object's symbols,
#    placed by the documented layout rule (allocated sections in file order,
#    each aligned) at the start of the new region (2 MiB aligned, page
#    aligned end);
#  - the Xen notes (types from <xen/elfnote.h>) in a PT_NOTE; e_entry;
#  - round trip, idempotence, re-targeting, --verify of the outputs;
#  - the values the VMM object's references to previrt_* symbols got;
#  - fixtures: 32-bit sites kept, sti;hlt pairs, NOSTACK; refusals with
#    their exact messages (replacement code, too short, an instruction the
#    VMM's decoder refuses, descriptors out of pushq reach).
#
#   check_xen_target.py ELFREWRITE GUEST_ELF VMM_OBJECT FIXTURE_DIR OUT_DIR
import json
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import checks  # noqa: E402
import elfimage  # noqa: E402

ELFNOTE_H = "/usr/include/xen/elfnote.h"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PT_LOAD, PT_NOTE = 1, 4
DESC_SIZE = 88
ABI_VERSION = 1
NOSTACK_CLASSES = {"swapgs", "sysret", "sysexit"}
# The multi-byte NOPs elfrewrite fills with (Intel SDM vol. 2B, NOP).
NOPS = [bytes.fromhex(h) for h in (
    "90", "6690", "0f1f00", "0f1f4000", "0f1f440000", "660f1f440000", "0f1f8000000000",
    "0f1f840000000000", "660f1f840000000000")]

check = checks.Checks()


def run(tool, *args, ok=True):
    p = subprocess.run([tool, *args], capture_output=True, text=True, timeout=120)
    if ok and p.returncode != 0:
        raise RuntimeError(f"{tool} {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


def s32(v):
    return v - (1 << 32) if v & 0x80000000 else v


def u64(v):
    return v & 0xffffffffffffffff


class Image:
    """An ELF image read through its PT_LOAD segments."""

    def __init__(self, path):
        self.data = read(path)
        self.elf = elfimage.Elf(self.data)

    def read(self, addr, n):
        for p in self.elf.phdrs:
            if p["type"] == PT_LOAD and p["vaddr"] <= addr and addr + n <= p["vaddr"] + p["filesz"]:
                o = p["offset"] + addr - p["vaddr"]
                return self.data[o:o + n]
        raise KeyError(f"{addr:#x}+{n} is not in the file bytes of a PT_LOAD")

    def loads(self):
        return [p for p in self.elf.phdrs if p["type"] == PT_LOAD]


def read_object(path):
    """A relocatable object's global symbols and its relocations against
    undefined previrt_* symbols, placed as docs/elfrewrite.1 says the VMM
    linker places them (allocated sections in file order, each at its
    alignment): ({name: offset in the region}, [(name, type, offset, addend)])."""
    data = read(path)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    placed, end = {}, 0
    for i, (_, typ, flags, _, _, size, _, _, align, _) in enumerate(secs):
        if i == 0 or not flags & 2:  # SHF_ALLOC
            continue
        if align > 1:
            end = (end + align - 1) // align * align
        placed[i] = end
        end += size
    symtab = [s for s in secs if s[1] == 2][0]
    strtab = secs[symtab[6]]
    names, syms = [], {}
    for k in range(symtab[5] // 24):
        name, info, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", data, symtab[4] + 24 * k)
        o = strtab[4] + name
        names.append(data[o:data.index(b"\0", o)].decode())
        if info >> 4 == 1 and shndx in placed:  # STB_GLOBAL, defined in a placed section
            syms[names[-1]] = placed[shndx] + value
    relocs = []
    for s in secs:
        if s[1] != 4 or s[7] not in placed:  # SHT_RELA applied to a placed section
            continue
        for k in range(s[5] // 24):
            off, info, addend = struct.unpack_from("<QQq", data, s[4] + 24 * k)
            if names[info >> 32].startswith("previrt_"):
                relocs.append((names[info >> 32], info & 0xffffffff, placed[s[7]] + off, addend))
    return syms, relocs


def linked_value(img, base, rtype, off, addend):
    """The symbol value S that a resolved relocation in the region encodes."""
    p = base + off
    if rtype in (1, 24):  # R_X86_64_64, PC64
        v = struct.unpack("<Q", img.read(p, 8))[0]
    elif rtype in (2, 4, 11):  # PC32, PLT32, 32S
        v = u64(s32(struct.unpack("<I", img.read(p, 4))[0]))
    elif rtype == 10:  # R_X86_64_32
        v = struct.unpack("<I", img.read(p, 4))[0]
    else:
        raise ValueError(f"relocation type {rtype}")
    if rtype in (2, 4, 24):
        v = u64(v + p)
    return u64(v - addend)


def note_types():
    with open(ELFNOTE_H) as f:
        return {m.group(1): int(m.group(2), 0) for m in re.finditer(
            r"#define\s+XEN_ELFNOTE_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", f.read())}


def notes_of(img, phdr):
    out, off, end = [], phdr["offset"], phdr["offset"] + phdr["filesz"]
    while off + 12 <= end:
        namesz, descsz, typ = struct.unpack_from("<III", img.data, off)
        name = img.data[off + 12:off + 12 + namesz].rstrip(b"\0").decode()
        d = off + 12 + (namesz + 3) // 4 * 4
        out.append((name, typ, img.data[d:d + descsz]))
        off = d + (descsz + 3) // 4 * 4
    return out


def note_owners(img):
    """Owners of the notes in the SHT_NOTE sections."""
    out = set()
    for s in img.elf.shdrs:
        if s["type"] == 7:
            out.update(n for n, _, _ in notes_of(img, {"offset": s["offset"], "filesz": s["size"]}))
    return out


def parse_desc(b):
    site, resume, abi, cls, flags, ilen, plen = struct.unpack_from("<QQBBBBB", b, 0)
    return dict(site=site, resume=resume, abi=abi, cls=cls, flags=flags, insn_length=ilen,
                padded_length=plen, bytes=b[72:87], next_hlt=b[87])


def nops_only(b):
    i = 0
    while i < len(b):
        for n in NOPS:
            if b[i:i + len(n)] == n:
                i += len(n)
                break
        else:
            return False
    return True


def site_list(tool, path):
    doc = json.loads(run(tool, "--list", "--json", path).stdout)
    ids = {}
    for s in doc["sites"]:
        s["addr"] = int(s["address"], 16)
        s["orig"] = bytes.fromhex(s["bytes"])
    return doc["sites"]


def class_ids():
    """Class numbers from include/previrt/sensitive.def."""
    with open(os.path.join(REPO, "include/previrt/sensitive.def")) as f:
        return {m.group(1).lower(): int(m.group(2))
                for m in re.finditer(r"^PV_CLASS\((\w+),\s*(\d+),", f.read(), re.M)}


def expected_form(s, hlt_at):
    """What docs/vmm-interface.md section 1 says the site becomes."""
    if "code32" in s["flags"]:
        return "keep"
    if s["class"] == "cli":
        return "cli"
    if "nostack" in s["flags"] or s["class"] in NOSTACK_CLASSES:
        return "jmp_thunk"
    if s["class"] == "sti":
        return "call_thunk" if s["addr"] + s["padded_length"] in hlt_at else "call_sti"
    if s["class"] in ("pushf", "popf"):
        # the inline forms move 8 bytes and need 7 (pushf) or 24 (popf) bytes: a
        # 0x66 prefix (pushfw/popfw) or a shorter site takes a thunk
        if 0x66 in s["orig"][:s["insn_length"] - 1] or \
                s["padded_length"] < {"pushf": 7, "popf": 24}[s["class"]]:
            return "call_thunk"
        return s["class"]
    return "call_thunk"


def lead_in_ok(b, max_prefixes):
    """NOPs, then at most max_prefixes DS prefixes: what fills a site in front."""
    p = len(b) - len(b.rstrip(b"\x3e"))
    return p <= max_prefixes and nops_only(b[:len(b) - p])


def check_image(tool, name, src, out, target, vmm, ids, desc_table=None):
    """Checks one rewritten image; returns the descriptor table's bytes."""
    sites = site_list(tool, src)
    img, orig = Image(out), Image(src)
    loads, oloads = img.loads(), orig.loads()
    check(len(loads) == len(oloads) + 1, f"{name}/{target}: one more PT_LOAD")
    region = loads[-1]
    base = region["vaddr"]
    check(base % (2 << 20) == 0, f"{name}/{target}: the region starts at a 2 MiB boundary")
    check(region["filesz"] == region["memsz"] and region["filesz"] % 0x1000 == 0,
          f"{name}/{target}: the region ends on a page boundary and is all in the file")
    ref = [p for p in oloads if p["vaddr"] <= orig.elf.entry < p["vaddr"] + p["memsz"]][0]
    virt_base = u64(ref["vaddr"] - ref["paddr"])
    check(u64(region["vaddr"] - region["paddr"]) == virt_base,
          f"{name}/{target}: the region keeps the image's virtual-to-physical offset")
    vmm_syms, vmm_relocs = vmm
    sym = {k: base + v for k, v in vmm_syms.items()}

    # Entry point and notes.
    check(img.elf.entry == sym["xen_pv_start"], f"{name}/{target}: e_entry is xen_pv_start")
    types = note_types()
    pt_notes = [p for p in img.elf.phdrs if p["type"] == PT_NOTE]
    xen = {}
    for p in pt_notes[-1:]:
        for owner, typ, desc in notes_of(img, p):
            check(owner == "Xen", f"{name}/{target}: added note owned by Xen")
            xen[typ] = desc
    q = lambda v: struct.pack("<Q", v)  # noqa: E731
    want = {"GUEST_OS": b"previrt\0", "GUEST_VERSION": b"1\0", "XEN_VERSION": b"xen-3.0\0",
            "LOADER": b"generic\0", "VIRT_BASE": q(virt_base), "PADDR_OFFSET": q(0),
            "ENTRY": q(sym["xen_pv_start"]), "HYPERCALL_PAGE": q(sym["hypercall_page"]),
            "FEATURES": b"!writable_page_tables\0"}
    check(len(xen) == len(want), f"{name}/{target}: {len(want)} Xen notes in the added PT_NOTE")
    for k, v in want.items():
        check(xen.get(types[k]) == v, f"{name}/{target}: note XEN_ELFNOTE_{k} = {v!r}")
    check(sym["hypercall_page"] % 0x1000 == 0, f"{name}/{target}: hypercall page aligned")
    rn = run("readelf", "-nW", out).stdout
    sec = rn[rn.index(".note.previrt.target"):] if ".note.previrt.target" in rn else ""
    check(sec.count("\n  Xen ") == len(want), f"{name}/{target}: readelf -n lists the Xen notes")

    # Sites.
    hlt_at = {s["addr"]: s for s in sites if s["class"] == "hlt"}
    rewritten = sorted((s for s in sites if "code32" not in s["flags"]), key=lambda s: s["addr"])
    index = {s["addr"]: i for i, s in enumerate(rewritten)}
    table_start = None
    thunk_descs = {}
    region_end = base + region["filesz"]
    for s in sites:
        a, n = s["addr"], s["padded_length"]
        b = img.read(a, n)
        where = f"{name}/{target}: {s['symbol']} ({s['class']})"
        form = expected_form(s, hlt_at)
        if form == "keep":
            check(b == s["orig"], f"{where}: 32-bit site keeps its bytes")
            continue
        if target == "xen-trap":
            check(b[:2] == b"\x0f\x0b" and set(b[2:]) <= {0xCC}, f"{where}: ud2 + int3")
            continue
        if form == "cli":
            p = min(n - 7, 8)  # DS prefixes fill the site (one instruction, <= 15 bytes)
            ok = b[:p] == b"\x3e" * p and b[p:p + 2] == b"\xc6\x05" and b[p + 6] == 0
            ok = ok and nops_only(b[p + 7:])
            ok = ok and a + p + 7 + s32(struct.unpack_from("<I", b, p + 2)[0]) == \
                sym["vmm_pcpu"] + 1
            check(ok, f"{where}: DS prefixes + movb $0, vmm_pcpu+1(%rip) (+ NOPs)")
            continue
        rel_at = lambda off, end: a + end + s32(struct.unpack_from("<I", b, off)[0])  # noqa: E731
        if form == "pushf":
            at = n - 7
            ok = lead_in_ok(b[:at], 14) and b[at:at + 3] == b"\x9c\xff\x15"
            check(ok and rel_at(at + 3, n) == sym["vmm_pcpu"],
                  f"{where}: (NOPs, DS prefixes) pushfq; call *vmm_pcpu(%rip)")
            continue
        if form == "popf":
            at = n - 24
            ok = lead_in_ok(b[:at], 8)
            ok = ok and b[at:at + 10] == bytes.fromhex("f7042400722400 7405 e8".replace(" ", ""))
            ok = ok and rel_at(at + 10, n - 10) == sym["vmm_popf_slow"]
            ok = ok and b[at + 14:at + 17] == b"\x66\xc7\x05" and b[at + 21:] == b"\0\0\x9d"
            check(ok and rel_at(at + 17, n - 1) == sym["vmm_pcpu"],
                  f"{where}: testl $0x247200,(%rsp); jz +5; call vmm_popf_slow; "
                  "movw $0,vmm_pcpu(%rip); popfq")
            continue
        op = 0xE9 if form == "jmp_thunk" else 0xE8
        if form == "call_sti":
            # NOPs, then the call: the fast path returns to the site's end
            at = n - 5
            tgt = a + n + s32(struct.unpack_from("<I", b, at + 1)[0])
            if check(b[at] == 0xE8 and nops_only(b[:at]), f"{where}: NOPs + call rel32"):
                check(tgt == sym["vmm_" + form[5:]], f"{where}: calls vmm_{form[5:]}")
            continue
        # the branch, then int3: the VMM resumes at the site's end
        tgt = a + 5 + s32(struct.unpack_from("<I", b, 1)[0])
        if not check(b[0] == op and set(b[5:]) <= {0xCC},
                     f"{where}: {'jmp' if op == 0xE9 else 'call'} rel32 + int3"):
            continue
        check(sym["xen_pv_start"] < tgt < region_end, f"{where}: thunk in the region")
        t = img.read(tgt, 24 if form == "jmp_thunk" else 10)
        if form == "jmp_thunk":
            ok = t[:3] == b"\x48\x89\x25" and t[7:10] == b"\x48\x8d\x25" and t[14] == 0x68
            ok = ok and t[19] == 0xE9
            ok = ok and tgt + 7 + s32(struct.unpack_from("<I", t, 3)[0]) == sym["vmm_pcpu"] + 24
            ok = ok and tgt + 14 + s32(struct.unpack_from("<I", t, 10)[0]) == \
                sym["vmm_nostack_stack_top"]
            ok = ok and tgt + 24 + s32(struct.unpack_from("<I", t, 20)[0]) == \
                sym["vmm_entry_nostack"]
            desc = u64(s32(struct.unpack_from("<I", t, 15)[0]))
            check(ok, f"{where}: NOSTACK thunk: mov %rsp,vmm_pcpu+24; lea stack top,%rsp; "
                      "pushq $desc; jmp vmm_entry_nostack")
        else:
            ok = t[0] == 0x68 and t[5] == 0xE9
            ok = ok and tgt + 10 + s32(struct.unpack_from("<I", t, 6)[0]) == sym["vmm_entry"]
            desc = u64(s32(struct.unpack_from("<I", t, 1)[0]))
            check(ok, f"{where}: thunk: pushq $desc; jmp vmm_entry")
        thunk_descs[a] = desc
        start = desc - DESC_SIZE * index[a]
        if table_start is None:
            table_start = start
        check(start == table_start, f"{where}: the thunk's descriptor is entry {index[a]} of "
                                    "the sorted table")

    # The descriptor table: found through the thunks (xen), or at the same
    # place in the region as in the xen image (xen-trap: no thunks).
    if table_start is None and desc_table is not None:
        tb = img.data[region["offset"]:region["offset"] + region["filesz"]]
        found = tb.find(desc_table)
        check(found >= 0 and found % 8 == 0,
              f"{name}/{target}: the descriptor table is in the region, 8-aligned")
        table_start = base + found if found >= 0 else None
    if not check(table_start is not None, f"{name}/{target}: descriptor table located"):
        return None
    check(table_start % 8 == 0, f"{name}/{target}: descriptor table 8-aligned")
    table = img.read(table_start, DESC_SIZE * len(rewritten))
    check(not any(img.read(table_start + len(table), region_end - table_start - len(table))),
          f"{name}/{target}: only zero padding after the descriptor table")
    prev = -1
    for i, s in enumerate(rewritten):
        d = parse_desc(table[i * DESC_SIZE:(i + 1) * DESC_SIZE])
        where = f"{name}/{target}: descriptor {i} ({s['symbol']})"
        hlt = hlt_at.get(s["addr"] + s["padded_length"]) if s["class"] == "sti" else None
        flags = sum({"nostack": 1, "code32": 2, "replacement": 4}[f] for f in s["flags"])
        check(d["site"] > prev, f"{where}: sorted by site address")
        prev = d["site"]
        check(d["site"] == s["addr"] and d["resume"] == s["addr"] + s["padded_length"],
              f"{where}: site and resume")
        check(d["abi"] == ABI_VERSION and d["cls"] == ids[s["class"]] and d["flags"] == flags,
              f"{where}: abi_version, class, flags")
        check(d["insn_length"] == s["insn_length"] and d["padded_length"] == s["padded_length"],
              f"{where}: lengths")
        check(d["bytes"][:s["insn_length"]] == s["orig"][:s["insn_length"]] and
              not any(d["bytes"][s["insn_length"]:]), f"{where}: original instruction bytes")
        check(d["next_hlt"] == (hlt["padded_length"] if hlt else 0), f"{where}: next_hlt_length")

    # The values the VMM object's references to the previrt_* symbols got.
    lo = min(p["paddr"] for p in oloads)
    hi = max(p["paddr"] + p["memsz"] for p in oloads)
    want = {"previrt_guest_entry": orig.elf.entry,
            "previrt_image_start": u64(lo + virt_base) & ~0xfff,
            "previrt_image_end": u64(hi + virt_base + 0xfff) & ~0xfff,
            "previrt_region_start": base, "previrt_region_end": region_end,
            "previrt_virt_base": virt_base, "previrt_site_descs": table_start,
            "previrt_site_descs_end": table_start + len(table),
            "previrt_boot_protocol": 1 if "Linux" in note_owners(orig) else 0}
    check(vmm_relocs, f"{name}/{target}: the VMM object refers to previrt_* symbols")
    for sname, rtype, off, addend in vmm_relocs:
        got = linked_value(img, base, rtype, off, addend)
        check(sname in want and got == want[sname] & 0xffffffffffffffff,
              f"{name}/{target}: {sname} = {want.get(sname, 0):#x} (linked: {got:#x})")
    return table


def rewrite(tool, src, target, out):
    run(tool, f"--target={target}", "-o", out, src)
    return read(out)


def round_trip(tool, name, src, tmp):
    orig = read(src)
    x = rewrite(tool, src, "xen", f"{tmp}/{name}.xen")
    t = rewrite(tool, src, "xen-trap", f"{tmp}/{name}.xen-trap")
    check(rewrite(tool, f"{tmp}/{name}.xen", "native", f"{tmp}/{name}.xen.native") == orig,
          f"{name}: xen -> native is the annotated image byte for byte")
    check(rewrite(tool, f"{tmp}/{name}.xen-trap", "native", f"{tmp}/{name}.trap.native") == orig,
          f"{name}: xen-trap -> native is the annotated image byte for byte")
    check(rewrite(tool, src, "xen", f"{tmp}/{name}.xen.again") == x,
          f"{name}: --target=xen twice gives identical bytes")
    check(rewrite(tool, f"{tmp}/{name}.xen", "xen", f"{tmp}/{name}.xen.xen") == x,
          f"{name}: xen of the xen output equals xen of the original")
    check(rewrite(tool, f"{tmp}/{name}.xen-trap", "xen", f"{tmp}/{name}.trap.xen") == x,
          f"{name}: xen of the xen-trap output equals xen of the original")
    check(rewrite(tool, f"{tmp}/{name}.xen", "xen-trap", f"{tmp}/{name}.xen.trap") == t,
          f"{name}: xen-trap of the xen output equals xen-trap of the original")
    # test/guest/injection.c leaves one instruction unannotated on purpose
    excuse = ["--exclude-symbol", "unannotated:fault injection, unannotated on purpose"]
    for tgt in ("xen", "xen-trap"):
        p = run(tool, "--verify", *excuse, f"{tmp}/{name}.{tgt}", ok=False)
        check(p.returncode == 0 and f"rewritten for {tgt}: identical" in p.stdout,
              f"{name}: --verify of the {tgt} output: {p.stdout.strip()} {p.stderr.strip()}")


def refused(tool, src, target, tmp, message):
    """The one error line, exactly; `message` is a regular expression when
    it is a compiled one (for addresses that follow the VMM's size)."""
    out = f"{tmp}/refused.out"
    if os.path.exists(out):
        os.unlink(out)
    p = run(tool, f"--target={target}", "-o", out, src, ok=False)
    head = f"elfrewrite: {src}: error: "
    lines = p.stderr.splitlines()
    if isinstance(message, re.Pattern):
        want = head + message.pattern
        good = len(lines) == 1 and lines[0].startswith(head) and \
            message.fullmatch(lines[0][len(head):]) is not None
    else:
        want = head + message
        good = lines == [want]
    check(p.returncode == 1 and good,
          f"{os.path.basename(src)}/{target}: refused with\n  {want}\ngot ({p.returncode}):\n"
          f"  {p.stderr.strip()}")
    check(not os.path.exists(out), f"{os.path.basename(src)}/{target}: no output written")


def main():
    tool, guest, vmm_obj, fixtures, tmp = sys.argv[1:6]
    os.makedirs(tmp, exist_ok=True)
    # A private copy: every check of the guest reads the same bytes.
    with open(f"{tmp}/pv.elf", "wb") as f:
        f.write(read(guest))
    guest = f"{tmp}/pv.elf"
    vmm = read_object(vmm_obj)
    ids = class_ids()
    for src in (guest, f"{tmp}/xen-forms.elf", f"{fixtures}/kernel-layout.elf"):
        name = os.path.basename(src)
        x, t = f"{tmp}/{name}.xen", f"{tmp}/{name}.xen-trap"
        rewrite(tool, src, "xen", x)
        rewrite(tool, src, "xen-trap", t)
        table = check_image(tool, name, src, x, "xen", vmm, ids)
        check_image(tool, name, src, t, "xen-trap", vmm, ids, desc_table=table)
        round_trip(tool, name, src, tmp)
        p = run(os.path.join(REPO, "test/xen/check-notes"), x, ok=False)
        check(p.returncode == 0, f"{name}: test/xen/check-notes accepts the xen output: "
                                 f"{p.stdout.strip()} {p.stderr.strip()}")

    # The guest: every class, and its 32-bit PVH entry code kept.
    sites = site_list(tool, guest)
    check(len({s["class"] for s in sites}) == len(ids), "guest: sites of every class")
    check(any("code32" in s["flags"] for s in sites), "guest: has 32-bit sites (PVH entry)")

    refused(tool, f"{fixtures}/altinstr.elf", "xen", tmp,
            "alt_cli+0x0 (0x401009): record 1: xen target: the site is in runtime replacement "
            "code, but no .altinstructions record copies it, so where it runs is unknown")
    refused(tool, f"{fixtures}/small.elf", "xen", tmp,
            "_start+0x0 (0x401000): record 0: xen target: replacement needs 7 bytes, the site "
            "has 3")
    for target in ("xen", "xen-trap"):
        refused(tool, f"{tmp}/xen-undecodable.elf", target, tmp,
                f"_start+0x0 (0x401000): record 0: {target} target: vmm_decode does not accept "
                "the original instruction (8ec8): the VMM cannot emulate it")
    refused(tool, f"{tmp}/xen-high.elf", "xen", tmp, re.compile(
            r"the site descriptors would lie at 0x1002[0-9a-f]{5}-0x1002[0-9a-f]{5}, out of "
            r"reach of a thunk's sign-extended 32-bit pushq \(the image must be linked in the "
            r"bottom or the top 2 GiB\)"))

    return check.summary("xen target")


if __name__ == "__main__":
    sys.exit(main())
