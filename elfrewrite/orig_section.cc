// SPDX-License-Identifier: GPL-3.0-or-later
#include "orig_section.hh"

#include <cstring>

#include "format.hh"

namespace elfrewrite {

namespace {

constexpr char kMagic[8] = {'P', 'V', 'O', 'R', 'I', 'G', 0, 1};
constexpr size_t kTargetLen = 16;
constexpr size_t kEhdrLen = 64;
constexpr size_t kHeaderLen = 8 + 8 + 8 + kTargetLen + kEhdrLen + 8;
constexpr size_t kTargetAt = 24, kEhdrAt = kTargetAt + kTargetLen, kCountAt = kEhdrAt + kEhdrLen;

void put_u64(std::vector<uint8_t> &v, uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(uint8_t(x >> (8 * i)));
}
void put_u32(std::vector<uint8_t> &v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(uint8_t(x >> (8 * i)));
}
uint64_t get_u64(const uint8_t *p) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; --i) x = x << 8 | p[i];
  return x;
}
uint32_t get_u32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

Diagnostic corrupt(const std::string &what) { return error("corrupt .previrt_orig: " + what); }

}  // namespace

uint64_t image_checksum(const std::vector<uint8_t> &bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::vector<uint8_t> encode_orig(const OrigInfo &info) {
  std::vector<uint8_t> v(kMagic, kMagic + 8);
  put_u64(v, info.original_size);
  put_u64(v, info.original_checksum);
  std::string t = info.target.substr(0, kTargetLen - 1);
  t.resize(kTargetLen, '\0');
  v.insert(v.end(), t.begin(), t.end());
  std::vector<uint8_t> eh = info.original_ehdr;
  eh.resize(kEhdrLen, 0);
  v.insert(v.end(), eh.begin(), eh.end());
  put_u32(v, static_cast<uint32_t>(info.records.size()));
  put_u32(v, 0);
  for (const auto &r : info.records) {
    put_u64(v, r.file_offset);
    put_u32(v, static_cast<uint32_t>(r.bytes.size()));
    put_u32(v, 0);
    v.insert(v.end(), r.bytes.begin(), r.bytes.end());
    while (v.size() % 8) v.push_back(0);
  }
  return v;
}

Result<OrigInfo> decode_orig(const uint8_t *p, size_t size) {
  if (size < kHeaderLen) return corrupt("section of " + std::to_string(size) + " bytes is too short");
  if (std::memcmp(p, kMagic, 8) != 0) return corrupt("bad magic");
  OrigInfo info;
  info.original_size = get_u64(p + 8);
  info.original_checksum = get_u64(p + 16);
  const char *t = reinterpret_cast<const char *>(p + kTargetAt);
  info.target.assign(t, strnlen(t, kTargetLen));
  info.original_ehdr.assign(p + kEhdrAt, p + kEhdrAt + kEhdrLen);
  uint32_t count = get_u32(p + kCountAt);
  size_t off = kHeaderLen;
  for (uint32_t i = 0; i < count; ++i) {
    if (size - off < 16) return corrupt("record " + std::to_string(i) + " is truncated");
    OrigRecord r;
    r.file_offset = get_u64(p + off);
    uint32_t len = get_u32(p + off + 8);
    off += 16;
    if (len > size - off) return corrupt("record " + std::to_string(i) + " is truncated");
    r.bytes.assign(p + off, p + off + len);
    off += (len + 7) & ~size_t(7);
    if (off > size) off = size;
    info.records.push_back(std::move(r));
  }
  return info;
}

Result<std::vector<uint8_t>> restore_original(const std::vector<uint8_t> &rewritten,
                                              const OrigInfo &info) {
  if (info.original_size < kEhdrLen || info.original_size > rewritten.size())
    return corrupt("original size " + hex(info.original_size) + " does not fit the file (size " +
                   hex(rewritten.size()) + ")");
  std::vector<uint8_t> out(rewritten.begin(), rewritten.begin() + info.original_size);
  std::memcpy(out.data(), info.original_ehdr.data(), kEhdrLen);
  for (size_t i = 0; i < info.records.size(); ++i) {
    const auto &r = info.records[i];
    if (r.file_offset < kEhdrLen || r.file_offset > out.size() ||
        r.bytes.size() > out.size() - r.file_offset)
      return corrupt("record " + std::to_string(i) + " (offset " + hex(r.file_offset) +
                     ") lies outside the original image");
    if (!r.bytes.empty()) std::memcpy(out.data() + r.file_offset, r.bytes.data(), r.bytes.size());
  }
  if (image_checksum(out) != info.original_checksum)
    return corrupt("the restored image does not match its checksum (was the file changed after "
                   "it was rewritten?)");
  return out;
}

}  // namespace elfrewrite
