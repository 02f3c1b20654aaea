// Pipeline file structure: top-level keys, the data list, one section per other op kind.
// Every check adds to `diags` and parsing goes on, so one pass reports every mistake.
#include "dsl/pipeline.h"

#include <algorithm>
#include <map>
#include <set>

#include "dsl/ast.h"
#include "dsl/overrides.h"
#include "dsl/param_reader.h"

namespace pipeml::dsl {
namespace {

std::vector<std::string> names_of(const std::vector<const OpSchema*>& ops) {
  std::vector<std::string> names;
  for (const auto* o : ops) names.push_back(o->name);
  return names;
}

// "a model op", "an optimizer op".
std::string with_article(const std::string& noun) {
  return (std::string("aeiou").find(noun.front()) == std::string::npos ? "a " : "an ") + noun;
}

// The key node of `key` in a mapping: where a section is named, even when its value is empty.
const Node* key_of(const Node& map, const std::string& key) {
  for (const auto& [k, v] : map.entries)
    if (k.text == key) return &k;
  return nullptr;
}

// "for example 'model: {op: mlp}'" (or 'train: {epochs: 10}' where the op is implied):
// how to write a section that is missing or empty.
std::string section_example(const SectionInfo& sec, const SchemaLookup& ops) {
  std::string body = "op: NAME";
  if (const OpSchema* implied = sec.default_op ? ops.find(sec.default_op) : nullptr; implied && !implied->params.empty())
    body = implied->params.front().name + ": " + implied->params.front().default_text();
  else if (const auto all = ops.of_kind(sec.kind); !all.empty())
    body = "op: " + all.front()->name;
  return std::string("for example '") + sec.key + ": {" + body + "}'";
}

class Parser {
 public:
  Parser(const SchemaLookup& ops, Diagnostics& diags) : ops_(ops), diags_(diags) {}

  // Reads one stage mapping; `kind` says which ops may stand here.
  // `may_switch`: the stage may carry `enabled:` (a data stage, the scheduler).
  std::optional<Stage> stage(const Node& n, OpKind kind, const std::string& section, const char* default_op,
                             bool may_switch = false) {
    if (!n.is_map()) {
      // A bare name is most likely the op itself: show the mapping it should be.
      std::string note = "write it as 'op: NAME' followed by its parameters";
      if (n.is_scalar() && section == "data") note = "write it as '- op: " + n.text + "'";
      else if (n.is_scalar()) note = "write it as '" + section + ": {op: " + n.text + "}', or 'op: " + n.text + "' indented on the next line";
      diags_.error(n.loc, std::string("expected a mapping for the ") + section + " stage, got " + n.describe(), note);
      return std::nullopt;
    }
    Stage s;
    s.section = section;
    s.loc = n.loc;
    const Node* op = n.find("op");
    const std::string kind_text = kind == OpKind::kData ? "data op" : kind_name(kind);
    const auto candidates = names_of(ops_.of_kind(kind));
    if (op == nullptr && default_op != nullptr) {
      s.schema = ops_.find(default_op);
      s.op_loc = n.loc;
    } else if (op == nullptr || !op->is_scalar()) {
      diags_.error(op ? op->loc : n.loc, "the " + section + " stage needs 'op:' naming a " + kind_text,
                   "expected " + quoted_list(candidates));
      return std::nullopt;
    } else {
      s.op_loc = op->loc;
      s.schema = ops_.find(op->text);
      if (s.schema == nullptr || s.schema->kind != kind) {
        std::string msg = "unknown " + kind_text + " '" + op->text + "'" + did_you_mean(op->text, candidates);
        if (s.schema != nullptr)  // a real op, in the wrong place: say where it belongs
          msg = "'" + op->text + "' is " + with_article(std::string(kind_name(s.schema->kind)) + " op") + ", not " +
                with_article(kind == OpKind::kData ? kind_text : kind_text + " op") + " \u2014 it belongs " +
                (s.schema->kind == OpKind::kLayer ? std::string("in the 'layers:' list of a 'sequential' model")
                                                  : std::string("in the '") + kind_name(s.schema->kind) + "' section");
        diags_.error(op->loc, msg, "expected " + quoted_list(candidates));
        return std::nullopt;
      }
    }
    const Node* id = n.find("id");
    s.id = kind != OpKind::kData ? section : (id && id->is_scalar() ? id->text : s.schema->name);
    if (id && kind != OpKind::kData) diags_.error(id->loc, "only data stages take an 'id:'; this one is called '" + section + "'");
    if (const Node* enabled = n.find("enabled")) {
      if (!may_switch)
        diags_.error(enabled->loc, "only data stages and the scheduler can be switched off; the " + section + " stage is always needed",
                     "take 'enabled:' out");
      else if (auto on = read_param(enabled_setting(), *enabled, s.schema->name, diags_))
        s.enabled = on->as_bool();
    }
    read_params(n, s);
    return s;
  }

