#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Round trip, idempotence and output-file behaviour of elfrewrite targets,
# checked with an independent ELF reader (elfimage.py):
#  - --target=native of --target=test output gives the annotated image's
#    loadable bytes and entry point (and in fact the whole file) back;
#  - the same command twice gives identical bytes; re-targeting a test
#    image gives the same bytes as rewriting the original (no growth);
#  - --target=native of an annotated image is the identity;
#  - the test image differs from the original only in site bytes, plus one
#    new PT_LOAD holding the VMM that every site calls;
#  - default output name FILE.T, mode preserved, no temporary files left,
#    --dry-run writes nothing.
#   roundtrip.py ELFREWRITE FIXTURE_DIR
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import elfimage  # noqa: E402

check = checks.Checks()


def run(tool, *args):
    p = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"elfrewrite {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rewrite(tool, src, target, out):
    run(tool, "--target=" + target, "-o", out, src)
    return read(out)


def fixture_case(tool, src, tmp):
    name = os.path.basename(src)
    orig = read(src)
    a = elfimage.Elf(orig)
    t_path = os.path.join(tmp, name + ".test")
    t = rewrite(tool, src, "test", t_path)
    n = rewrite(tool, t_path, "native", os.path.join(tmp, name + ".native"))
    te = elfimage.Elf(t)
    ne = elfimage.Elf(n)
    check(ne.loads() == a.loads(), f"{name}: PT_LOAD contents after test -> native")
    check(ne.entry == a.entry, f"{name}: entry point after test -> native")
    check(n == orig, f"{name}: test -> native is the original file byte for byte")
    check(rewrite(tool, src, "test", os.path.join(tmp, name + ".test2")) == t,
          f"{name}: --target=test twice gives identical bytes")
    check(rewrite(tool, t_path, "test", os.path.join(tmp, name + ".retest")) == t,
          f"{name}: re-targeting a test image to test changes nothing")
    check(rewrite(tool, src, "native", os.path.join(tmp, name + ".id")) == orig,
          f"{name}: --target=native of the annotated image is the identity")
    check(te.entry == a.entry, f"{name}: test image keeps the entry point")
    # Many round trips: the file never grows and never changes.
    cur = t_path
    for i in range(6):
        nxt = os.path.join(tmp, f"{name}.cycle{i}")
        data = rewrite(tool, cur, "native" if i % 2 == 0 else "test", nxt)
        cur = nxt
    check(read(cur) == t, f"{name}: six alternating native/test rewrites end where they began")

    # Only site bytes (and the ELF header, when a segment maps it) differ
    # inside the original loadable segments.
    sites = json.loads(run(tool, "--list", "--json", src))["sites"]
    loads_a, loads_t = a.loads(), te.loads()
    check(len(loads_t) == len(loads_a) + 1, f"{name}: test image has one more PT_LOAD")
    masked_a, masked_t = [], []
    for (va, _, da), (vt, _, dt) in zip(loads_a, loads_t):
        da, dt = bytearray(da), bytearray(dt)
        for p in a.phdrs:
            if p["type"] == 1 and p["vaddr"] == va and p["offset"] == 0:
                da[:64] = dt[:64] = b"\0" * 64
        for s in sites:
            addr = int(s["address"], 16)
            if va <= addr < va + len(da):
                o = addr - va
                da[o:o + s["padded_length"]] = b"\0" * s["padded_length"]
                dt[o:o + s["padded_length"]] = b"\0" * s["padded_length"]
        masked_a.append((va, bytes(da)))
        masked_t.append((vt, bytes(dt)))
    check(masked_a == masked_t, f"{name}: test image differs from the original only at sites")

    # Every site is `call VMM` + NOPs, and the VMM is the new PT_LOAD.
    vmm_va, vmm_sz, vmm_bytes = loads_t[-1]
    vmm_phdr = [p for p in te.phdrs if p["type"] == 1][-1]
    last_orig = max((p for p in a.phdrs if p["type"] == 1), key=lambda p: p["vaddr"])
    check(vmm_phdr["vaddr"] - vmm_phdr["paddr"] == last_orig["vaddr"] - last_orig["paddr"],
          f"{name}: the VMM segment keeps the image's virtual-to-physical offset")
    check(vmm_phdr["vaddr"] % 0x1000 == 0 and vmm_phdr["offset"] % 0x1000 == 0,
          f"{name}: the VMM segment is page-aligned in memory and in the file")
    vmm_sec = te.section(".previrt_vmm")
    check(vmm_sec is not None and vmm_va <= vmm_sec["addr"] < vmm_va + vmm_sz,
          f"{name}: .previrt_vmm section inside the new segment")
    entry = vmm_sec["addr"] if vmm_sec else vmm_va
    for (va, _, dt) in loads_t[:-1]:
        for s in sites:
            addr = int(s["address"], 16)
            if va <= addr < va + len(dt):
                o = addr - va
                check(dt[o] == 0xE8, f"{name}: site {s['symbol']} starts with a call")
                rel = struct.unpack_from("<i", dt, o + 1)[0]
                check(addr + 5 + rel == entry, f"{name}: site {s['symbol']} calls the VMM")
    # The target's note: a PT_NOTE and .note.previrt.target holding owner
    # "previrt-test", type 1, site count and the VMM entry address.
    note = te.section(".note.previrt.target")
    pt_notes = [p for p in te.phdrs if p["type"] == 4 and note and p["offset"] == note["offset"]]
    check(note is not None and len(pt_notes) == 1, f"{name}: target note section and PT_NOTE")
    if note:
        namesz, descsz, ntype = struct.unpack_from("<III", t, note["offset"])
        owner = t[note["offset"] + 12:note["offset"] + 12 + namesz]
        desc = t[note["offset"] + 12 + ((namesz + 3) & ~3):][:descsz]
        check(owner == b"previrt-test\0" and ntype == 1 and descsz == 16,
              f"{name}: target note header")
        nsites, _, note_entry = struct.unpack_from("<IIQ", desc)
        check(nsites == len(sites) and note_entry == entry, f"{name}: target note contents")
    # The VMM's data area lists every site, relative to the area (see
    # test_vmm.S).
    count = len(sites)
    data_va = vmm_va + vmm_sz - 8 * (2 * count + 1)
    table = vmm_bytes[len(vmm_bytes) - 8 * (2 * count + 1):]
    check(struct.unpack_from("<Q", table, 0)[0] == count, f"{name}: VMM site count")
    offsets = list(struct.unpack_from(f"<{count}q", table, 8))
    check([data_va + o for o in offsets] == [int(s["address"], 16) for s in sites],
          f"{name}: VMM site table")


