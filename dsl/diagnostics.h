// Located error messages, collected in one pass and printed the way compilers do:
//   file:line:col: error: message
//     <the source line>
//     ^~~~~
//   note: ...
// Modelled on LLVM's SMDiagnostic; messages are lowercase, quote the user's text in
// 'single quotes' and have no trailing period.
#pragma once
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace pipeml::dsl {

/// A place in a source text. line/col are 1-based; line 0 means "not in a file" (for
/// example a --set option), then `file` holds what to print instead.
struct Loc {
  std::string file;
  int line = 0;
  int col = 0;
  int len = 1;  ///< characters to underline
};

struct Diagnostic {
  Loc loc;
  std::string message;
  std::string note;  ///< optional second line: what was expected, or how to fix it
};

/// Collects every problem of a run so all of them can be reported at once.
class Diagnostics {
 public:
  void error(const Loc& loc, std::string message, std::string note = {});
  /// Registers a file's text so errors in it can show the offending line.
  void add_source(const std::string& file, const std::string& text);
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  const std::vector<Diagnostic>& all() const { return list_; }
  /// Prints every diagnostic, sorted by file and position, stable for equal positions.
  void print(std::ostream& os) const;
  /// The same as text, for tests and JSON output.
  std::string str() const;

 private:
  std::vector<Diagnostic> list_;
  std::map<std::string, std::vector<std::string>> lines_;
};

/// The closest of `candidates` to `word` (ninja's SpellcheckStringV): within 3 edits, and
/// within a third of the word's length; a swap of two letters is one edit. Empty when
/// nothing is that close.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);
/// " — did you mean 'x'?" or, when nothing is close, empty.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);
/// 'a', 'b', or 'c' — for "expected one of" notes; with "and" for lists of what there is
/// ("the columns are 'a', 'b', and 'c'").
std::string quoted_list(const std::vector<std::string>& names, const std::string& conjunction = "or");

}  // namespace pipeml::dsl
