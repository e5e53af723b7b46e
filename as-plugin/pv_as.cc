// SPDX-License-Identifier: GPL-3.0-or-later
// pv-as: the assembler pre-processor. Takes GNU as's command line, annotates
// every sensitive instruction of the input (see annotator.hh), and runs the
// real GNU as on the result with the caller's arguments.
//
// Environment:
//   PV_REAL_AS   the real assembler (pv-gcc sets it; default: `as` in PATH
//                that is not this program)
//   PV_EXCLUDE   colon-separated globs; inputs or outputs matching one are
//                assembled untouched
//   PV_VERBOSE=1 print every site made
//   PV_KEEP=1|DIR keep the original and annotated text and the as arguments
//                (next to the object, or in DIR)
//   PV_QUIET=1   silence pv-as's warnings
//   PV_STRICT=1  fail instead of falling back when padded code does not assemble
//   PV_NO_PADDING=1  make sites without NOPs (for identity checks)
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ext/stdio_filebuf.h>

#include <filesystem>
#include <istream>
#include <ostream>

#include "annotator.hh"
#include "as_command_line.hh"
#include "process.hh"
#include "site_text.hh"
#include "table_report.hh"

using namespace previrt;

namespace {

constexpr const char *kTool = "pv-as";

// The real assembler: the program to run, and the argv[0] it gets (what gcc
// would have passed: the name it was given, "as" when found in PATH).
struct RealAs {
  std::string program;
  std::string argv0;
};

RealAs real_as() {
  std::string configured = env_string("PV_REAL_AS");
  if (!configured.empty()) {
    if (configured.find('/') != std::string::npos) return {configured, configured};
  }
  std::string name = configured.empty() ? "as" : configured;
  auto found = find_in_path(name, {self_executable()});
  if (!found) {
    write_stderr(std::string(kTool) + ": error: cannot find the real GNU as in PATH (set PV_REAL_AS)\n");
    std::exit(1);
  }
  return {*found, name};
}

bool excluded(const AsCommandLine &cl) {
  std::vector<std::string> names = {cl.output};
  for (size_t i : cl.input_indices) names.push_back(cl.args[i]);
  return excluded_by_env(names);
}

// Standard input and output as C++ streams for --print-table and
// --classify. Not std::cin and std::cout: a program that includes
// <iostream> sets up its streams on every start, and pv-as starts once per
// compilation.
struct StdioStreams {
  __gnu_cxx::stdio_filebuf<char> in_buf{stdin, std::ios::in};
  __gnu_cxx::stdio_filebuf<char> out_buf{stdout, std::ios::out};
  std::istream in{&in_buf};
  std::ostream out{&out_buf};
  ~StdioStreams() { out.flush(); }
};

struct Input {
  std::string display;   // name as as reports it
  std::string text;
  AnnotateResult annotated;
};

void keep_files(const AsCommandLine &cl, const std::vector<Input> &inputs,
                const std::vector<std::string> &annotated_texts) {
  std::string keep = env_string("PV_KEEP");
  if (keep.empty() || keep == "0") return;
  std::string base;
  if (keep == "1") {
    base = cl.output;
  } else {
    std::string flat = canonical_path(std::filesystem::path(cl.output).parent_path().empty()
                                          ? "."
                                          : std::filesystem::path(cl.output).parent_path().string());
    flat += "/" + std::filesystem::path(cl.output).filename().string();
    for (char &c : flat)
      if (c == '/') c = '_';
    std::filesystem::create_directories(keep);
    base = keep + "/" + flat;
  }
  std::string orig, pv;
  for (size_t i = 0; i < inputs.size(); ++i) {
    orig += inputs[i].text;
    pv += annotated_texts[i];
  }
  write_file(base + ".orig.s", orig);
  write_file(base + ".pv.s", pv);
  // The as arguments without the inputs, output as @OUTPUT@: enough to
  // assemble the kept texts again (scripts append the input file).
  std::string args;
  for (size_t i = 0; i < cl.args.size(); ++i) {
    const std::string &a = cl.args[i];
    bool is_input = std::find(cl.input_indices.begin(), cl.input_indices.end(), i) !=
                    cl.input_indices.end();
    if (is_input) continue;
    if (a == "-o" && i + 1 < cl.args.size()) {
      args += "-o\n@OUTPUT@\n";
      ++i;
    } else if (a.size() > 2 && a.compare(0, 2, "-o") == 0) {
      args += "-o\n@OUTPUT@\n";
    } else {
      args += a + "\n";
    }
  }
  write_file(base + ".args", args);
}

// Where as reads annotated text: anonymous in-memory files, so that no
// temporary directory is made and removed per compilation; files in one
// where /proc (through which as opens them) is not mounted.
class AnnotatedInputs {
 public:
  // The name as opens to read `text`, the `index`th input.
  std::string add(const std::string &text, size_t index) {
    if (!dir_) {
      std::string path = fd_path(memory_file("pv-as-input", text));
      if (access(path.c_str(), R_OK) == 0) return path;
      dir_.emplace("pv-as-");
    }
    std::string path = dir_->path() + "/" + std::to_string(index) + ".s";
    write_file(path, text);
    return path;
  }

