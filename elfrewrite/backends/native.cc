// SPDX-License-Identifier: GPL-3.0-or-later
// The native target: the annotated image itself. Every site gets its
// original instruction and padding back and nothing is linked in, so
// `--target=native` of any output of elfrewrite restores the annotated
// image, and of an annotated image is the identity.
#include "backend.hh"

namespace elfrewrite {

namespace {

class NativeBackend final : public Backend {
 public:
  std::string_view name() const override { return "native"; }
  std::string_view description() const override {
    return "original instructions and padding (the annotated image; removes what other targets added)";
  }
  bool restores_original() const override { return true; }
  Status check_site(const Site &) const override { return Ok{}; }
  Result<VmmImage> link_vmm(const ElfFile &, const SiteTable &, const SitePlaces &,
                            uint64_t) const override {
    return VmmImage{};
  }
  Result<std::vector<uint8_t>> rewrite_site(const Site &site, const uint8_t *original, uint64_t,
                                            const VmmImage &) const override {
    return std::vector<uint8_t>(original, original + site.padded_length);
  }
};

}  // namespace

const Backend &native_backend() {
  static const NativeBackend b;
  return b;
}

}  // namespace elfrewrite
