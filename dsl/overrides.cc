#include "dsl/overrides.h"

#include <map>

namespace pipeml::dsl {
namespace {

const char* const kSectionKeys[] = {"model", "loss", "optimizer", "scheduler", "train", "evaluate"};

Node key_node(const std::string& text, const Loc& loc) {
  Node k;
  k.kind = Node::Kind::kScalar;
  k.text = text;
  k.loc = loc;
  return k;
}

// Sets `key` of a mapping, replacing what the file had; a new key is placed at `key_loc`.
void set_entry(Node& map, const std::string& key, Node value, const Loc& key_loc) {
  if (Node* existing = map.find(key)) {
    *existing = std::move(value);
    return;
  }
  map.entries.emplace_back(key_node(key, key_loc), std::move(value));
}

// The stage mapping that `id` names: a data stage's id or op, or a section name.
Node* find_stage(Node& root, const std::string& id, std::vector<std::string>& known) {
  Node* found = nullptr;
  if (Node* data = root.find("data"); data && data->is_seq()) {
    for (Node& item : data->items) {
      if (!item.is_map()) continue;
      const Node* explicit_id = item.find("id");
      const Node* op = item.find("op");
      const std::string name = explicit_id ? explicit_id->text : (op ? op->text : "");
      known.push_back(name);
      if (name == id && !found) found = &item;
    }
  }
  for (const char* key : kSectionKeys) {
    known.emplace_back(key);
    if (id == key) {
      Node* sec = root.find(key);
      if (sec == nullptr) {  // --set may fill a section the file leaves to defaults
        Node empty;
        empty.kind = Node::Kind::kMap;
        root.entries.emplace_back(key_node(key, Loc{}), empty);
        sec = &root.entries.back().second;
      }
      if (sec->is_map()) found = sec;
    }
  }
  return found;
}

// One change, 'STAGE.PARAM' to `value`, from --set or a variant; `loc` is where the path
// is written. STAGE.GROUP.OPTION sets one option of a mapping (train.early_stopping.patience=5),
// turning the group on when the file has it off or as `true`.
void apply_change(Node& root, const std::string& path, const Loc& loc, Node value, Diagnostics& diags) {
  const auto dot = path.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == path.size()) {
    diags.error(loc, "expected STAGE.PARAM, for example 'smote.enabled', got '" + path + "'");
    return;
  }
  const std::string stage = path.substr(0, dot);
  std::vector<std::string> known;
  Node* into = find_stage(root, stage, known);
  if (into == nullptr) {
    diags.error(loc, "no stage called '" + stage + "'" + did_you_mean(stage, known), "the stages are " + quoted_list(known, "and"));
    return;
  }
  // Unknown parameter names are reported by the stage parser, against the op's schema.
  std::string name = path.substr(dot + 1);
  for (auto d = name.find('.'); d != std::string::npos; d = name.find('.')) {
    const std::string group = name.substr(0, d);
    Node* g = into->find(group);
    if (g == nullptr || !g->is_map()) {
      Node empty;
      empty.kind = Node::Kind::kMap;
      empty.loc = loc;
      set_entry(*into, group, empty, loc);
      g = into->find(group);
    }
    into = g;
    name = name.substr(d + 1);
  }
  set_entry(*into, name, std::move(value), loc);
}

}  // namespace

std::vector<Variant> read_variants(const Node& variants, Diagnostics& diags) {
  std::vector<Variant> out;
  if (!variants.is_map() || variants.entries.empty()) {
    diags.error(variants.loc, "expected a mapping of variant names under 'variants', got " + variants.describe(),
                "write each as 'NAME: {STAGE.PARAM: VALUE, ...}', for example 'no_smote: {smote.enabled: false}'");
    return out;
  }
  std::map<std::string, int> seen;  // name -> the line it is first given on
  for (const auto& [name, changes] : variants.entries) {
    if (!seen.emplace(name.text, name.loc.line).second) {
      diags.error(name.loc, "variant '" + name.text + "' is given twice (first on line " + std::to_string(seen[name.text]) + ")",
                  "give each variant a name of its own");
      continue;
    }
    Variant v{name, {}};
    if (changes.is_map()) {
      v.changes = changes.entries;
    } else if (!changes.is_null()) {  // an empty variant is the file as written
      diags.error(changes.loc, "expected a mapping of changes for variant '" + name.text + "', got " + changes.describe(),
                  "write each change as 'STAGE.PARAM: VALUE', for example 'smote.enabled: false'; leave it empty for the file as written");
      continue;
    }
    out.push_back(std::move(v));
  }
  return out;
}

void report_unknown_variant(const std::string& name, const std::vector<std::string>& declared, Diagnostics& diags) {
  const Loc loc{"--variant " + name, 0, 0, 1};
  if (declared.empty())
    diags.error(loc, "the pipeline declares no variants", "declare them under 'variants:' (see docs/sweep.md)");
  else
    diags.error(loc, "no variant called '" + name + "'" + did_you_mean(name, declared), "the variants are " + quoted_list(declared, "and"));
}

void apply_overrides(Node& root, const std::vector<Variant>& variants, const Overrides& overrides, Diagnostics& diags) {
  if (overrides.variant) {
    const Variant* chosen = nullptr;
    std::vector<std::string> names;
    for (const Variant& v : variants) {
      names.push_back(v.name.text);
      if (v.name.text == *overrides.variant) chosen = &v;
    }
    if (chosen != nullptr)
      for (const auto& [path, value] : chosen->changes) apply_change(root, path.text, path.loc, value, diags);
    else
      report_unknown_variant(*overrides.variant, names, diags);
  }
  for (const std::string& set : overrides.sets) {
    const Loc loc{"--set " + set, 0, 0, 1};
    const auto eq = set.find('=');
    const auto dot = set.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq) {
      diags.error(loc, "expected STAGE.PARAM=VALUE, for example 'smote.k_neighbors=3'");
      continue;
    }
    apply_change(root, set.substr(0, eq), loc, scalar_from_command_line(set.substr(eq + 1), loc), diags);
  }
  if (overrides.seed) {
    const Loc loc{"--seed", 0, 0, 1};
    set_entry(root, "seed", scalar_from_command_line(std::to_string(*overrides.seed), loc), loc);
  }
  if (overrides.device) {
    const Loc loc{"--device", 0, 0, 1};
    set_entry(root, "device", scalar_from_command_line(*overrides.device, loc), loc);
  }
}

}  // namespace pipeml::dsl
