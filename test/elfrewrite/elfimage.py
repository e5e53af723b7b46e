# SPDX-License-Identifier: GPL-3.0-or-later
# A minimal, independent ELF reader for the tests (struct only, no
# elfrewrite code): header fields, program headers, section headers.
import struct


class Elf:
    def __init__(self, data):
        self.data = data
        assert data[:4] == b"\x7fELF", "not ELF"
        self.bits = 64 if data[4] == 2 else 32
        if self.bits == 64:
            (self.type, self.machine, _, self.entry, self.phoff, self.shoff, _, _, self.phentsize,
             self.phnum, self.shentsize, self.shnum, self.shstrndx) = struct.unpack_from(
                 "<HHIQQQIHHHHHH", data, 16)
        else:
            (self.type, self.machine, _, self.entry, self.phoff, self.shoff, _, _, self.phentsize,
             self.phnum, self.shentsize, self.shnum, self.shstrndx) = struct.unpack_from(
                 "<HHIIIIIHHHHHH", data, 16)
        self.phdrs = [self.phdr(i) for i in range(self.phnum)]
        self.shdrs = [self.shdr(i) for i in range(self.shnum)]
        strtab = self.shdrs[self.shstrndx]
        for s in self.shdrs:
            off = strtab["offset"] + s["name_off"]
            s["name"] = data[off:data.index(b"\0", off)].decode()

    def phdr(self, i):
        off = self.phoff + i * self.phentsize
        if self.bits == 64:
            t, f, o, v, p, fs, ms, a = struct.unpack_from("<IIQQQQQQ", self.data, off)
        else:
            t, o, v, p, fs, ms, f, a = struct.unpack_from("<IIIIIIII", self.data, off)
        return dict(type=t, flags=f, offset=o, vaddr=v, paddr=p, filesz=fs, memsz=ms, align=a)

    def shdr(self, i):
        off = self.shoff + i * self.shentsize
        if self.bits == 64:
            n, t, f, a, o, sz, l, inf, al, es = struct.unpack_from("<IIQQQQIIQQ", self.data, off)
        else:
            n, t, f, a, o, sz, l, inf, al, es = struct.unpack_from("<IIIIIIIIII", self.data, off)
        return dict(name_off=n, type=t, flags=f, addr=a, offset=o, size=sz, link=l, info=inf,
                    addralign=al, entsize=es)

    def section(self, name):
        for s in self.shdrs:
            if s["name"] == name:
                return s
        return None

    def loads(self):
        """(vaddr, memsz, bytes) of every PT_LOAD, in table order."""
        return [(p["vaddr"], p["memsz"], self.data[p["offset"]:p["offset"] + p["filesz"]])
                for p in self.phdrs if p["type"] == 1]


def load(path):
    with open(path, "rb") as f:
        return Elf(f.read())