 private:
  void read_params(const Node& n, Stage& s) {
    bool ok = true;
    std::map<std::string, int> seen;  // name -> the line it is first given on
    for (const auto& [key, value] : n.entries) {
      if (key.text == "op" || key.text == "id" || key.text == "enabled") continue;
      if (!seen.emplace(key.text, key.loc.line).second) {
        diags_.error(key.loc, "parameter '" + key.text + "' is given twice (first on line " +
                                  std::to_string(seen[key.text]) + ")", "keep one of them");
        continue;
      }
      if (s.schema->param(key.text) == nullptr) {
        const auto names = s.schema->param_names();
        diags_.error(key.loc,
                     "unknown parameter '" + key.text + "' for '" + s.schema->name + "'" + did_you_mean(key.text, names),
                     names.empty() ? "'" + s.schema->name + "' takes no parameters"
                                   : "'" + s.schema->name + "' takes " + quoted_list(names, "and"));
        ok = false;
      }
    }
    for (const auto& spec : s.schema->params) {
      Param p;
      p.loc = s.loc;
      p.value = spec.default_value;
      if (const Node* v = n.find(spec.name)) {
        p.loc = v->loc;
        p.is_default = false;
        if (v->is_null() && spec.optional_) {
          p.value = Value();
        } else if (spec.type == ParamType::kStages) {
          if (!read_children(spec, *v, s, p)) ok = false;
        } else if (spec.type == ParamType::kGroup) {
          if (!read_group(spec, *v, s, p)) ok = false;
        } else if (auto typed = read_param(spec, *v, s.schema->name, diags_)) {
          p.value = *typed;
          for (const auto& [key, value] : v->entries) p.item_locs.push_back(key.loc);
          for (const auto& item : v->items) p.item_locs.push_back(item.loc);
          if (!v->is_seq() && !v->is_map()) p.item_locs.push_back(v->loc);  // a single value: its own place
        } else {
          ok = false;
        }
      } else if (spec.required()) {
        diags_.error(s.op_loc, "'" + s.schema->name + "' needs parameter '" + spec.name + "'",
                     spec.name + ": " + spec.doc_);
        ok = false;
      }
      s.params.emplace_back(spec.name, p);
    }
    (void)ok;
  }

  // A kGroup parameter: a mapping of options read against the group's schema like a stage's
  // parameters, or true (every option's default) or false (off).
  bool read_group(const ParamSpec& spec, const Node& v, Stage& s, Param& p) {
    Node options;
    options.kind = Node::Kind::kMap;
    options.loc = v.loc;
    if (v.is_scalar()) {
      auto on = read_param(ParamSpec::boolean(spec.name, false), v, s.schema->name, diags_);
      if (!on) return false;
      if (!on->as_bool()) {
        p.value = Value();
        return true;
      }
    } else if (v.is_map()) {
      options = v;
    } else {
      diags_.error(v.loc, "expected a mapping of options for '" + spec.name + "', got " + v.describe(),
                   "'" + spec.name + "' takes " + quoted_list(spec.group_->param_names(), "and") + ", or true for their defaults");
      return false;
    }
    Stage g;
    g.id = spec.name;
    g.section = s.section;
    g.schema = spec.group_.get();
    g.loc = g.op_loc = v.loc;
    read_params(options, g);
    for (const auto& [key, value] : options.entries) p.item_locs.push_back(key.loc);
    p.value = Value(true);
    s.groups.push_back(std::move(g));
    return true;
  }

  // A kStages parameter: a list of stages of the same kind (or of spec.stage_kind), each read
  // like a section's stage, with its own 'op:' and parameters. Nesting stops at one level,
  // but for layers (a residual block's layers may hold another residual block).
  bool read_children(const ParamSpec& spec, const Node& v, Stage& s, Param& p) {
    const OpKind kind = spec.stage_kind.value_or(s.schema->kind);
    const std::string what = std::string(kind_name(kind)) + "s";
    if (!v.is_seq() || v.items.empty()) {
      diags_.error(v.loc, "expected a list of " + what + " for '" + spec.name + "', got " + v.describe(),
                   "write each as '- op: NAME' followed by its parameters, one under the other");
      return false;
    }
    std::vector<std::string> names;
    bool ok = true;
    for (const Node& item : v.items) {
      p.item_locs.push_back(item.loc);
      auto child = stage(item, kind, s.section, nullptr);
      if (!child) {
        ok = false;
        continue;
      }
      if (kind != OpKind::kLayer && child->schema->param(spec.name) &&
          child->schema->param(spec.name)->type == ParamType::kStages) {
        diags_.error(child->op_loc, "'" + child->op() + "' cannot stand inside '" + s.op() + "'",
                     "list the " + what + " of both in one '" + s.op() + "'");
        ok = false;
        continue;
      }
      names.push_back(child->op());
      s.children.push_back(std::move(*child));
    }
    p.value = Value(names);
    return ok;
  }

