// yaml-cpp to dsl::Node. yaml-cpp marks are 0-based; ours are 1-based like compilers'.
#include <yaml-cpp/yaml.h>

#include "dsl/ast.h"

namespace pipeml::dsl {
namespace {

Loc loc_of(const std::string& file, const YAML::Mark& m, int len) {
  return Loc{file, m.line + 1, m.column + 1, std::max(len, 1)};
}

Node convert(const std::string& file, const YAML::Node& y) {
  Node n;
  switch (y.Type()) {
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::kScalar;
      n.text = y.Scalar();
      // yaml-cpp tags plain scalars "?" and quoted ones "!": only plain ones get typed.
      n.quoted = y.Tag() == "!";
      n.loc = loc_of(file, y.Mark(), static_cast<int>(n.text.size()) + (n.quoted ? 2 : 0));
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::kSeq;
      n.loc = loc_of(file, y.Mark(), 1);
      for (const auto& item : y) n.items.push_back(convert(file, item));
      break;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::kMap;
      n.loc = loc_of(file, y.Mark(), 1);
      for (const auto& kv : y) n.entries.emplace_back(convert(file, kv.first), convert(file, kv.second));
      break;
    default:
      n.kind = Node::Kind::kNull;
      n.loc = loc_of(file, y.Mark(), 1);
      break;
  }
  return n;
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
  switch (kind) {
    case Kind::kScalar: return "'" + text + "'";
    case Kind::kSeq: return "a list";
    case Kind::kMap: return "a mapping";
    default: return "nothing";
  }
}

Node read_yaml(const std::string& file, const std::string& text, Diagnostics& diags) {
  try {
    return convert(file, YAML::Load(text));
  } catch (const YAML::Exception& e) {
    diags.error(loc_of(file, e.mark, 1), "invalid YAML: " + e.msg);
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
