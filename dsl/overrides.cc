#include "dsl/overrides.h"

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

// Sets `key` of a mapping, replacing what the file had.
void set_entry(Node& map, const std::string& key, Node value) {
  if (Node* existing = map.find(key)) {
    *existing = std::move(value);
    return;
  }
  map.entries.emplace_back(key_node(key, value.loc), std::move(value));
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

}  // namespace

void apply_overrides(Node& root, const Overrides& overrides, Diagnostics& diags) {
  for (const std::string& set : overrides.sets) {
    const Loc loc{"--set " + set, 0, 0, 1};
    const auto eq = set.find('=');
    const auto dot = set.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq) {
      diags.error(loc, "expected STAGE.PARAM=VALUE, for example 'smote.k_neighbors=3'");
      continue;
    }
    const std::string stage = set.substr(0, dot);
    const std::string param = set.substr(dot + 1, eq - dot - 1);
    std::vector<std::string> known;
    Node* target = find_stage(root, stage, known);
    if (target == nullptr) {
      diags.error(loc, "no stage called '" + stage + "'" + did_you_mean(stage, known), "the stages are " + quoted_list(known, "and"));
      continue;
    }
    // Unknown parameter names are reported by the stage parser, against the op's schema.
    // STAGE.GROUP.OPTION sets one option of a mapping (train.early_stopping.patience=5),
    // turning the group on when the file has it off or as `true`.
    std::string name = param;
    Node* into = target;
    for (auto d = name.find('.'); d != std::string::npos; d = name.find('.')) {
      const std::string group = name.substr(0, d);
      Node* g = into->find(group);
      if (g == nullptr || !g->is_map()) {
        Node empty;
        empty.kind = Node::Kind::kMap;
        empty.loc = loc;
        set_entry(*into, group, empty);
        g = into->find(group);
      }
      into = g;
      name = name.substr(d + 1);
    }
    set_entry(*into, name, scalar_from_command_line(set.substr(eq + 1), loc));
  }
  if (overrides.seed)
    set_entry(root, "seed", scalar_from_command_line(std::to_string(*overrides.seed), Loc{"--seed", 0, 0, 1}));
  if (overrides.device)
    set_entry(root, "device", scalar_from_command_line(*overrides.device, Loc{"--device", 0, 0, 1}));
}

}  // namespace pipeml::dsl
