// SPDX-License-Identifier: GPL-3.0-or-later
// elfrewrite command line: parses options, runs the passes for the chosen
// mode, prints diagnostics as "elfrewrite: FILE: error: where: message".
// Exit codes: 0 success, 1 failure (bad input, findings, I/O), 2 usage.
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "backend.hh"
#include "passes.hh"
#include "previrt/sites.h"
#include "report.hh"
#include "verifier.hh"

namespace po = boost::program_options;
using namespace elfrewrite;

namespace {

constexpr const char *kVersion = "0.1.0";
constexpr int kExitOk = 0, kExitFail = 1, kExitUsage = 2;

const char *severity_name(Diagnostic::Severity s) {
  switch (s) {
    case Diagnostic::Severity::error: return "error";
    case Diagnostic::Severity::warning: return "warning";
    case Diagnostic::Severity::note: return "note";
  }
  return "error";
}

void print_diags(const Context &ctx) {
  for (const auto &d : ctx.diags) {
    std::string line = "elfrewrite: " + ctx.path + ": " + severity_name(d.severity) + ": ";
    if (!d.where.empty()) line += d.where + ": ";
    line += d.message;
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

void print_stats(const Context &ctx) {
  for (const auto &t : ctx.timings)
    std::fprintf(stderr, "elfrewrite: stats: %-16s %9.3f ms  %zu\n", t.name.c_str(),
                 t.milliseconds, t.count);
}

int usage_error(const std::string &msg) {
  std::fprintf(stderr, "elfrewrite: error: %s\nTry 'elfrewrite --help'.\n", msg.c_str());
  return kExitUsage;
}

void print_targets() {
  std::printf("targets:\n");
  for (const Backend *b : backends())
    std::printf("  %-10s %.*s\n", std::string(b->name()).c_str(),
                static_cast<int>(b->description().size()), b->description().data());
}

int run_list(Context &ctx, bool json) {
  bool ok = run_pass(ctx, "load", pass_load) && run_pass(ctx, "read-sites", pass_read_sites);
  if (!ok) return kExitFail;
  std::string text = json ? list_json(ctx) : list_text(ctx);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int run_verify(Context &ctx, bool json) {
  if (!run_pass(ctx, "load", pass_load) || !run_pass(ctx, "read-sites", pass_read_sites))
    return kExitFail;
  VerifyOutcome v;
  bool sites_ok = run_pass(ctx, "verify", pass_verify);
  v.bad_sites = ctx.diags.size();
  bool covered = run_pass(ctx, "coverage", pass_coverage);
  if (sites_ok && ctx.previous) {
    v.checked_rewritten = true;
    v.consistent = run_pass(ctx, "rewritten-check", pass_rewritten_check);
  }
  v.problems = ctx.diags;
  // Findings first, then the summary that counts them.
  print_diags(ctx);
  ctx.diags.clear();
  std::string out = json ? verify_json(ctx, v) : verify_text(ctx, v);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return sites_ok && covered && v.consistent ? kExitOk : kExitFail;
}

int run_target(Context &ctx, bool dry_run, bool verbose) {
  bool ok = run_pass(ctx, "load", pass_load) && run_pass(ctx, "read-sites", pass_read_sites) &&
            run_pass(ctx, "verify", pass_verify) && run_pass(ctx, "plan", pass_plan) &&
            run_pass(ctx, "link-vmm", pass_link_vmm) && run_pass(ctx, "patch", pass_patch);
  if (!ok) return kExitFail;
  if (dry_run) {
    std::printf("%s: would write %s (%zu bytes, %zu sites for %s)\n", ctx.path.c_str(),
                ctx.output_path.c_str(), ctx.output.size(), ctx.patches.size(),
                std::string(ctx.backend->name()).c_str());
    return kExitOk;
  }
  if (!run_pass(ctx, "write", pass_write)) return kExitFail;
  if (verbose) {
    std::fprintf(stderr, "elfrewrite: %s: %zu sites for %s", ctx.path.c_str(), ctx.patches.size(),
                 std::string(ctx.backend->name()).c_str());
    if (!ctx.vmm.bytes.empty())
      std::fprintf(stderr, ", VMM of %zu bytes at 0x%llx", ctx.vmm.bytes.size(),
                   static_cast<unsigned long long>(ctx.vmm_vaddr));
    std::fprintf(stderr, "; wrote %s\n", ctx.output_path.c_str());
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char **argv) {
  po::options_description modes("Modes (exactly one)");
  modes.add_options()
      ("list", "list every site: address, symbol+offset, class, lengths, flags")
      ("verify", "check the site table and that every sensitive instruction is annotated")
      ("target", po::value<std::string>(), "rewrite every site for target T (--target=help lists them)")
      ("help,h", "show this help")
      ("version", "show the version");
  po::options_description opts("Options");
  opts.add_options()
      ("json", "with --list or --verify: print a JSON document")
      ("output,o", po::value<std::string>(), "with --target: output file (default FILE.T)")
      ("exclude-section", po::value<std::vector<std::string>>()->composing(),
       "with --verify: excuse sensitive instructions in sections matching GLOB[:REASON]")
      ("exclude-symbol", po::value<std::vector<std::string>>()->composing(),
       "with --verify: excuse sensitive instructions in symbols matching GLOB[:REASON]")
      ("exclude-file", po::value<std::vector<std::string>>()->composing(),
       "with --verify: read rules 'section|symbol GLOB [class=NAME,...] REASON'")
      ("dry-run,n", "with --target: do everything but write the output")
      ("stats", "print the time and count of each pass")
      ("verbose,v", "say what was done");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>());
  po::positional_options_description pos;
  pos.add("file", -1);
  po::options_description all;
  all.add(modes).add(opts).add(hidden);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error &e) {
    return usage_error(e.what());
  }

  if (vm.count("help")) {
    std::cout << "Usage: elfrewrite --list [--json] FILE\n"
                 "       elfrewrite --verify [--exclude-section=NAME[:REASON]]... FILE\n"
                 "       elfrewrite --target=T [-o OUT] FILE\n\n"
                 "Reads an ELF image annotated by pv-as (.previrt_sites, .note.previrt), checks\n"
                 "every site, and lists, verifies or rewrites them.\n\n"
              << modes << "\n" << opts
              << "\nExit status: 0 success, 1 failure, 2 usage error.\n";
    return kExitOk;
  }
  if (vm.count("version")) {
    std::printf("elfrewrite (previrt) %s, annotation ABI %d\n", kVersion, PREVIRT_ABI_VERSION);
    return kExitOk;
  }
  int nmodes = int(vm.count("list")) + int(vm.count("verify")) + int(vm.count("target"));
  if (vm.count("target") && vm["target"].as<std::string>() == "help") {
    print_targets();
    return kExitOk;
  }
  if (nmodes != 1) return usage_error("give exactly one of --list, --verify, --target");
  std::vector<std::string> files;
  if (vm.count("file")) files = vm["file"].as<std::vector<std::string>>();
  if (files.size() != 1) return usage_error("expected one input FILE");

  Context ctx;
  ctx.path = files[0];
  if (vm.count("json") && !vm.count("list") && !vm.count("verify"))
    return usage_error("--json goes with --list or --verify");
  if (vm.count("output") && !vm.count("target")) return usage_error("-o goes with --target");
  if (vm.count("dry-run") && !vm.count("target")) return usage_error("--dry-run goes with --target");
  bool excl = vm.count("exclude-section") || vm.count("exclude-symbol") || vm.count("exclude-file");
  if (excl && !vm.count("verify")) return usage_error("exclusions go with --verify");
  if (vm.count("exclude-section"))
    for (const auto &a : vm["exclude-section"].as<std::vector<std::string>>())
      ctx.exclusions.push_back(parse_exclusion(Exclusion::Kind::section, a));
  if (vm.count("exclude-symbol"))
    for (const auto &a : vm["exclude-symbol"].as<std::vector<std::string>>())
      ctx.exclusions.push_back(parse_exclusion(Exclusion::Kind::symbol, a));
  if (vm.count("exclude-file"))
    for (const auto &f : vm["exclude-file"].as<std::vector<std::string>>()) {
      auto list = read_exclusion_file(f);
      if (!list) return usage_error(list.error().message);
      ctx.exclusions.insert(ctx.exclusions.end(), list->begin(), list->end());
    }

  int rc;
  if (vm.count("list")) {
    rc = run_list(ctx, vm.count("json") != 0);
  } else if (vm.count("verify")) {
    rc = run_verify(ctx, vm.count("json") != 0);
  } else {
    std::string t = vm["target"].as<std::string>();
    ctx.backend = find_backend(t);
    if (!ctx.backend) return usage_error("unknown target '" + t + "' (--target=help lists them)");
    ctx.output_path = vm.count("output") ? vm["output"].as<std::string>() : ctx.path + "." + t;
    rc = run_target(ctx, vm.count("dry-run") != 0, vm.count("verbose") != 0);
  }
  print_diags(ctx);
  if (vm.count("stats")) print_stats(ctx);
  return rc;
}
