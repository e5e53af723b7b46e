#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# --verify (table checks and coverage), exclusions, runtime-replacement
# report, and the command line's usage errors and exit codes.
#   verify.py ELFREWRITE FIXTURE_DIR
import json
import os
import subprocess
import sys
import tempfile

failures = []
checks = 0


def expect(what, args, rc, stdout=None, stderr=None, stdout_has=(), stderr_has=()):
    global checks
    checks += 1
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    problems = []
    if p.returncode != rc:
        problems.append(f"exit {p.returncode}, expected {rc}")
    if stdout is not None and p.stdout != stdout:
        problems.append(f"stdout {p.stdout!r}, expected {stdout!r}")
    if stderr is not None and p.stderr != stderr:
        problems.append(f"stderr {p.stderr!r}, expected {stderr!r}")
    for s in stdout_has:
        if s not in p.stdout:
            problems.append(f"stdout lacks {s!r}: {p.stdout!r}")
    for s in stderr_has:
        if s not in p.stderr:
            problems.append(f"stderr lacks {s!r}: {p.stderr!r}")
    if problems:
        failures.append(what)
        print(f"FAIL {what}: " + "; ".join(problems))
    else:
        print(f"ok   {what}")


def main():
    tool, fx = sys.argv[1:3]
    f = lambda n: os.path.join(fx, n)  # noqa: E731
    leaky = f("unannotated.elf")
    expect("unannotated cli is named", [tool, "--verify", leaky], 1,
           stderr=f"elfrewrite: {leaky}: error: leaky_irq_disable+0xc: cli not annotated\n",
           stdout_has=["1 not annotated"])
    for n in ("basic.elf", "altinstr.elf", "i386.elf", "small.elf", "nostack.elf",
              "pvas-kernel.elf", "pvas-allclasses.elf", "pvas32-allclasses32.elf", "prefixpad.elf"):
        expect(f"{n} verifies", [tool, "--verify", f(n)], 0, stderr="",
               stdout_has=["0 bad", "0 not annotated"])
    expect("exclusion by symbol, reason in the summary",
           [tool, "--verify", "--exclude-symbol=leaky_irq_disable:deliberately left native", leaky],
           0, stderr="",
           stdout_has=["excluded: symbol leaky_irq_disable: deliberately left native (1 instruction)\n",
                       "0 not annotated, 1 excused"])
    expect("exclusion by section",
           [tool, "--verify", "--exclude-section=.text:boot code", leaky], 0,
           stdout_has=["excluded: section .text: boot code (1 instruction)\n", "0 not annotated"])
    expect("exclusion that matches nothing is reported",
           [tool, "--verify", "--exclude-section=.init.text", f("basic.elf")], 0,
           stdout_has=["excluded: section .init.text: excluded on the command line "
                       "(0 instructions)"])
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as lst:
        lst.write("# why each region is left alone\nsymbol leaky_* class=cli runs before the VMM\n")
    expect("exclusion list file with a glob and a class", [tool, "--verify", "--exclude-file",
                                                          lst.name, leaky], 0,
           stdout_has=["excluded: symbol leaky_* [cli]: runs before the VMM (1 instruction)\n"])
    with open(lst.name, "w") as w:
        w.write("section .t* class=sti,hlt only other classes\n")
    expect("a rule narrowed to other classes excuses nothing",
           [tool, "--verify", "--exclude-file", lst.name, leaky], 1,
           stderr=f"elfrewrite: {leaky}: error: leaky_irq_disable+0xc: cli not annotated\n",
           stdout_has=["excluded: section .t* [sti,hlt]: only other classes (0 instructions)\n"])
    with open(lst.name, "w") as w:
        w.write("symbol foo class=frob reason\n")
    expect("unknown class in an exclusion list",
           [tool, "--verify", "--exclude-file", lst.name, leaky], 2,
           stderr_has=[f"{lst.name}:1: unknown class 'frob'"])
    with open(lst.name, "w") as w:
        w.write("region foo\n")
    expect("malformed exclusion list is a usage error",
           [tool, "--verify", "--exclude-file", lst.name, leaky], 2,
           stderr_has=[f"{lst.name}:1: expected 'section|symbol PATTERN [class=NAME,...] REASON'"])
    os.unlink(lst.name)
    p = subprocess.run([tool, "--verify", "--json", "--exclude-file", os.devnull, leaky],
                       capture_output=True, text=True)
    doc = json.loads(p.stdout)
    global checks
    checks += 1
    want = {"ok": False, "sites": 1, "bad_sites": 0,
            "not_annotated": [{"address": "0x401020", "symbol": "leaky_irq_disable+0xc",
                               "class": "cli"}],
            "problems": [{"where": "leaky_irq_disable+0xc", "message": "cli not annotated"}]}
    if p.returncode != 1 or any(doc.get(k) != v for k, v in want.items()):
        failures.append("--verify --json")
        print(f"FAIL --verify --json: exit {p.returncode}, {doc}")
    else:
        print("ok   --verify --json")
    expect("runtime replacement sites are reported", [tool, "--verify", f("altinstr.elf")], 0,
           stdout_has=["replacement: alt_cli+0x0 (0x401009): cli site in code copied over other "
                       "code at run time\n"])
    with tempfile.TemporaryDirectory() as tmp:
        t = os.path.join(tmp, "basic.test")
        subprocess.run([tool, "--target=test", "-o", t, f("basic.elf")], check=True)
        expect("a rewritten image verifies as its annotated image and as its target's output",
               [tool, "--verify", t], 0, stderr="",
               stdout_has=["10 sites, 0 bad", "rewritten for test: identical to what the target writes\n"])
        t2 = os.path.join(tmp, "leaky.test")
        subprocess.run([tool, "--target=test", "-o", t2, leaky], check=True)
        expect("findings in a rewritten image do not make it look modified",
               [tool, "--verify", t2], 1,
               stderr=f"elfrewrite: {t2}: error: leaky_irq_disable+0xc: cli not annotated\n",
               stdout_has=["rewritten for test: identical to what the target writes\n"])
    leaky_o = f("unannotated.o")
    expect("an unlinked object is verified like an image",
           [tool, "--verify", leaky_o], 1,
           stderr=f"elfrewrite: {leaky_o}: error: leaky_irq_disable+0xc: cli not annotated\n",
           stdout_has=["1 sites, 0 bad"])
    expect("objects built by pv-as verify", [tool, "--verify", f("pvas-allclasses.o")], 0,
           stderr="", stdout_has=["89 sites, 0 bad", "0 not annotated"])
    expect("image without annotations", [tool, "--verify", f("plain.elf")], 1,
           stderr=f"elfrewrite: {f('plain.elf')}: error: not an annotated image: no "
                  ".note.previrt note\n")
    expect("list of i386 image", [tool, "--list", f("i386.elf")], 0,
           stdout_has=["0x08049000  _start+0x0", "summary: cli 1, sti 1, pushf 1, in 1, mov_to_cr 1\n"])
    # Command line.
    usage = "Try 'elfrewrite --help'.\n"
    expect("no arguments", [tool], 2,
           stderr="elfrewrite: error: give exactly one of --list, --verify, --target\n" + usage)
    expect("two modes", [tool, "--list", "--verify", f("basic.elf")], 2,
           stderr="elfrewrite: error: give exactly one of --list, --verify, --target\n" + usage)
    expect("no file", [tool, "--list"], 2, stderr="elfrewrite: error: expected one input FILE\n" + usage)
    expect("--json without --list or --verify", [tool, "--target=test", "--json", f("basic.elf")], 2,
           stderr="elfrewrite: error: --json goes with --list or --verify\n" + usage)
    expect("unknown option", [tool, "--frobnicate", f("basic.elf")], 2,
           stderr_has=["elfrewrite: error: unrecognised option '--frobnicate'"])
    expect("unknown target", [tool, "--target=vmware", f("basic.elf")], 2,
           stderr="elfrewrite: error: unknown target 'vmware' (--target=help lists them)\n" + usage)
    expect("--target=help", [tool, "--target=help"], 0, stdout_has=["  native ", "  test "])
    expect("--version", [tool, "--version"], 0, stdout_has=["elfrewrite (previrt) ", "ABI 1"])
    expect("--help", [tool, "--help"], 0, stdout_has=["Usage: elfrewrite --list"])
    expect("missing input file", [tool, "--list", f("no-such.elf")], 1,
           stderr=f"elfrewrite: {f('no-such.elf')}: error: cannot open: No such file or directory\n")
    expect("--stats times every pass", [tool, "--verify", "--stats", f("basic.elf")], 0,
           stderr_has=["stats: load ", "stats: read-sites ", "stats: verify ", "stats: coverage "])
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        expect("-v and --stats with a target",
               [tool, "--target=test", "-v", "--stats", "-o", out, f("basic.elf")], 0, stdout="",
               stderr_has=[f"elfrewrite: {f('basic.elf')}: 10 sites for test, VMM of 264 bytes at "
                           f"0x404000; wrote {out}\n"] +
                          [f"stats: {p} " for p in ("load", "read-sites", "verify", "plan",
                                                    "link-vmm", "patch", "write")])
        expect("--dry-run says what it would write",
               [tool, "--target=native", "--dry-run", "-o", out + ".n", f("basic.elf")], 0,
               stdout=f"{f('basic.elf')}: would write {out}.n ({os.path.getsize(f('basic.elf'))} bytes, "
                      "10 sites for native)\n")
    print(f"verify: {checks - len(failures)} of {checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
