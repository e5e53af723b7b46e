#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Generates the invalid-input corpus from the elfrewrite fixtures: each case
# is one deliberate defect in an otherwise valid file. expected.txt holds
# the exact diagnostic and exit status each one must produce (run.py checks
# them). Deterministic: the same fixtures give the same corpus.
#   generate.py FIXTURE_DIR OUT_DIR ELFREWRITE
# (elfrewrite makes the rewritten images some cases start from)
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "elfrewrite"))
import elfimage  # noqa: E402

FIX = OUT = None


def fixture(name):
    with open(os.path.join(FIX, name), "rb") as f:
        return bytearray(f.read())


def put(fmt, data, off, *vals):
    struct.pack_into(fmt, data, off, *vals)
    return data


# ELF64 header field offsets.
E_TYPE, E_MACHINE, E_PHOFF, E_SHOFF, E_SHENTSIZE, E_SHNUM, E_SHSTRNDX = 16, 18, 32, 40, 58, 60, 62


def shdr_off(d, name):
    e = elfimage.Elf(bytes(d))
    for i, s in enumerate(e.shdrs):
        if s["name"] == name:
            return e.shoff + i * e.shentsize, s
    raise KeyError(name)


def record(d, i):
    """File offset of site record i and its fields."""
    _, s = shdr_off(d, ".previrt_sites")
    off = s["offset"] + 8 * i
    rel, pad, ln, cls, fl = struct.unpack_from("<iBBBB", d, off)
    addr = s["addr"] + 8 * i + rel
    return off, addr, dict(rel=rel, pad=pad, len=ln, cls=cls, flags=fl)


def site_file_offset(d, addr):
    _, t = shdr_off(d, ".text")
    return t["offset"] + addr - t["addr"]


def set_record_address(d, i, addr):
    off, _, _ = record(d, i)
    _, s = shdr_off(d, ".previrt_sites")
    return put("<i", d, off, addr - (s["addr"] + 8 * i))


def note_desc(d):
    _, n = shdr_off(d, ".note.previrt")
    return n["offset"] + 12 + 8  # header, then the 8-byte owner "previrt\0"


def basic():
    return fixture("basic.elf")


def with_record(src, i, **fields):
    d = fixture(src)
    off, _, r = record(d, i)
    r.update(fields)
    return put("<iBBBB", d, off, r["rel"], r["pad"], r["len"], r["cls"], r["flags"])


def stripped():
    src = os.path.join(OUT, "stripped.tmp")
    subprocess.run(["strip", "--strip-all", "-o", src, os.path.join(FIX, "basic.elf")], check=True)
    with open(src, "rb") as f:
        d = bytearray(f.read())
    os.unlink(src)
    off, _, r = record(d, 0)
    return put("<iBBBB", d, off, r["rel"], r["pad"], r["len"], 2, r["flags"])


def test_image():
    src = os.path.join(OUT, "test-image.tmp")
    subprocess.run([TOOL, "--target=test", "-o", src, os.path.join(FIX, "basic.elf")], check=True)
    with open(src, "rb") as f:
        d = bytearray(f.read())
    os.unlink(src)
    return d


def orig_section(d):
    return shdr_off(d, ".previrt_orig")[1]


