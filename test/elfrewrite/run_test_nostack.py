#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# NOSTACK sites under --target=test, run as a Linux program
# (fixtures/nostack-run.s): the site that runs with %rsp = 0 reaches its
# stub, which marks it (hits = 1), runs rdtsc and jumps back with the flags
# intact; the site that never runs stays 0. The checks are those of
# run_test_target.py (same VMM page and data layout).
#   run_test_nostack.py ELFREWRITE FIXTURE_DIR
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_test_target  # noqa: E402


def main():
    tool, fixtures = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        failures = run_test_target.run_case(tool, fixtures, tmp, "nostack-run.elf", 0,
                                            {"_start+0x10": 1, "unused+0x0": 0})
    for f in failures:
        print("FAIL nostack-run.elf: " + f)
    print(f"test target NOSTACK run: {'failed' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
