#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a --target=test image as a Linux program (fixtures/pvas/userrun.s):
# the annotated image must die on its privileged cli (SIGSEGV), the
# rewritten one must run to exit 0 with registers and flags intact across
# sites, and the test VMM's counters must say how often each site ran.
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

# userrun.s: the cli in _start runs once, irq_off_on's cli and sti 3 times.
EXPECTED_HITS = {"_start+0x2d": 1, "irq_off_on+0x0": 3, "irq_off_on+0x8": 3}


def main():
    tool, fixtures = sys.argv[1:3]
    src = os.path.join(fixtures, "pvas-userrun.elf")
    failures = []
    native = subprocess.run([src], capture_output=True, timeout=10)
    if native.returncode != -signal.SIGSEGV:
        failures.append(f"annotated image exited {native.returncode}, expected SIGSEGV on cli")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "userrun.test")
        subprocess.run([tool, "--target=test", "-o", out, src], check=True, timeout=60)
        run = subprocess.run([out], capture_output=True, timeout=10)
        if run.returncode != 0:
            failures.append(f"rewritten image exited {run.returncode}, expected 0")
        sites = json.loads(subprocess.run([tool, "--list", "--json", src], capture_output=True,
                                          text=True, check=True).stdout)["sites"]
        vmm = elfimage.load(out).section(".previrt_vmm")
        page = run.stdout
        n = len(sites)
        if vmm is None or len(page) < vmm["size"]:
            failures.append("no VMM page in the program's output")
        else:
            data = vmm["size"] - 8 * (2 * n + 1)
            count = struct.unpack_from("<Q", page, data)[0]
            addrs = struct.unpack_from(f"<{n}Q", page, data + 8)
            hits = struct.unpack_from(f"<{n}Q", page, data + 8 + 8 * n)
            if count != n:
                failures.append(f"VMM site count {count}, expected {n}")
            for s, a, h in zip(sites, addrs, hits):
                if a != int(s["address"], 16):
                    failures.append(f"VMM table address {a:#x} for site {s['symbol']}")
                want = EXPECTED_HITS.get(s["symbol"])
                if h != want:
                    failures.append(f"site {s['symbol']} ran {h} times, expected {want}")
                else:
                    print(f"ok   {s['symbol']} ({s['class']}) ran {h} times")
    for f in failures:
        print("FAIL " + f)
    print(f"test target run: {'failed' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
