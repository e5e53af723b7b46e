#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs elfrewrite on every case of the invalid-input corpus and checks the
# exact diagnostic (all of stderr), the exit status, that it neither crashed
# nor hung, and that it left no output file behind (an existing output file
# must be untouched). Each case runs in a fresh directory holding only its
# input; {file} in expected.txt is the input's name, {out} the output path.
#   run.py ELFREWRITE CORPUS_DIR EXPECTED [--record]
#
# expected.txt, one block per case:
#   [name]                 the input is CORPUS_DIR/name.elf
#   args: --verify {file}  command-line arguments
#   setup: WORD...         optional: existing-output, read-only-dir,
#                          missing-dir, file-size-limit
#   exit: 1
#   stderr: LINE           one per line of expected stderr
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 10
PRECIOUS = b"an existing output file that must survive\n"


def parse(path):
    cases, cur = [], None
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                cur = {"name": line[1:-1], "args": "", "setup": None, "exit": None, "stderr": []}
                cases.append(cur)
                continue
            key, _, val = line.partition(": ")
            if key == "stderr":
                cur["stderr"].append(val)
            elif key == "exit":
                cur["exit"] = int(val)
            elif key in ("args", "setup"):
                cur[key] = val
            else:
                raise SystemExit(f"{path}: bad line {line!r}")
    return cases


def as_nobody():
    """Command prefix that drops root, so that directory permissions apply."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run_case(tool, corpus, case):
    work = tempfile.mkdtemp(prefix="pv-invalid-")
    try:
        os.chmod(work, 0o755)
        name = case["name"] + ".elf"
        shutil.copy(os.path.join(corpus, name), os.path.join(work, name))
        os.chmod(os.path.join(work, name), 0o644)
        out = "out.elf"
        prefix, limit = [], None
        setup = case["setup"] or ""
        words = setup.split()
        if "read-only-dir" in words:
            os.mkdir(os.path.join(work, "ro"), 0o555)
            os.chmod(os.path.join(work, "ro"), 0o555)
            out = "ro/out.elf"
            prefix = as_nobody()
        if "missing-dir" in words:
            out = "no-such-dir/out.elf"
        if "file-size-limit" in words:
            limit = 4096
        if "existing-output" in words:
            with open(os.path.join(work, out), "wb") as f:
                f.write(PRECIOUS)
        unknown = set(words) - {"read-only-dir", "missing-dir", "file-size-limit", "existing-output"}
        if unknown:
            return [f"unknown setup {' '.join(sorted(unknown))}"]
        def files():
            found = []
            for root, _, names in os.walk(work):
                found += [os.path.relpath(os.path.join(root, f), work) for f in names]
            return sorted(found)

        before = files()
        args = [a.replace("{file}", name).replace("{out}", out) for a in shlex.split(case["args"])]

        def preexec():
            if limit is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        try:
            p = subprocess.run(prefix + [os.path.abspath(tool)] + args, cwd=work,
                               capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=preexec)
        except subprocess.TimeoutExpired:
            return [f"hung (more than {TIMEOUT} s)"]
        problems = []
        if p.returncode < 0:
            problems.append(f"killed by signal {-p.returncode}")
        expected = "".join(s.replace("{file}", name).replace("{out}", out) + "\n"
                           for s in case["stderr"])
        if p.returncode != case["exit"]:
            problems.append(f"exit {p.returncode}, expected {case['exit']}")
        if p.stderr != expected:
            problems.append(f"stderr:\n    got      {p.stderr!r}\n    expected {expected!r}")
        after = files()
        if after != before:
            problems.append(f"left files behind: {sorted(set(after) - set(before))}")
        if "existing-output" in words:
            with open(os.path.join(work, out), "rb") as f:
                if f.read() != PRECIOUS:
                    problems.append("the existing output file was changed")
        if problems and "--record" in sys.argv:
            print(f"[{case['name']}]\nargs: {case['args']}" +
                  (f"\nsetup: {setup}" if setup else "") + f"\nexit: {p.returncode}")
            for line in p.stderr.replace(name, "{file}").splitlines():
                print("stderr: " + line)
            print()
        return problems
    finally:
        ro = os.path.join(work, "ro")
        if os.path.isdir(ro):
            os.chmod(ro, 0o755)
        shutil.rmtree(work, ignore_errors=True)


def main():
    tool, corpus, expected = sys.argv[1:4]
    cases = parse(expected)
    names = {c["name"] for c in cases}
    inputs = {f[:-4] for f in os.listdir(corpus) if f.endswith(".elf")}
    failed = 0
    for missing in sorted(inputs - names):
        print(f"FAIL {missing}: generated but has no expected result")
        failed += 1
    for c in cases:
        if c["name"] not in inputs:
            print(f"FAIL {c['name']}: no input {c['name']}.elf")
            failed += 1
            continue
        problems = run_case(tool, corpus, c)
        if problems:
            failed += 1
            print(f"FAIL {c['name']}: " + "; ".join(problems))
        else:
            print(f"ok   {c['name']}")
    print(f"invalid: {len(cases) - failed + (len(inputs - names))} of {len(cases) + len(inputs - names)}"
          f" cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