def cases():
    b = basic
    c = {}
    c["empty"] = lambda: bytearray()
    c["text-file"] = lambda: bytearray(b"#!/bin/sh\necho not an image\n")
    c["truncated-ident"] = lambda: b()[:10]
    c["truncated-ehdr"] = lambda: b()[:40]
    c["truncated-half"] = lambda: b()[:len(b()) // 2]
    c["bad-class"] = lambda: put("B", b(), 4, 3)
    c["big-endian"] = lambda: put("B", b(), 5, 2)
    c["wrong-machine"] = lambda: put("<H", b(), E_MACHINE, 183)
    c["i386-wrong-machine"] = lambda: put("<H", fixture("i386.elf"), E_MACHINE, 62)
    c["relocatable"] = lambda: fixture("basic.o")
    c["relocatable-i386"] = lambda: fixture("i386.o")
    c["core-file"] = lambda: put("<H", b(), E_TYPE, 4)
    c["no-section-table"] = lambda: put("<QHHHHHH", b(), E_SHOFF, 0, 0, 0, 0, 64, 0, 0)
    c["shoff-past-eof"] = lambda: put("<Q", b(), E_SHOFF, len(b()) - 64)
    c["phoff-past-eof"] = lambda: put("<Q", b(), E_PHOFF, 0x7fffffff)
    c["bad-shentsize"] = lambda: put("<H", b(), E_SHENTSIZE, 40)
    c["bad-shstrndx"] = lambda: put("<H", b(), E_SHSTRNDX, 200)

    def shstrtab_not_strtab():
        d = b()
        e = elfimage.Elf(bytes(d))
        return put("<I", d, e.shoff + e.shstrndx * 64 + 4, 1)
    c["shstrtab-not-strtab"] = shstrtab_not_strtab

    def bad_section_name():
        d = b()
        off, _ = shdr_off(d, ".text")
        return put("<I", d, off, 0x100000)
    c["bad-section-name"] = bad_section_name

    def section_past_eof():
        d = b()
        off, _ = shdr_off(d, ".text")
        return put("<Q", d, off + 24, 0x100000)
    c["section-past-eof"] = section_past_eof

    def overlapping_sections():
        d = b()
        _, t = shdr_off(d, ".text")
        off, _ = shdr_off(d, ".data")
        return put("<Q", d, off + 24, t["offset"] + 8)
    c["overlapping-sections"] = overlapping_sections

    def segment_past_eof():
        d = b()
        e = elfimage.Elf(bytes(d))
        i = next(i for i, p in enumerate(e.phdrs) if p["type"] == 1)
        return put("<QQ", d, e.phoff + i * 56 + 32, 0x1000000, 0x1000000)
    c["segment-past-eof"] = segment_past_eof

    c["no-annotations"] = lambda: fixture("plain.elf")
    c["wrong-abi-version"] = lambda: put("<I", b(), note_desc(b()), 2)
    c["record-size-mismatch"] = lambda: put("<I", b(), note_desc(b()) + 4, 12)

    def short_note_desc():
        d = b()
        _, n = shdr_off(d, ".note.previrt")
        return put("<I", d, n["offset"] + 4, 4)
    c["short-note-desc"] = short_note_desc

    def table_not_multiple():
        d = b()
        off, s = shdr_off(d, ".previrt_sites")
        return put("<Q", d, off + 32, s["size"] - 4)
    c["table-size-not-multiple"] = table_not_multiple

    def table_not_allocated():
        d = b()
        off, s = shdr_off(d, ".previrt_sites")
        return put("<Q", d, off + 8, s["flags"] & ~2)  # clear SHF_ALLOC
    c["table-not-allocated"] = table_not_allocated

    def empty_table():
        d = fixture("small.elf")
        off, _ = shdr_off(d, ".previrt_sites")
        return put("<Q", d, off + 32, 0)
    c["empty-table"] = empty_table

    c["record-outside-sections"] = lambda: set_record_address(b(), 0, 0x7000000)

    def record_in_data():
        d = b()
        _, data = shdr_off(d, ".data")
        return set_record_address(d, 0, data["addr"])
    c["record-in-data"] = record_in_data

    def record_past_section_end():
        d = b()
        _, t = shdr_off(d, ".text")
        return set_record_address(d, 0, t["addr"] + t["size"] - 2)
    c["record-past-section-end"] = record_past_section_end

    c["wrong-class"] = lambda: with_record("basic.elf", 0, cls=2)
    c["two-wrong-classes"] = lambda: with_record_pair()

    def with_record_pair():
        d = with_record("basic.elf", 0, cls=2)
        off, _, r = record(d, 1)
        return put("<iBBBB", d, off, r["rel"], r["pad"], r["len"], 1, r["flags"])

    def not_sensitive():
        d = b()
        _, addr, _ = record(d, 0)
        return put("B", d, site_file_offset(d, addr), 0x90)
    c["not-sensitive"] = not_sensitive

    c["unknown-class"] = lambda: with_record("basic.elf", 0, cls=200)
    c["unknown-flags"] = lambda: with_record("basic.elf", 0, flags=0x80)
    c["zero-insn-length"] = lambda: with_record("basic.elf", 0, len=0)
    c["padded-shorter-than-insn"] = lambda: with_record("basic.elf", 6, pad=2)
    c["insn-length-mismatch"] = lambda: with_record("basic.elf", 0, len=2)

    def padding_not_nop():
        d = b()
        _, addr, _ = record(d, 0)
        return put("B", d, site_file_offset(d, addr) + 1, 0xCC)
    c["padding-not-nop"] = padding_not_nop

    def duplicate_sites():
        d = b()
        _, addr, _ = record(d, 0)
        off1, _, r1 = record(d, 1)
        d = set_record_address(d, 1, addr)
        off1, _, _ = record(d, 1)
        _, _, r0 = record(d, 0)
        rel = struct.unpack_from("<i", d, off1)[0]
        return put("<iBBBB", d, off1, rel, r0["pad"], r0["len"], r0["cls"], r0["flags"])
    c["duplicate-sites"] = duplicate_sites

    def padding_covers_code():
        # Record 1 (sti, 8 bytes) grows over the instruction after it.
        d = b()
        _, a1, _ = record(d, 1)
        _, a2, _ = record(d, 2)
        return with_record_bytes(d, 1, pad=a2 - a1 + 1)

    def with_record_bytes(d, i, **fields):
        off, _, r = record(d, i)
        r.update(fields)
        return put("<iBBBB", d, off, r["rel"], r["pad"], r["len"], r["cls"], r["flags"])
    c["padding-covers-code"] = padding_covers_code

    c["class-not-in-mode"] = lambda: with_record("nostack.elf", 0, flags=0x3)
    c["replacement-flag-outside-altinstr"] = lambda: with_record("basic.elf", 0, flags=0x4)
    c["replacement-flag-missing"] = lambda: with_record("altinstr.elf", 1, flags=0)
    c["stripped-wrong-class"] = stripped
    c["unannotated-cli"] = lambda: fixture("unannotated.elf")
    c["target-nostack-rip-relative"] = lambda: fixture("nostack-riprel.elf")
    c["target-site-too-short"] = lambda: fixture("small.elf")
    c["target-i386"] = lambda: fixture("i386.elf")
    c["target-replacement-site"] = lambda: fixture("altinstr.elf")

    # Linux's .altinstructions (alternatives.elf): 12-byte records.
    def alt_table_truncated():
        d = fixture("alternatives.elf")
        off, s = shdr_off(d, ".altinstructions")
        return put("<Q", d, off + 32, s["size"] - 1)
    c["target-altinstructions-truncated"] = alt_table_truncated

    def alt_record_outside():
        d = fixture("alternatives.elf")
        _, s = shdr_off(d, ".altinstructions")
        return put("<i", d, s["offset"] + 12 + 4, 0x100000)  # record 1's repl_offset
    c["target-altinstructions-outside"] = alt_record_outside

    def no_load_segment():
        d = b()
        e = elfimage.Elf(bytes(d))
        for i, p in enumerate(e.phdrs):
            if p["type"] == 1:
                put("<I", d, e.phoff + i * 56, 0)  # PT_LOAD -> PT_NULL
        return d
    c["target-no-load-segment"] = no_load_segment

    def orig_bad_magic():
        d = test_image()
        return put("B", d, orig_section(d)["offset"], ord("X"))
    c["orig-bad-magic"] = orig_bad_magic

    def orig_record_outside():
        d = test_image()
        o = orig_section(d)["offset"]
        return put("<Q", d, o + 8 + 8 + 8 + 16 + 64 + 8, 0x10000000)
    c["orig-record-outside"] = orig_record_outside

    def orig_size_too_big():
        d = test_image()
        return put("<Q", d, orig_section(d)["offset"] + 8, 0x10000000)
    c["orig-size-too-big"] = orig_size_too_big

    def orig_image_modified():
        d = test_image()
        _, data = shdr_off(d, ".data")
        return put("B", d, data["offset"], 0x5A)
    c["orig-image-modified"] = orig_image_modified

    def rewritten_site_modified():
        d = test_image()
        _, addr, _ = record(d, 0)
        return put("B", d, site_file_offset(d, addr) + 6, 0x90)
    c["rewritten-site-modified"] = rewritten_site_modified

    c["output-dir-read-only"] = b
    c["output-dir-missing"] = b
    c["output-file-size-limit"] = b
    c["output-kept-on-write-error"] = b
    c["output-kept-on-error"] = lambda: with_record("basic.elf", 0, cls=2)
    return c


def main():
    global FIX, OUT, TOOL
    if len(sys.argv) != 4:
        raise SystemExit("usage: generate.py FIXTURE_DIR OUT_DIR ELFREWRITE")
    FIX, OUT, TOOL = sys.argv[1:4]
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    all_cases = cases()
    for name, make in all_cases.items():
        data = make()
        with open(os.path.join(OUT, name + ".elf"), "wb") as f:
            f.write(bytes(data))
    print(f"generated {len(all_cases)} invalid inputs in {OUT}")


if __name__ == "__main__":
    main()
