// SPDX-License-Identifier: GPL-3.0-or-later
#include "annotator.hh"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "encoded_length.hh"
#include "gas_lexer.hh"
#include "sensitive_table.hh"
#include "site_text.hh"
#include "x86_decoder.hh"

extern "C" {
#include "previrt/sites.h"
}

namespace previrt {

namespace {

// The longest x86 instruction: a prefix-form site is one.
constexpr unsigned kMaxInstructionLength = 15;

// Lower-case first words that may begin a sensitive instruction: every
// spelling in the table and every prefix. Anything else is skipped cheaply.
bool could_start_site(const std::string &word) {
  static const std::unordered_set<std::string> words = [] {
    std::unordered_set<std::string> w;
    for (const auto &c : sensitive_classes())
      for (const auto &sp : c.spellings) w.insert(std::string(sp.mnemonic));
    return w;
  }();
  return words.count(word) || is_prefix_word(word) || (!word.empty() && word[0] == '{');
}

bool is_symbol_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '$';
}

// Length of the leading "label:" (with trailing blanks) in `s`, or 0.
size_t label_length(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  size_t start = i;
  if (i < s.size() && s[i] == '\\') return 0;  // a macro parameter, not a label
  while (i < s.size() && is_symbol_char(s[i])) ++i;
  if (i == start || i >= s.size() || s[i] != ':') return 0;
  // "fs:" style segment overrides never start a statement; "::" is not x86.
  if (i + 1 < s.size() && s[i + 1] == ':') return 0;
  ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

std::string first_word(std::string_view s) {
  s = trim_space(s);
  size_t end = 0;
  while (end < s.size() && !is_blank(s[end]) && s[end] != ',')
    ++end;
  return std::string(s.substr(0, end));
}

// Splits directive or macro arguments at commas outside quotes and brackets.
std::vector<std::string> split_args(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      cur += c;
      if (c == '\\' && i + 1 < s.size()) cur += s[++i];
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '(' || c == '[') ++depth;
    else if ((c == ')' || c == ']') && depth > 0) --depth;
    else if (c == ',' && depth == 0) {
      out.emplace_back(trim_space(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!trim_space(cur).empty() || !out.empty()) out.emplace_back(trim_space(cur));
  return out;
}

std::string unquote(std::string_view s) {
  s = trim_space(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}

// Where a sensitive instruction would be assembled.
struct CodeContext {
  int code_bits = 64;
  bool executable = true;
  bool replacement = false;
};

// A statement in a macro body that is exactly "\param": whatever argument
// the invocation passes is assembled there as an instruction.
struct ParamStatement {
  size_t line = 0, begin = 0, end = 0;  // where "\param" stands
  CodeContext context;
  // Single-word arguments seen for it that are sensitive instructions
  // ("rdmsr"), with the site shape each needs.
  std::map<std::string, SiteShape> sensitive_words;
};

struct MacroInfo {
  std::vector<std::string> params;
  std::map<std::string, std::vector<ParamStatement>> insn_params;
  // Uses of a parameter anywhere else in the body (\op\()_safe_regs, .ascii
  // "\text"): its argument text must then stay as it is.
  std::map<std::string, int> other_uses;
};

class Annotator {
 public:
  explicit Annotator(const AnnotateOptions &options) : options_(options) {
    state_.code_bits = options.default_code_bits;
    state_.section = ".text";
    state_.previous = ".text";
  }

  AnnotateResult run(std::string_view source);

 private:
  // Text inserted at `offset` of a line, replacing `erase` bytes there.
  struct Insertion {
    size_t offset;
    std::string text;
    size_t erase = 0;
  };
  struct Line {
    std::string_view text;  // into the source
    std::vector<Insertion> insertions;
  };
  struct State {
    AsmDialect dialect;
    int code_bits = 64;
    std::string section, previous;
    std::vector<std::pair<std::string, std::string>> section_stack;
    bool altmacro = false;
  };
  struct PendingPrefix {
    size_t line;
    size_t offset;
  };

  void statement(size_t line_index, const Statement &st);
  // [begin, end) is where the directive (after labels) stands in its line.
  void directive(size_t line_index, size_t begin, size_t end, std::string_view name,
                 std::string_view args);
  // `args` points into st.text.
  void macro_invocation(size_t line_index, const Statement &st, const std::string &name,
                        std::string_view args);
  bool executable(const std::string &section) const;
  CodeContext context() const;
  // `dialect` is the syntax `insn` is written in (default: the current one).
  std::optional<SiteShape> shape_for(const SensitiveClass &cls, const CodeContext &ctx,
                                     const InstructionText &insn,
                                     const AsmDialect *dialect = nullptr) const;
  // A `.byte` directive whose values encode one sensitive instruction (Linux
  // spells clac, stac, monitor, mwait, xsaves and others that way) is a site.
  void byte_directive(size_t line_index, size_t begin, size_t end, std::string_view args);
  // The site shape for `.byte` values, if they are one sensitive instruction.
  std::optional<SiteShape> encoded_site(std::string_view args, const CodeContext &ctx,
                                        std::string *class_name) const;
  // Annotates statements inside a quoted macro argument; returns the new
  // argument text or nothing when it holds no site.
  std::optional<std::string> annotate_argument(size_t line_index, const std::string &content,
                                               const CodeContext &ctx);
  void set_section(const std::string &name, const std::optional<std::string> &flags);
  // Records how the body of the macro being defined uses its parameters.
  void note_parameter_uses(size_t line_index, const Statement &st, std::string_view rest);
  // Rewrites "\param" statements that received sensitive single-word
  // arguments into a .ifc chain that makes a site for each such word.
  void emit_parameter_sites();

  // could_start_site(word), remembered: it is asked for the first word of
  // every statement, and a file has few distinct ones.
  bool starts_site(const std::string &lower_word);
  // An instruction statement with the dialect and code size it is read in:
  // the key of not_sensitive_.
  std::string statement_key(std::string_view statement) const;

  const AnnotateOptions &options_;
  std::unordered_map<std::string, bool> start_words_;
  // Instruction statements classify() found not sensitive. Compiler output
  // repeats the same mov, push and call statements many times, and
  // classifying is most of the text pass's work.
  std::unordered_set<std::string> not_sensitive_;
  State state_;
  std::vector<Line> lines_;
  std::map<std::string, std::string> section_flags_;  // name -> flags as declared
  std::map<std::string, MacroInfo> macros_;           // lower-case name -> info
  int macro_depth_ = 0;
  std::string defining_macro_;                        // outermost macro being defined
  State state_before_macro_;
  std::optional<PendingPrefix> pending_prefix_;
  AnnotateResult result_;
};

bool Annotator::starts_site(const std::string &lower_word) {
  auto it = start_words_.find(lower_word);
  if (it == start_words_.end()) it = start_words_.emplace(lower_word, could_start_site(lower_word)).first;
  return it->second;
}

std::string Annotator::statement_key(std::string_view statement) const {
  std::string key;
  key.reserve(statement.size() + 3);
  key += static_cast<char>('0' + state_.code_bits / 16);
  key += state_.dialect.syntax == Syntax::att ? 'a' : 'i';
  key += state_.dialect.register_prefix ? '%' : '-';
  key += statement;
  return key;
}

bool Annotator::executable(const std::string &section) const {
  auto it = section_flags_.find(section);
  if (it != section_flags_.end()) return it->second.find('x') != std::string::npos;
  // GAS's defaults for sections declared without flags.
  return section == ".text" || section.rfind(".text.", 0) == 0 || section == ".init" ||
         section == ".fini" || section.rfind(".gnu.linkonce.t", 0) == 0;
}

CodeContext Annotator::context() const {
  CodeContext c;
  c.code_bits = state_.code_bits;
  c.executable = executable(state_.section);
  c.replacement = state_.section.rfind(".altinstr_replacement", 0) == 0;
  return c;
}

std::optional<SiteShape> Annotator::shape_for(const SensitiveClass &cls, const CodeContext &ctx,
                                              const InstructionText &insn,
                                              const AsmDialect *dialect) const {
  if (!ctx.executable || (ctx.code_bits != 32 && ctx.code_bits != 64)) return std::nullopt;
  SiteShape shape;
  shape.insn_class = cls.id;
  shape.pad = options_.pad ? cls.pad : 0;
  if (cls.attrs & PV_ATTR_NOSTACK) shape.flags |= PV_SITE_NOSTACK;
  if (ctx.code_bits == 32) shape.flags |= PV_SITE_CODE32;
  if (ctx.replacement) shape.flags |= PV_SITE_REPLACEMENT;
  // The prefix form wherever pv-as knows the length: it costs no extra
  // instruction, and PV_ATTR_PREFIX_PAD classes need it (see sensitive.def).
  // A site of more than 15 bytes cannot be one instruction: NOPs follow.
  auto length = encoded_length(cls, insn, ctx.code_bits, dialect ? *dialect : state_.dialect);
  if (length && std::max<unsigned>(shape.pad, *length) <= kMaxInstructionLength) {
    shape.prefix_pad = true;
    shape.insn_length = *length;
  }
  return shape;
}

void Annotator::set_section(const std::string &name, const std::optional<std::string> &flags) {
  if (flags) section_flags_[name] = *flags;
  state_.previous = state_.section;
  state_.section = name;
}

void Annotator::directive(size_t line_index, size_t begin, size_t end, std::string_view name_view,
                          std::string_view args) {
  if (name_view.size() == 5 && to_lower(name_view) == ".byte") {
    byte_directive(line_index, begin, end, args);
    return;
  }
  // Most directives in compiler output (.loc, .byte, .uleb128, ...) change
  // nothing pv-as tracks: recognise the few that do before parsing arguments.
  static const std::unordered_set<std::string> tracked = {
      ".intel_syntax", ".att_syntax", ".code16",  ".code16gcc", ".code32",     ".code64",
      ".text",         ".data",       ".bss",     ".section",   ".pushsection", ".popsection",
      ".previous",     ".altmacro",   ".noaltmacro", ".macro",  ".endm",       ".purgem",
      ".include"};
  if (name_view.size() > 14) return;  // longer than any tracked name
  std::string name = to_lower(name_view);
  if (!tracked.count(name)) return;
  std::vector<std::string> a = split_args(args);
  auto arg0 = [&]() { return a.empty() ? std::string() : to_lower(unquote(a[0])); };

  if (name == ".intel_syntax") {
    state_.dialect.syntax = Syntax::intel;
    state_.dialect.register_prefix = arg0() == "prefix";
  } else if (name == ".att_syntax") {
    state_.dialect.syntax = Syntax::att;
    state_.dialect.register_prefix = arg0() != "noprefix";
  } else if (name == ".code16" || name == ".code16gcc") {
    state_.code_bits = 16;
  } else if (name == ".code32") {
    state_.code_bits = 32;
  } else if (name == ".code64") {
    state_.code_bits = 64;
  } else if (name == ".text" || name == ".data" || name == ".bss") {
    set_section(name, std::nullopt);
  } else if (name == ".section" || name == ".pushsection") {
    if (a.empty()) return;
    std::string sec = unquote(a[0]);
    std::optional<std::string> flags;
    for (size_t i = 1; i < a.size(); ++i) {
      std::string_view v = trim_space(a[i]);
      if (!v.empty() && v.front() == '"') {
        flags = unquote(v);
        break;
      }
    }
    if (name == ".pushsection") state_.section_stack.emplace_back(state_.section, state_.previous);
    set_section(sec, flags);
  } else if (name == ".popsection") {
    if (!state_.section_stack.empty()) {
      state_.section = state_.section_stack.back().first;
      state_.previous = state_.section_stack.back().second;
      state_.section_stack.pop_back();
    }
  } else if (name == ".previous") {
    std::swap(state_.section, state_.previous);
  }
  if (name == ".text" || name == ".data" || name == ".bss" || name == ".section" ||
      name == ".pushsection" || name == ".popsection" || name == ".previous") {
    // Sites in macro bodies take their replacement flag from this symbol when
    // the macro expands (see site_epilogue), so every section change updates
    // it, inside macro bodies too.
    lines_[line_index].insertions.push_back(
        {end, std::string(" ; ") + replacement_state_text(context().replacement)});
    return;
  }
  if (name == ".altmacro") {
    state_.altmacro = true;
  } else if (name == ".noaltmacro") {
    state_.altmacro = false;
  } else if (name == ".macro") {
    // ".macro NAME p1, p2=default, p3:req" (commas or blanks separate).
    std::string text(trim_space(args));
    for (char &c : text)
      if (c == ',') c = ' ';
    std::vector<std::string> words;
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && is_blank(text[i])) ++i;
      size_t start = i;
      while (i < text.size() && !is_blank(text[i])) ++i;
      if (i > start) words.push_back(text.substr(start, i - start));
    }
    if (words.empty()) return;
    std::string macro = to_lower(words[0]);
    if (macro_depth_ == 0) {
      defining_macro_ = macro;
      state_before_macro_ = state_;
      MacroInfo info;
      for (size_t w = 1; w < words.size(); ++w) {
        std::string p = words[w];
        p = p.substr(0, p.find_first_of("=:"));
        if (!p.empty()) info.params.push_back(p);
      }
      macros_[macro] = info;
    } else {
      macros_.emplace(macro, MacroInfo{});  // defined when the outer one expands
    }
    ++macro_depth_;
  } else if (name == ".endm") {
    if (macro_depth_ > 0 && --macro_depth_ == 0) {
      // Directives in the body take effect at expansion, not here.
      state_ = state_before_macro_;
      defining_macro_.clear();
    }
  } else if (name == ".purgem") {
    macros_.erase(arg0());
  } else if (name == ".include") {
    result_.warnings.push_back(
        {line_index + 1, ".include \"" + unquote(args) +
                             "\": instructions in included files are not annotated"});
  }
}

std::optional<std::string> Annotator::annotate_argument(size_t line_index,
                                                        const std::string &content,
                                                        const CodeContext &ctx) {
  if (content.find_first_of("\\#\"") != std::string::npos) return std::nullopt;
  GasLexer lexer;
  auto stmts = lexer.split(content);
  std::string out;
  size_t copied = 0;
  bool any = false;
  for (const auto &st : stmts) {
    size_t lab = label_length(st.text);
    std::string_view rest = trim_space(std::string_view(st.text).substr(lab));
    if (rest.empty()) continue;
    std::optional<SiteShape> shape;
    std::string class_name;
    if (rest.front() == '.') {
      std::string word = first_word(rest);
      if (to_lower(word) != ".byte") continue;
      shape = encoded_site(rest.substr(word.size()), ctx, &class_name);
    } else {
      InstructionText insn = split_instruction(rest);
      const SensitiveClass *cls = classify(insn, state_.dialect, ctx.code_bits);
      if (!cls) continue;
      shape = shape_for(*cls, ctx, insn);
      class_name = std::string(cls->name);
    }
    if (!shape) continue;
    size_t insn_begin = st.begin + st.text.find_first_not_of(" \t", lab);
    out += content.substr(copied, insn_begin - copied);
    out += site_prologue(*shape);
    out += content.substr(insn_begin, st.end - insn_begin);
    out += site_epilogue(*shape);
    copied = st.end;
    any = true;
    SiteReport r;
    r.line = line_index + 1;
    r.class_name = class_name;
    r.instruction = std::string(rest);
    r.from_macro_argument = true;
    result_.sites.push_back(r);
  }
  if (!any) return std::nullopt;
  out += content.substr(copied);
  return out;
}

std::optional<SiteShape> Annotator::encoded_site(std::string_view args, const CodeContext &ctx,
                                                 std::string *class_name) const {
  if (!ctx.executable || (ctx.code_bits != 32 && ctx.code_bits != 64)) return std::nullopt;
  std::vector<uint8_t> bytes;
  for (const std::string &arg : split_args(args)) {
    // Plain numbers only (0x.., 0b.., 0.., decimal): anything symbolic is data.
    std::string v = to_lower(arg);
    if (v.empty() || bytes.size() == 15) return std::nullopt;
    int base = 10;
    size_t start = 0;
    if (v.size() > 2 && v[0] == '0' && v[1] == 'x') base = 16, start = 2;
    else if (v.size() > 2 && v[0] == '0' && v[1] == 'b') base = 2, start = 2;
    else if (v.size() > 1 && v[0] == '0') base = 8, start = 1;
    unsigned long value = 0;
    for (size_t i = start; i < v.size(); ++i) {
      char c = v[i];
      int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 99;
      if (digit >= base) return std::nullopt;
      value = value * base + digit;
      if (value > 0xff) return std::nullopt;
    }
    bytes.push_back(static_cast<uint8_t>(value));
  }
  if (bytes.empty()) return std::nullopt;
  DecodedInsn decoded;
  const SensitiveClass *cls = classify_encoded(bytes.data(), bytes.size(), ctx.code_bits, &decoded);
  if (!cls) return std::nullopt;
  // The disassembler's text is AT&T with register prefixes.
  const AsmDialect att;
  InstructionText insn = split_instruction(decoded.text);
  auto shape = shape_for(*cls, ctx, insn, &att);
  // The prefix form needs the length pv-as would assume to be the real one.
  if (shape && shape->prefix_pad && shape->insn_length != bytes.size()) shape->prefix_pad = false;
  if (shape && class_name) *class_name = std::string(cls->name);
  return shape;
}

void Annotator::byte_directive(size_t line_index, size_t begin, size_t end, std::string_view args) {
  std::string class_name;
  auto shape = encoded_site(args, context(), &class_name);
  if (!shape) return;
  if (macro_depth_ > 0) shape->replacement_from_gas = true;
  lines_[line_index].insertions.push_back({begin, site_prologue(*shape)});
  lines_[line_index].insertions.push_back({end, site_epilogue(*shape)});
  SiteReport r;
  r.line = line_index + 1;
  r.class_name = class_name;
  r.instruction = ".byte " + std::string(trim_space(args));
  r.in_macro_body = macro_depth_ > 0;
  result_.sites.push_back(r);
}

void Annotator::macro_invocation(size_t line_index, const Statement &st, const std::string &name,
                                 std::string_view args) {
  MacroInfo &info = macros_[name];
  if (info.insn_params.empty()) return;
  // Map arguments to parameters (positional, or "param=value").
  size_t args_offset = st.begin + static_cast<size_t>(args.data() - st.text.data());
  std::string_view raw_args = lines_[line_index].text.substr(args_offset, args.size());
  size_t index = 0;
  int depth = 0;
  bool quoted = false;
  size_t arg_start = 0;
  auto finish_arg = [&](size_t end) {
    std::string_view arg = raw_args.substr(arg_start, end - arg_start);
    std::string param;
    std::string_view value = arg;
    size_t eq = arg.find('=');
    size_t q = arg.find('"');
    if (eq != std::string_view::npos && (q == std::string_view::npos || eq < q)) {
      param = std::string(trim_space(arg.substr(0, eq)));
      value = arg.substr(eq + 1);
    } else if (index < info.params.size()) {
      param = info.params[index];
    }
    ++index;
    auto it = info.insn_params.find(param);
    if (it == info.insn_params.end() || it->second.empty()) return;
    size_t open = value.find('"');
    size_t close = value.rfind('"');
    if (open == std::string_view::npos) {
      // A bare word such as "rdmsr": the body statement gets a site for it.
      std::string word(trim_space(value));
      if (word.empty() || word.find_first_of(" \t\\") != std::string::npos) return;
      for (ParamStatement &ps : it->second) {
        InstructionText insn = split_instruction(word);
        const SensitiveClass *cls = classify(insn, state_.dialect, ps.context.code_bits);
        if (!cls) continue;
        if (auto shape = shape_for(*cls, ps.context, insn)) {
          if (ps.sensitive_words.emplace(word, *shape).second) {
            SiteReport r;
            r.line = line_index + 1;
            r.class_name = std::string(cls->name);
            r.instruction = word;
            r.from_macro_argument = true;
            result_.sites.push_back(r);
          }
        }
      }
      return;
    }
    if (close == open || info.other_uses[param] > 0) return;
    std::string content(value.substr(open + 1, close - open - 1));
    auto annotated = annotate_argument(line_index, content, it->second.front().context);
    if (!annotated) return;
    size_t content_offset = args_offset + static_cast<size_t>(value.data() - raw_args.data()) + open + 1;
    lines_[line_index].insertions.push_back({content_offset, *annotated, content.size()});
  };
  for (size_t pos = 0; pos < raw_args.size(); ++pos) {
    char c = raw_args[pos];
    if (quoted) {
      if (c == '\\') ++pos;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (c == ',' && depth == 0) {
      finish_arg(pos);
      arg_start = pos + 1;
    }
  }
  finish_arg(raw_args.size());
}

void Annotator::note_parameter_uses(size_t line_index, const Statement &st, std::string_view rest) {
  MacroInfo &info = macros_[defining_macro_];
  auto is_param = [&](std::string_view p) {
    return std::find(info.params.begin(), info.params.end(), p) != info.params.end();
  };
  // The whole statement is one parameter: an instruction position.
  std::string_view whole = trim_space(rest);
  if (whole.size() > 1 && whole[0] == '\\' && is_param(whole.substr(1))) {
    ParamStatement ps;
    ps.line = line_index;
    ps.begin = st.begin + static_cast<size_t>(whole.data() - st.text.data());
    ps.end = ps.begin + whole.size();
    ps.context = context();
    info.insn_params[std::string(whole.substr(1))].push_back(ps);
    return;
  }
  for (size_t i = 0; i + 1 < rest.size(); ++i) {
    if (rest[i] != '\\') continue;
    size_t j = i + 1;
    while (j < rest.size() && is_symbol_char(rest[j]) && rest[j] != '.' && rest[j] != '$') ++j;
    std::string_view name = rest.substr(i + 1, j - i - 1);
    if (is_param(name)) ++info.other_uses[std::string(name)];
    i = j - 1;
  }
}

void Annotator::emit_parameter_sites() {
  for (auto &[macro, info] : macros_) {
    for (auto &[param, statements] : info.insn_params) {
      for (const ParamStatement &ps : statements) {
        if (ps.sensitive_words.empty()) continue;
        const std::string ref = "\\" + param;
        std::string text, closing;
        for (const auto &[word, shape] : ps.sensitive_words) {
          text += ".ifc " + ref + "," + word + " ; " + site_prologue(shape) + ref + site_epilogue(shape) +
                  " ; .else ; ";
          closing += " ; .endif";
        }
        text += ref + closing;
        lines_[ps.line].insertions.push_back({ps.begin, text, ps.end - ps.begin});
      }
    }
  }
}

void Annotator::statement(size_t line_index, const Statement &st) {
  std::string_view text = st.text;
  size_t lab = 0, total_labels = 0;
  while ((lab = label_length(text.substr(total_labels))) > 0) total_labels += lab;
  std::string_view rest_raw = text.substr(total_labels);
  size_t lead = rest_raw.find_first_not_of(" \t");
  if (lead == std::string_view::npos) return;  // labels only
  size_t rest_offset = total_labels + lead;
  std::string_view rest = trim_space(rest_raw);
  std::optional<PendingPrefix> prefix = pending_prefix_;
  pending_prefix_.reset();
  if (total_labels > 0) prefix.reset();

  std::string word = first_word(rest);
  std::string_view after_word = trim_space(rest.substr(word.size()));

  // Assignments: "sym = expr", "sym=expr", "sym == expr".
  if (word.find('=') != std::string::npos || (!after_word.empty() && after_word.front() == '='))
    return;

  if (macro_depth_ == 1) note_parameter_uses(line_index, st, rest);

  if (!word.empty() && word[0] == '.') {
    directive(line_index, st.begin + rest_offset, st.end, word, after_word);
    return;
  }
  if (!word.empty() && word[0] == '\\') return;  // a parameter: handled above

  std::string lower = to_lower(word);
  if (!macros_.empty() && macros_.count(lower)) {
    macro_invocation(line_index, st, lower, after_word);
    return;
  }
  if (!starts_site(lower)) return;
  std::string key = statement_key(rest);
  if (not_sensitive_.count(key)) return;

  InstructionText insn = split_instruction(rest);
  if (insn.operands.empty() && is_prefix_word(insn.mnemonic)) {
    // "rep; insb": the prefix belongs to the site of the next statement.
    pending_prefix_ = prefix ? prefix : PendingPrefix{line_index, st.begin + rest_offset};
    return;
  }
  const SensitiveClass *cls = classify(insn, state_.dialect, state_.code_bits);
  if (!cls) {
    not_sensitive_.insert(std::move(key));
    return;
  }
  auto shape = shape_for(*cls, context(), insn);
  if (!shape) return;

  // A prefix written as its own statement ("rep; hlt") keeps the NOP form.
  if (prefix) shape->prefix_pad = false;
  // A macro body may expand in any section: its replacement flag is GAS's.
  if (macro_depth_ > 0) shape->replacement_from_gas = true;
  PendingPrefix start = prefix ? *prefix : PendingPrefix{line_index, st.begin + rest_offset};
  lines_[start.line].insertions.push_back({start.offset, site_prologue(*shape)});
  lines_[line_index].insertions.push_back({st.end, site_epilogue(*shape)});

  SiteReport r;
  r.line = line_index + 1;
  r.class_name = std::string(cls->name);
  r.instruction = std::string(rest);
  r.in_macro_body = macro_depth_ > 0;
  result_.sites.push_back(r);
}

AnnotateResult Annotator::run(std::string_view source) {
  // Physical lines, remembering whether the input ended with a newline.
  size_t pos = 0;
  while (pos < source.size()) {
    size_t nl = source.find('\n', pos);
    if (nl == std::string_view::npos) nl = source.size();
    lines_.push_back(Line{source.substr(pos, nl - pos), {}});
    pos = nl + 1;
  }
  GasLexer lexer;
  std::vector<Statement> statements;
  for (size_t i = 0; i < lines_.size(); ++i) {
    lexer.split(lines_[i].text, &statements);
    for (const Statement &st : statements) statement(i, st);
  }
  emit_parameter_sites();

  if (result_.sites.empty()) return std::move(result_);  // nothing to insert
  std::string out;
  out.reserve(source.size() + result_.sites.size() * 200);
  for (size_t i = 0; i < lines_.size(); ++i) {
    Line &line = lines_[i];
    std::stable_sort(line.insertions.begin(), line.insertions.end(),
                     [](const Insertion &a, const Insertion &b) { return a.offset < b.offset; });
    size_t copied = 0;
    for (const Insertion &ins : line.insertions) {
      out.append(line.text.substr(copied, ins.offset - copied));
      copied = ins.offset;
      out += ins.text;
      copied += ins.erase;
    }
    out.append(line.text.substr(copied));
    if (i + 1 < lines_.size() || (!source.empty() && source.back() == '\n')) out += '\n';
  }
  result_.text = std::move(out);
  return std::move(result_);
}

}  // namespace

AnnotateResult annotate(std::string_view source, const AnnotateOptions &options) {
  Annotator a(options);
  return a.run(source);
}

}  // namespace previrt
