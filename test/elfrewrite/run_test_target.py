#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs --target=test images as Linux programs: each site calls the test VMM,
# which counts it without executing the site's instruction. Each program
# writes the page where elfrewrite put the VMM to stdout; the counters there
# must say how often each site ran.
#  - fixtures/pvas/userrun.s (static, fixed address): natively its cli
#    faults (SIGSEGV); rewritten it runs to exit 0 with registers and flags
#    intact across sites.
#  - fixtures/pvgcc/pie.c (pv-gcc, PIE, dynamically linked, PT_PHDR): the
#    program headers move into the new segment and the VMM's PC-relative
#    site table works at the load address the kernel chose.
#   run_test_target.py ELFREWRITE FIXTURE_DIR
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import elfimage  # noqa: E402

CASES = [
    # fixture, expected native exit status, expected hits by site symbol
    ("pvas-userrun.elf", -signal.SIGSEGV,
     {"_start+0x2d": 1, "irq_off_on+0x0": 3, "irq_off_on+0x8": 3}),
    ("pvgcc-pie", 0, {"read_tsc+0x4": 7, "cpu_vendor+0x9": 1}),
]


def run_case(tool, fixtures, tmp, fixture, native_rc, expected):
    failures = []
    src = os.path.join(fixtures, fixture)
    native = subprocess.run([src], capture_output=True, timeout=10)
    if native.returncode != native_rc:
        failures.append(f"annotated image exited {native.returncode}, expected {native_rc}")
    out = os.path.join(tmp, fixture + ".test")
    subprocess.run([tool, "--target=test", "-o", out, src], check=True, timeout=60)
    run = subprocess.run([out], capture_output=True, timeout=10)
    if run.returncode != 0:
        failures.append(f"rewritten image exited {run.returncode}, expected 0")
    sites = json.loads(subprocess.run([tool, "--list", "--json", src], capture_output=True,
                                      text=True, check=True).stdout)["sites"]
    image = elfimage.load(out)
    vmm = image.section(".previrt_vmm")
    segment = [p for p in image.phdrs if p["type"] == 1][-1]
    page = run.stdout
    n = len(sites)
    if vmm is None or len(page) < vmm["addr"] - segment["vaddr"] + vmm["size"]:
        return failures + ["no VMM page in the program's output"]
    data_va = vmm["addr"] + vmm["size"] - 8 * (2 * n + 1)
    data = data_va - segment["vaddr"]  # offset in the dumped page
    count = struct.unpack_from("<Q", page, data)[0]
    offsets = struct.unpack_from(f"<{n}q", page, data + 8)
    hits = struct.unpack_from(f"<{n}Q", page, data + 8 + 8 * n)
    if count != n:
        failures.append(f"VMM site count {count}, expected {n}")
    for s, o, h in zip(sites, offsets, hits):
        if data_va + o != int(s["address"], 16):
            failures.append(f"VMM table entry {o:#x} for site {s['symbol']}")
        want = expected.get(s["symbol"])
        if h != want:
            failures.append(f"site {s['symbol']} ran {h} times, expected {want}")
        else:
            print(f"ok   {fixture}: {s['symbol']} ({s['class']}) ran {h} times")
    return failures


def main():
    tool, fixtures = sys.argv[1:3]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for fixture, native_rc, expected in CASES:
            failures += [f"{fixture}: {f}" for f in
                         run_case(tool, fixtures, tmp, fixture, native_rc, expected)]
    for f in failures:
        print("FAIL " + f)
    print(f"test target run: {'failed' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
