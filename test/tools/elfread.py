# SPDX-License-Identifier: GPL-3.0-or-later
"""A minimal reader of little-endian ELF files (sections, symbols, RELA
relocations) for the test tools. Not for untrusted input: the tools read only
files that the toolchain under test produced."""
import struct


class Section:
    def __init__(self, index, name, typ, flags, addr, offset, size, link, info, align, entsize):
        self.index, self.name, self.type, self.flags = index, name, typ, flags
        self.addr, self.offset, self.size = addr, offset, size
        self.link, self.info, self.align, self.entsize = link, info, align, entsize


class Elf:
    SHT_SYMTAB, SHT_RELA, SHT_NOBITS, SHT_REL, SHT_GROUP = 2, 4, 8, 9, 17

    def __init__(self, path):
        self.path = path
        self.data = open(path, "rb").read()
        d = self.data
        if d[:4] != b"\x7fELF":
            raise ValueError(f"{path}: not an ELF file")
        self.is64 = d[4] == 2
        self.type, = struct.unpack_from("<H", d, 16)
        if self.is64:
            shoff, = struct.unpack_from("<Q", d, 0x28)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3A)
            fmt = "<IIQQQQIIQQ"
        else:
            shoff, = struct.unpack_from("<I", d, 0x20)
            shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x2E)
            fmt = "<IIIIIIIIII"
        raw = [struct.unpack_from(fmt, d, shoff + i * shentsize) for i in range(shnum)]
        strtab_off = raw[shstrndx][4]
        self.sections = [Section(i, self._str(strtab_off, r[0]), *r[1:]) for i, r in enumerate(raw)]

    def _str(self, table_offset, index):
        end = self.data.index(b"\0", table_offset + index)
        return self.data[table_offset + index:end].decode()

    def section(self, name):
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def contents(self, s):
        if s.type == self.SHT_NOBITS:
            return b""
        return self.data[s.offset:s.offset + s.size]

    def symbols(self):
        """(name, value, size, type, bind, other, section index) per symbol of .symtab."""
        st = next((s for s in self.sections if s.type == self.SHT_SYMTAB), None)
        if st is None:
            return []
        strtab = self.sections[st.link]
        out = []
        ent = 24 if self.is64 else 16
        for i in range(st.size // ent):
            if self.is64:
                name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", self.data, st.offset + i * ent)
            else:
                name, value, size, info, other, shndx = struct.unpack_from("<IIIBBH", self.data, st.offset + i * ent)
            out.append((self._str(strtab.offset, name), value, size, info & 0xF, info >> 4, other, shndx))
        return out

    def relocations(self, rela):
        """(offset, type, symbol index, addend) per entry of a RELA or REL
        section (REL entries have addend None: it sits in the section bytes)."""
        out = []
        if rela.type == self.SHT_REL:
            ent = 16 if self.is64 else 8
            for i in range(rela.size // ent):
                if self.is64:
                    off, info = struct.unpack_from("<QQ", self.data, rela.offset + i * ent)
                    out.append((off, info & 0xFFFFFFFF, info >> 32, None))
                else:
                    off, info = struct.unpack_from("<II", self.data, rela.offset + i * ent)
                    out.append((off, info & 0xFF, info >> 8, None))
            return out
        if self.is64:
            for i in range(rela.size // 24):
                off, info, add = struct.unpack_from("<QQq", self.data, rela.offset + i * 24)
                out.append((off, info & 0xFFFFFFFF, info >> 32, add))
        else:
            for i in range(rela.size // 12):
                off, info, add = struct.unpack_from("<IIi", self.data, rela.offset + i * 12)
                out.append((off, info & 0xFF, info >> 8, add))
        return out