def native_identity_32(tool, fixtures, tmp):
    for name in ("i386.elf", "pvas32-allclasses32.elf"):
        src = os.path.join(fixtures, name)
        out = rewrite(tool, src, "native", os.path.join(tmp, name + ".native"))
        check(out == read(src), f"{name}: --target=native of a 32-bit image is the identity")


def output_file_cases(tool, fixtures, tmp):
    d = os.path.join(tmp, "outdir")
    os.mkdir(d)
    src = os.path.join(d, "basic.elf")
    shutil.copy(os.path.join(fixtures, "basic.elf"), src)
    os.chmod(src, 0o751)
    run(tool, "--target=test", src)
    check(os.path.exists(src + ".test"), "default output name is FILE.test")
    check(os.stat(src + ".test").st_mode & 0o777 == 0o751, "output keeps the input's mode")
    run(tool, "--target=native", "--dry-run", "-o", os.path.join(d, "dry"), src)
    check(not os.path.exists(os.path.join(d, "dry")), "--dry-run writes nothing")
    check(sorted(os.listdir(d)) == ["basic.elf", "basic.elf.test"],
          "no temporary files are left behind: " + " ".join(sorted(os.listdir(d))))


def main():
    tool, fixtures = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        for f in ("basic.elf", "prefixpad.elf", "kernel-layout.elf", "pvas-userrun.elf",
                  "pvgcc-pie"):
            try:
                fixture_case(tool, os.path.join(fixtures, f), tmp)
            except RuntimeError as e:
                check(False, f"{f}: {e}")
        native_identity_32(tool, fixtures, tmp)
        output_file_cases(tool, fixtures, tmp)
    return check.summary("roundtrip")


if __name__ == "__main__":
    sys.exit(main())
