// The pipeline file as a located tree. yaml-cpp stays behind this seam: nothing outside
// dsl/yaml_reader.cc sees a YAML::Node, and every node keeps where it was written.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "dsl/diagnostics.h"

namespace pipeml::dsl {

struct Node {
  enum class Kind { kNull, kScalar, kSeq, kMap };
  Kind kind = Kind::kNull;
  std::string text;     ///< scalar text as written (without quotes)
  bool quoted = false;  ///< a quoted scalar is always a string, never a number or bool
  Loc loc;
  std::vector<Node> items;                     ///< kSeq
  std::vector<std::pair<Node, Node>> entries;  ///< kMap: key node, value node, in file order

  bool is_null() const { return kind == Kind::kNull; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_seq() const { return kind == Kind::kSeq; }
  bool is_map() const { return kind == Kind::kMap; }
  /// The value under `key` of a map, or nullptr.
  const Node* find(const std::string& key) const;
  Node* find(const std::string& key);
  /// A short description for "expected X, got Y" messages: 'text', a list, a mapping.
  std::string describe() const;
};

/// Parses YAML text. On a syntax error adds a located diagnostic and returns a null node.
Node read_yaml(const std::string& file, const std::string& text, Diagnostics& diags);

/// A scalar node made from a command-line value (--set), typed as YAML would type it.
Node scalar_from_command_line(const std::string& text, const Loc& loc);

}  // namespace pipeml::dsl
