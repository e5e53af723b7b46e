#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Golden tests: `elfrewrite --list --json` of each fixture (and of its
# --target=test output) compared structurally with golden/NAME.json. Only
# keys present in the expected document are compared, so a golden file can
# leave out what it does not pin down (e.g. the producer string of pv-as).
#   golden.py ELFREWRITE FIXTURE_DIR GOLDEN_DIR [--update]
import json
import os
import subprocess
import sys
import tempfile


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def listing(tool, fixture, how, tmp):
    if how == "list":
        return json.loads(run([tool, "--list", "--json", fixture]))
    out = os.path.join(tmp, os.path.basename(fixture) + "." + how)
    run([tool, "--target=" + how, "-o", out, fixture])
    return json.loads(run([tool, "--list", "--json", out]))


def compare(expected, actual, path="$"):
    """Yields one line per difference between expected and actual."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield f"{path}: expected an object, got {actual!r}"
            return
        for k, v in expected.items():
            if k not in actual:
                yield f"{path}.{k}: missing"
            else:
                yield from compare(v, actual[k], f"{path}.{k}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            n = len(actual) if isinstance(actual, list) else "no"
            yield f"{path}: expected {len(expected)} elements, got {n}"
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            yield from compare(e, a, f"{path}[{i}]")
    elif expected != actual:
        yield f"{path}: expected {expected!r}, got {actual!r}"


def main():
    tool, fixtures, golden = sys.argv[1:4]
    update = "--update" in sys.argv[4:]
    cases = []
    with open(os.path.join(golden, "cases.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                cases.append(line)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, fixture, how in cases:
            exp_path = os.path.join(golden, name + ".json")
            try:
                actual = listing(tool, os.path.join(fixtures, fixture), how, tmp)
            except (RuntimeError, ValueError) as e:
                print(f"FAIL {name}: {e}")
                failed += 1
                continue
            if update:
                with open(exp_path, "w") as f:
                    json.dump(actual, f, indent=1)
                    f.write("\n")
                print(f"updated {exp_path}")
                continue
            with open(exp_path) as f:
                expected = json.load(f)
            diffs = list(compare(expected, actual))
            if diffs:
                failed += 1
                print(f"FAIL {name}:")
                for d in diffs[:20]:
                    print("  " + d)
            else:
                print(f"ok   {name}")
    print(f"golden: {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
