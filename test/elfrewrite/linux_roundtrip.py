#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# The pv-gcc Linux 6.1 vmlinux through the rewriting targets:
#  - --target=test and --target=xen succeed (runtime replacement and
#    NOSTACK sites included);
#  - --target=native of each output is the annotated vmlinux, the whole
#    file byte for byte (so PT_LOAD contents and the entry point too);
#  - --verify of each output passes;
#  - Linux's boot-time patching, redone here from .altinstructions the way
#    6.1 apply_alternatives does it (copy, call fix-up, recompute_jump), puts
#    a replacement site's rewritten bytes at each place it runs, and there
#    they reach what they must: the test VMM's entry, or the site's stub
#    (which marks the site, runs its instruction and jumps back to the
#    place's end); for xen, the VMM region, and a thunk whose descriptor
#    names that place.
# Only struct and an independent ELF reader (elfimage.py) read the images.
#   linux_roundtrip.py ELFREWRITE VMLINUX TMPDIR
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import elfimage  # noqa: E402

check = checks.Checks(echo=False)


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300)


class Memory:
    """The loadable bytes of an image by virtual address (section view)."""

    def __init__(self, elf):
        self.elf = elf

    def read(self, addr, n):
        for s in self.elf.shdrs:
            if s["type"] != 8 and s["flags"] & 2 and s["addr"] <= addr and addr + n <= s["addr"] + s["size"]:
                o = s["offset"] + addr - s["addr"]
                return self.elf.data[o:o + n]
        return None


def alt_records(elf):
    sec = elf.section(".altinstructions")
    data = elf.data[sec["offset"]:sec["offset"] + sec["size"]]
    out = []
    for i in range(0, len(data), 12):
        io, ro, cpuid, ilen, rlen = struct.unpack_from("<iiHBB", data, i)
        va = sec["addr"] + i
        out.append(dict(instr=(va + io) & (2**64 - 1), repl=(va + 4 + ro) & (2**64 - 1),
                        ilen=ilen, rlen=rlen))
    return out


def s32(b):
    return struct.unpack("<i", bytes(b))[0]


def linux_copy(mem, rec):
    """The bytes 6.1 apply_alternatives writes at rec['instr'] (no NOP tuning)."""
    repl = bytearray(mem.read(rec["repl"], rec["rlen"]))
    buf = bytearray(repl)
    if rec["rlen"] == 5 and buf[0] == 0xE8:
        buf[1:5] = struct.pack("<i", s32(buf[1:5]) + rec["repl"] - rec["instr"])
    if rec["rlen"] and repl[0] in (0xEB, 0xE9) and rec["rlen"] == 5:
        target = rec["repl"] + 5 + s32(buf[1:5])
        n = target - rec["instr"]
        if (n >= 0 and n - 2 <= 127) or (n < 0 and ((n - 2) & 0xFF) == n - 2):
            buf = bytearray([0xEB, (n - 2) & 0xFF, 0x0F, 0x1F, 0x00])
        else:
            buf = bytearray([0xE9]) + struct.pack("<i", n - 5)
    return bytes(buf) + b"\x90" * (rec["ilen"] - rec["rlen"])


def branch(code, at):
    """(opcode, target) of a call/jmp at the start of `code` running at `at`."""
    if code[0] in (0xE8, 0xE9):
        return code[0], (at + 5 + s32(code[1:5])) & (2**64 - 1)
    if code[0] == 0xEB:
        return 0xE9, (at + 2 + struct.unpack("<b", code[1:2])[0]) & (2**64 - 1)
    return None, None


def notes(elf):
    out = {}
    for s in elf.shdrs:
        if s["type"] != 7:
            continue
        d, o = elf.data, s["offset"]
        while o < s["offset"] + s["size"]:
            nsz, dsz, t = struct.unpack_from("<III", d, o)
            name = d[o + 12:o + 12 + nsz].rstrip(b"\0").decode()
            desc = d[o + 12 + ((nsz + 3) & ~3):][:dsz]
            out[(name, t)] = desc
            o += 12 + ((nsz + 3) & ~3) + ((dsz + 3) & ~3)
    return out


FAST_CLASSES = ("cli", "sti", "pushf", "popf")


def xen_target(code, at):
    """Where a xen site form at `at` goes: the inline cli's store, a call
    or jmp at its start, or the fast-path call that ends it."""
    p = 0
    while p < len(code) and code[p] == 0x3E:
        p += 1
    if code[p:p + 2] == b"\xc6\x05":
        return (at + p + 7 + s32(code[p + 2:p + 6])) & (2**64 - 1)
    op, to = branch(code, at)
    if op is None and len(code) >= 5:
        op, to = branch(code[-5:], at + len(code) - 5)
    return to