 private:
  std::optional<TempDir> dir_;
};

// When nothing is annotated, pv-as becomes as (exec) instead of running it.
int assemble(const std::vector<std::string> &raw_args) {
  AsCommandLine cl = parse_as_command_line(raw_args);
  RealAs as = real_as();
  std::vector<std::string> direct = {as.argv0};
  direct.insert(direct.end(), cl.args.begin(), cl.args.end());
  if (cl.info_only || excluded(cl)) exec_or_die(kTool, as.program, direct);

  std::vector<Input> inputs;
  // What pv-as read from standard input, for as to read again.
  int saved_stdin = -1;
  auto take_stdin = [&] {
    Input in{"{standard input}", read_stdin(), {}};
    if (saved_stdin >= 0) close(saved_stdin);
    saved_stdin = memory_file("pv-as-stdin", in.text);
    inputs.push_back(std::move(in));
  };
  if (cl.input_indices.empty()) take_stdin();
  for (size_t idx : cl.input_indices) {
    const std::string &name = cl.args[idx];
    if (name == "-") {
      take_stdin();
      continue;
    }
    std::string text;
    try {
      text = read_file(name);
    } catch (const std::exception &) {
      // Let as report a missing or unreadable input in its own words.
      exec_or_die(kTool, as.program, direct, saved_stdin);
    }
    inputs.push_back(Input{name, std::move(text), {}});
  }

  AnnotateOptions options;
  options.default_code_bits = cl.code_bits;
  options.pad = !env_flag("PV_NO_PADDING");
  size_t site_count = 0;
  for (auto &in : inputs) {
    in.annotated = annotate(in.text, options);
    site_count += in.annotated.sites.size();
    if (!env_flag("PV_QUIET"))
      for (const auto &w : in.annotated.warnings)
        write_stderr(std::string(kTool) + ": " + in.display + ":" + std::to_string(w.line) +
                     ": warning: " + w.message + "\n");
    if (env_flag("PV_VERBOSE"))
      for (const auto &s : in.annotated.sites)
        write_stderr(std::string(kTool) + ": " + in.display + ":" + std::to_string(s.line) +
                     ": site " + s.class_name + ": " + s.instruction +
                     (s.in_macro_body ? " (macro body)" : "") +
                     (s.from_macro_argument ? " (macro argument)" : "") + "\n");
  }
  if (site_count == 0) exec_or_die(kTool, as.program, direct, saved_stdin);

  // Annotated inputs: the preamble once, then a line marker so that as's
  // messages and debug information name the user's file and lines.
  std::vector<std::string> annotated_texts;
  std::vector<std::string> args = {as.argv0};
  args.insert(args.end(), cl.args.begin(), cl.args.end());
  bool preamble_done = false;
  AnnotatedInputs files;
  std::vector<std::string> temp_inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Input &in = inputs[i];
    std::string text;
    if (in.text.rfind("#NO_APP", 0) == 0) text += "#NO_APP\n";
    if (!preamble_done && !in.annotated.sites.empty()) {
      text += preamble_text() + "\n";
      preamble_done = true;
    }
    text += "# 1 \"" + in.display + "\"\n";
    text += in.annotated.sites.empty() ? in.text : in.annotated.text;
    temp_inputs.push_back(files.add(text, i));
    annotated_texts.push_back(std::move(text));
  }
  // Replace the inputs (or add one where as would have read stdin).
  if (cl.input_indices.empty()) {
    args.push_back(temp_inputs[0]);
  } else {
    for (size_t k = 0; k < cl.input_indices.size(); ++k) args[1 + cl.input_indices[k]] = temp_inputs[k];
  }

  ProcessResult padded = run_process(as.program, args, -1, true);
  if (padded.exit_code == 0) {
    write_stderr(padded.captured_stderr);
    keep_files(cl, inputs, annotated_texts);
    return 0;
  }
  // The padded text failed. If the original assembles, the padding broke
  // code of fixed size (.org, size assertions): assemble it untouched.
  ProcessResult original = run_process(as.program, direct, saved_stdin, true);
  write_stderr(original.captured_stderr);
  if (original.exit_code != 0) return original.exit_code;
  std::string first_error = padded.captured_stderr;
  size_t err = first_error.find("Error: ");
  first_error = err == std::string::npos ? "" : first_error.substr(err + 7);
  first_error = first_error.substr(0, first_error.find('\n'));
  std::string names;
  for (const auto &in : inputs) names += (names.empty() ? "" : ", ") + in.display;
  if (env_flag("PV_STRICT")) {
    write_stderr(std::string(kTool) + ": " + names + ": error: padded sites do not assemble (" +
                 first_error + ")\n");
    std::filesystem::remove(cl.output);
    return 1;
  }
  if (!env_flag("PV_QUIET"))
    write_stderr(std::string(kTool) + ": " + names + ": warning: padded sites do not assemble (" +
                 first_error + "); " + std::to_string(site_count) +
                 " sensitive instructions left unannotated (PV_QUIET=1 silences this)\n");
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (!args.empty() && args[0].rfind("--print-table", 0) == 0) {
      std::string format = args[0].size() > 14 ? args[0].substr(14) : "markdown";
      StdioStreams io;
      if (!print_table(io.out, format)) {
        io.out.flush();
        write_stderr(std::string(kTool) + ": error: unknown table format '" + format +
                     "' (markdown, tsv)\n");
        return 2;
      }
      return 0;
    }
    if (!args.empty() && args[0].rfind("--classify", 0) == 0) {
      int bits = args[0] == "--classify=32" ? 32 : 64;
      StdioStreams io;
      classify_lines(io.in, io.out, bits);
      return 0;
    }
    return assemble(args);
  } catch (const std::exception &e) {
    write_stderr(std::string(kTool) + ": error: " + e.what() + "\n");
    return 1;
  }
}
