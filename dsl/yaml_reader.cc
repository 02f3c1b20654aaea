// yaml-cpp to dsl::Node. yaml-cpp marks are 0-based; ours are 1-based like compilers'.
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <algorithm>

#include "dsl/ast.h"
#include "dsl/utf8.h"

namespace pipeml::dsl {
namespace {

Loc loc_of(const std::string& file, const YAML::Mark& m, int len) {
  return Loc{file, m.line + 1, m.column + 1, std::max(len, 1)};
}

// True when the quoted scalar starting at `pos` has its closing quote. yaml-cpp 0.7 reads
// an unclosed quote at the end of a file (when a newline follows it) as a string running
// to the end, swallowing every later line; we report that instead of a confusing type error.
bool quote_closed(const std::string& text, std::size_t pos) {
  if (pos >= text.size() || (text[pos] != '"' && text[pos] != '\'')) return true;  // not where we expect it
  const char q = text[pos];
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    if (q == '"' && text[i] == '\\') ++i;  // an escape: the next character is not the end
    else if (text[i] == q && q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') ++i;  // '' is a quote
    else if (text[i] == q) return true;
  }
  return false;
}

// What converting a document needs: its name and text, and where errors go.
struct Source {
  const std::string& file;
  const std::string& text;
  Diagnostics& diags;
};

Node convert(const Source& src, const YAML::Node& y) {
  Node n;
  switch (y.Type()) {
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::kScalar;
      n.text = y.Scalar();
      // yaml-cpp tags plain scalars "?" and quoted ones "!": only plain ones get typed.
      n.quoted = y.Tag() == "!";
      n.loc = loc_of(src.file, y.Mark(), static_cast<int>(n.text.size()) + (n.quoted ? 2 : 0));
      if (n.quoted && !quote_closed(src.text, static_cast<std::size_t>(y.Mark().pos))) {
        const std::string q(1, src.text[y.Mark().pos]);
        src.diags.error(loc_of(src.file, y.Mark(), 1), "invalid YAML: a string opened with " + q + " is never closed",
                        "it runs to the end of the file; close it with " + q + " on this line");
      }
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::kSeq;
      n.loc = loc_of(src.file, y.Mark(), 1);
      for (const auto& item : y) n.items.push_back(convert(src, item));
      break;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::kMap;
      n.loc = loc_of(src.file, y.Mark(), 1);
      for (const auto& kv : y) n.entries.emplace_back(convert(src, kv.first), convert(src, kv.second));
      break;
    default:
      n.kind = Node::Kind::kNull;
      n.loc = loc_of(src.file, y.Mark(), 1);
      break;
  }
  return n;
}

// yaml-cpp's messages name the parser's state ("end of sequence flow not found"); the
// note says what in the file usually causes it.
std::string yaml_hint(const std::string& msg) {
  if (msg == YAML::ErrorMsg::END_OF_SEQ_FLOW) return "a list opened with '[' is not closed with ']' before this";
  if (msg == YAML::ErrorMsg::END_OF_MAP_FLOW) return "a mapping opened with '{' is not closed with '}' before this";
  if (msg == YAML::ErrorMsg::FLOW_END) return "a ']' or '}' that closes nothing";
  if (msg == YAML::ErrorMsg::END_OF_SEQ || msg == YAML::ErrorMsg::END_OF_MAP)
    return "check the indentation: the keys of one mapping, and the '-' items of one list, start in the same column";
  if (msg == YAML::ErrorMsg::MAP_VALUE)
    return "check the indentation (spaces, not tabs), or quote a value that contains ': '";
  if (msg == YAML::ErrorMsg::TAB_IN_INDENTATION) return "indent with spaces: YAML does not allow tabs there";
  if (msg == YAML::ErrorMsg::EOF_IN_SCALAR) return "a quoted string is not closed";
  return {};
}

}  // namespace

const Node* Node::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k.text == key) return &v;
  return nullptr;
}

Node* Node::find(const std::string& key) {
  for (auto& [k, v] : entries)
    if (k.text == key) return &v;
  return nullptr;
}

std::string Node::describe() const {
  // A long or multi-line text is cut: the caret already shows where it is.
  constexpr std::size_t kMaxShown = 40;
  switch (kind) {
    case Kind::kScalar: {
      const std::size_t cut = std::min(text.find('\n'), kMaxShown);
      return "'" + (cut < text.size() ? text.substr(0, cut) + "..." : text) + "'";
    }
    case Kind::kSeq: return "a list";
    case Kind::kMap: return "a mapping";
    default: return "nothing";
  }
}

Node read_yaml(const std::string& file, const std::string& text, Diagnostics& diags) {
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    // Its line and column (1-based, counted in bytes), as YAML's own errors are.
    const std::size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const std::size_t begin = line_start == std::string::npos || bad == 0 ? 0 : line_start + 1;
    const auto line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(begin), '\n') + 1);
    diags.error(Loc{file, line, static_cast<int>(bad - begin + 1)},
                fmt::format("the file is not UTF-8: byte 0x{:02x} here begins no UTF-8 character",
                            static_cast<unsigned char>(text[bad])),
                "save the pipeline file as UTF-8");
    return Node{};
  }
  try {
    return convert(Source{file, text, diags}, YAML::Load(text));
  } catch (const YAML::Exception& e) {
    diags.error(loc_of(file, e.mark, 1), "invalid YAML: " + e.msg, yaml_hint(e.msg));
    return Node{};
  }
}

Node scalar_from_command_line(const std::string& text, const Loc& loc) {
  Diagnostics ignored;
  Node n = read_yaml(loc.file, text, ignored);
  // A value such as "[128, 64]" arrives as a list; anything unparsable stays a string.
  if (n.is_null() && !text.empty()) {
    n.kind = Node::Kind::kScalar;
    n.text = text;
  }
  auto relocate = [&](auto& self, Node& node) -> void {
    node.loc = loc;
    for (auto& i : node.items) self(self, i);
    for (auto& [k, v] : node.entries) {
      self(self, k);
      self(self, v);
    }
  };
  relocate(relocate, n);
  return n;
}

}  // namespace pipeml::dsl
