// SPDX-License-Identifier: GPL-3.0-or-later
// .previrt_orig: what a rewritten image keeps so that any output can be
// restored (--target=native) or re-targeted. A rewritten image is the
// annotated image with its site bytes replaced and an appendix after the
// original end of file (new loadable region, this section, new section
// name table, new program and section header tables); the original ELF
// header and every replaced site's bytes are recorded here, so restoring
// gives back the annotated image byte for byte.
//
// Layout (little-endian, non-allocated SHT_PROGBITS section):
//   char magic[8] = "PVORIG\0\1"
//   u64  original file size
//   u64  FNV-1a 64 checksum of the original file (restoring must reproduce it,
//        which catches images changed after rewriting, e.g. by strip)
//   char target[16]      NUL-padded name of the backend that wrote the image
//   u8   original ELF header[64]
//   u32  record count, u32 reserved (0)
//   records: u64 file offset, u32 length, u32 reserved, bytes[length],
//            zero padding to a multiple of 8
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "elf_file.hh"
#include "error.hh"

namespace elfrewrite {

inline constexpr const char *kOrigSection = ".previrt_orig";
inline constexpr const char *kVmmSection = ".previrt_vmm";
inline constexpr const char *kTargetNoteSection = ".note.previrt.target";

struct OrigRecord {
  uint64_t file_offset = 0;
  std::vector<uint8_t> bytes;
};

struct OrigInfo {
  std::string target;
  uint64_t original_size = 0;
  uint64_t original_checksum = 0;
  std::vector<uint8_t> original_ehdr;  // 64 bytes
  std::vector<OrigRecord> records;
};

uint64_t image_checksum(const std::vector<uint8_t> &bytes);
std::vector<uint8_t> encode_orig(const OrigInfo &info);
Result<OrigInfo> decode_orig(const uint8_t *p, size_t size);
// The annotated image's bytes, rebuilt from a rewritten image.
Result<std::vector<uint8_t>> restore_original(const std::vector<uint8_t> &rewritten,
                                              const OrigInfo &info);

}  // namespace elfrewrite