  const SchemaLookup& ops_;
  Diagnostics& diags_;
};

std::string stem_of(const std::string& file) {
  std::string base = file.substr(file.find_last_of('/') + 1);
  return base.substr(0, base.find('.'));
}

}  // namespace

const Param& Stage::param(const std::string& name) const {
  for (const auto& [n, p] : params)
    if (n == name) return p;
  static const Param kUnset;
  return kUnset;
}

const Stage* Stage::group(const std::string& name) const {
  for (const auto& g : groups)
    if (g.id == name) return &g;
  return nullptr;
}

std::vector<const Stage*> Pipeline::stages() const {
  std::vector<const Stage*> out;
  for (const auto& s : data) out.push_back(&s);
  for (const Stage* s : {&model, &loss, &optimizer}) out.push_back(s);
  if (scheduler) out.push_back(&*scheduler);
  out.push_back(&train);
  out.push_back(&evaluate);
  return out;
}

std::string Pipeline::resolve(const std::string& path) const {
  if (path.empty() || path.front() == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

const std::vector<SectionInfo>& pipeline_sections() {
  static const std::vector<SectionInfo> sections = {
      {"model", OpKind::kModel, true, nullptr},
      {"loss", OpKind::kLoss, true, nullptr},
      {"optimizer", OpKind::kOptimizer, true, nullptr},
      {"scheduler", OpKind::kScheduler, false, nullptr},
      {"train", OpKind::kTrain, true, "train"},
      {"evaluate", OpKind::kEvaluate, false, "evaluate"},
  };
  return sections;
}

const ParamSpec& seed_setting() {
  static const ParamSpec spec =
      ParamSpec::integer("seed", 42).min(0).doc("seeds every random stage that sets none of its own");
  return spec;
}

const ParamSpec& device_setting() {
  static const ParamSpec spec = ParamSpec::enumeration("device", {"auto", "cpu", "cuda"}, "auto")
                                    .doc("where to train: cpu, cuda, or auto (cuda when there is one)");
  return spec;
}

const ParamSpec& enabled_setting() {
  static const ParamSpec spec =
      ParamSpec::boolean("enabled", true).doc("false: the stage is checked, then left out (a variant without it)");
  return spec;
}

const std::vector<std::string>& pipeline_keys() {
  static const std::vector<std::string> keys = {"pipeline", "description", "seed", "device", "data", "model",
                                                "loss", "optimizer", "scheduler", "train", "evaluate", "variants"};
  return keys;
}

std::optional<Pipeline> parse_pipeline(const std::string& file, const std::string& text,
                                       const SchemaLookup& ops, const Overrides& overrides,
                                       Diagnostics& diags) {
  diags.add_source(file, text);
  const std::size_t errors_before = diags.size();
  Node root = read_yaml(file, text, diags);
  if (diags.size() > errors_before) return std::nullopt;
  if (root.is_null()) {  // nothing but blanks and comments: there is no line to point at
    diags.error(Loc{file, 0, 0, 1}, "the pipeline file is empty",
                "a pipeline has at least 'data', 'model', 'loss', 'optimizer' and 'train' (see pipelines/heart.yaml)");
    return std::nullopt;
  }
  if (!root.is_map()) {
    diags.error(root.loc, "expected a mapping of sections (pipeline, data, model, ...), got " + root.describe(),
                "write each section as 'NAME:' at the start of a line; the data stages are a list under 'data:'");
    return std::nullopt;
  }
  std::vector<Variant> variants;
  if (const Node* n = root.find("variants")) variants = read_variants(*n, diags);
  apply_overrides(root, variants, overrides, diags);

  Pipeline p;
  p.file = file;
  const auto slash = file.find_last_of('/');
  p.dir = slash == std::string::npos ? "." : file.substr(0, slash);
  p.name = stem_of(file);
  for (const Variant& v : variants) p.variant_names.push_back(v.name.text);
  if (overrides.variant) p.variant = *overrides.variant;
  Parser parser(ops, diags);

  // A misspelt section is reported once, as unknown with its correction, not a second
  // time as missing.
  std::set<std::string> misspelt;
  std::map<std::string, int> seen;  // key -> the line it is first given on
  for (const auto& [key, value] : root.entries) {
    const auto& keys = pipeline_keys();
    if (!seen.emplace(key.text, key.loc.line).second) {
      diags.error(key.loc, "'" + key.text + "' is given twice (first on line " + std::to_string(seen[key.text]) + ")",
                  "keep one of them");
    } else if (std::find(keys.begin(), keys.end(), key.text) == keys.end()) {
      diags.error(key.loc, "unknown section '" + key.text + "'" + did_you_mean(key.text, keys),
                  "a pipeline has " + quoted_list(keys, "and"));
      misspelt.insert(closest(key.text, keys));
    }
  }
  if (const Node* n = root.find("pipeline")) {
    if (n->is_scalar()) p.name = n->text;
    else diags.error(n->loc, "expected a name for 'pipeline', got " + n->describe());
  }
  if (const Node* n = root.find("seed")) {
    p.seed_loc = n->loc;
    if (auto v = read_param(seed_setting(), *n, "", diags))
      p.seed = v->as_int();
  } else {
    p.seed_loc = Loc{file, 1, 1, 1};
    p.seed = seed_setting().default_value.as_int();
  }
  if (const Node* n = root.find("device")) {
    p.device_loc = n->loc;
    if (auto v = read_param(device_setting(), *n, "", diags))
      p.device = v->as_string();
  }

  // A missing section has no line of its own: the error is about the whole file.
  const Node* data = root.find("data");
  if (data == nullptr) {
    if (!misspelt.count("data"))
      diags.error(Loc{file, 0, 0, 1}, "the pipeline has no 'data' section",
                  "start it with 'data:' and a list of stages beginning with '- op: load_csv'");
  } else if (!data->is_seq() || data->items.empty()) {
    // yaml-cpp places an empty value at the next token: point at the key instead.
    diags.error(data->is_null() ? key_of(root, "data")->loc : data->loc,
                "expected a list of stages under 'data', got " + data->describe(),
                "start it with '- op: load_csv' on the next line");
  } else {
    std::map<std::string, int> ids;  // id -> the line of the stage that has it
    for (const Node& item : data->items) {
      auto s = parser.stage(item, OpKind::kData, "data", nullptr, true);
      if (!s) continue;
      if (!ids.emplace(s->id, s->loc.line).second)
        diags.error(s->loc, "two data stages are called '" + s->id + "' (the other is on line " + std::to_string(ids[s->id]) + ")",
                    "give one of them an 'id:' of its own");
      if (s->enabled) p.data.push_back(std::move(*s));
      else p.switched_off.push_back(s->id);
    }
  }

  for (const auto& sec : pipeline_sections()) {
    const Node* n = root.find(sec.key);
    std::optional<Stage> s;
    Node empty;
    empty.kind = Node::Kind::kMap;
    if (n != nullptr && n->is_null() && sec.default_op != nullptr) {
      empty.loc = key_of(root, sec.key)->loc;  // 'train:' alone: every parameter at its default
      s = parser.stage(empty, sec.kind, sec.key, sec.default_op);
    } else if (n != nullptr && n->is_null()) {
      diags.error(key_of(root, sec.key)->loc, std::string("the '") + sec.key + "' section is empty",
                  section_example(sec, ops));
    } else if (n != nullptr) {
      s = parser.stage(*n, sec.kind, sec.key, sec.default_op, sec.kind == OpKind::kScheduler);
    } else if (sec.default_op != nullptr && !sec.required) {
      empty.loc = Loc{file, 1, 1, 1};
      s = parser.stage(empty, sec.kind, sec.key, sec.default_op);
    } else if (sec.required && !misspelt.count(sec.key)) {
      diags.error(Loc{file, 0, 0, 1}, std::string("the pipeline has no '") + sec.key + "' section",
                  "add one, " + section_example(sec, ops));
    }
    if (!s) continue;
    if (!s->enabled) {
      p.switched_off.push_back(s->id);
      continue;
    }
    switch (sec.kind) {
      case OpKind::kModel: p.model = std::move(*s); break;
      case OpKind::kLoss: p.loss = std::move(*s); break;
      case OpKind::kOptimizer: p.optimizer = std::move(*s); break;
      case OpKind::kScheduler: p.scheduler = std::move(*s); break;
      case OpKind::kTrain: p.train = std::move(*s); break;
      case OpKind::kEvaluate: p.evaluate = std::move(*s); break;
      default: break;
    }
  }
  if (diags.size() > errors_before) return std::nullopt;
  return p;
}

}  // namespace pipeml::dsl