def check_places(target, out_path, sites, all_sites):
    img = elfimage.load(out_path)
    mem = Memory(img)
    fast = {c: set() for c in FAST_CLASSES}
    for s in all_sites:
        if s["class"] in fast and "replacement" not in s["flags"] and "code32" not in s["flags"]:
            a = int(s["address"], 16)
            fast[s["class"]].add(xen_target(mem.read(a, s["padded_length"]), a))
    vmm = img.section(".previrt_vmm")
    in_vmm = lambda a: vmm["addr"] <= a < vmm["addr"] + vmm["size"]  # noqa: E731
    entry = None
    if target == "test":
        entry = struct.unpack_from("<Q", notes(img)[("previrt-test", 1)], 8)[0]
    places = 0
    for rec in alt_records(img):
        if not rec["rlen"]:
            continue
        copied = linux_copy(mem, rec)
        for s in sites:
            a, n = int(s["address"], 16), s["padded_length"]
            if not (rec["repl"] <= a and a + n <= rec["repl"] + rec["rlen"]):
                continue
            places += 1
            at = rec["instr"] + a - rec["repl"]
            code = copied[a - rec["repl"]:a - rec["repl"] + n]
            what = f"{target}: {s['symbol']} ({s['class']}) copied to {at:#x}"
            orig = bytes.fromhex(s["bytes"])[:s["insn_length"]]
            if target == "test":
                op, to = branch(code, at)
                if op == 0xE8:
                    check(to == entry, f"{what}: calls {to:#x}, not pv_test_entry {entry:#x}")
                elif check(op == 0xE9, f"{what}: neither call nor jmp: {code.hex()}"):
                    stub = mem.read(to, 7 + len(orig) + 5)
                    ok = (stub is not None and stub[:2] == b"\xc6\x05" and stub[6] == 1
                          and stub[7:7 + len(orig)] == orig)
                    if check(ok, f"{what}: jmp {to:#x} is not its stub"):
                        _, back = branch(stub[7 + len(orig):], to + 7 + len(orig))
                        check(back == at + n, f"{what}: stub returns to {back:#x}, "
                                              f"not the place's end {at + n:#x}")
                continue
            # xen: inline cli and the fast-path calls reach what the same
            # class reaches at ordinary sites; every other site a thunk whose
            # descriptor names the place.
            to = xen_target(code, at)
            if s["class"] in FAST_CLASSES:
                check(to is not None and to in fast[s["class"]],
                      f"{what}: {code.hex()} reaches {to}, not what {s['class']} sites reach "
                      f"elsewhere ({sorted(hex(x) for x in fast[s['class']])})")
                continue
            thunk = mem.read(to, 24) if to is not None and in_vmm(to) else None
            push = None if thunk is None else 0 if thunk[0] == 0x68 else \
                14 if thunk[:3] == b"\x48\x89\x25" and thunk[14] == 0x68 else None
            if not check(push is not None, f"{what}: {code.hex()} does not branch to a thunk"):
                continue
            desc = struct.unpack_from("<i", thunk, push + 1)[0] & (2**64 - 1)
            site, resume = struct.unpack("<QQ", mem.read(desc, 16))
            check((site, resume) == (at, at + n),
                  f"{what}: its thunk's descriptor says {site:#x}-{resume:#x}")
    return places


def main():
    tool, vmlinux, tmp = sys.argv[1:4]
    os.makedirs(tmp, exist_ok=True)
    listed = json.loads(run(tool, "--list", "--json", vmlinux).stdout)["sites"]
    repl = [s for s in listed if "replacement" in s["flags"]]
    nostack = [s for s in listed if "nostack" in s["flags"]]
    print(f"{os.path.basename(vmlinux)}: {len(listed)} sites, {len(repl)} in runtime replacement code, "
          f"{len(nostack)} flagged nostack")
    check(repl and nostack, "the vmlinux has replacement and nostack sites")
    for target in ("test", "xen"):
        out = os.path.join(tmp, f"vmlinux.{target}")
        back = os.path.join(tmp, f"vmlinux.{target}.native")
        p = run(tool, f"--target={target}", "-o", out, vmlinux)
        if not check(p.returncode == 0, f"--target={target}: {p.stderr.strip()}"):
            continue
        p = run(tool, "--target=native", "-o", back, out)
        check(p.returncode == 0, f"--target=native of the {target} output: {p.stderr.strip()}")
        same = run("cmp", vmlinux, back)
        if check(same.returncode == 0, f"native of {target} differs: {same.stdout.strip()}"):
            print(f"ok   --target=native of --target={target} is the annotated vmlinux "
                  f"(cmp of the whole file)")
        p = run(tool, "--verify", out)
        if check(p.returncode == 0, f"--verify of the {target} output: "
                                    f"{(p.stdout + p.stderr).strip()[-500:]}"):
            print(f"ok   --verify of the {target} output: {p.stdout.strip().splitlines()[-1]}")
        places = check_places(target, out, repl, listed)
        check(places >= len(repl), f"{target}: {places} places for {len(repl)} replacement sites")
        print(f"ok   {target}: {places} places where Linux copies replacement sites checked")
        os.remove(back)
    for f in check.failures:
        print("FAIL " + f)
    return check.summary(f"{os.path.basename(vmlinux)} round trip")


if __name__ == "__main__":
    sys.exit(main())
