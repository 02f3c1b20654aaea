// Pipeline file structure: top-level keys, the data list, one section per other op kind.
// Every check adds to `diags` and parsing goes on, so one pass reports every mistake.
#include "dsl/pipeline.h"

#include <algorithm>
#include <set>

#include "dsl/ast.h"
#include "dsl/overrides.h"
#include "dsl/param_reader.h"

namespace pipeml::dsl {
namespace {

struct SectionInfo {
  const char* key;
  OpKind kind;
  bool required;
  const char* default_op;  ///< used when the section or its `op:` is left out
};

const SectionInfo kSections[] = {
    {"model", OpKind::kModel, true, nullptr},
    {"loss", OpKind::kLoss, true, nullptr},
    {"optimizer", OpKind::kOptimizer, true, nullptr},
    {"scheduler", OpKind::kScheduler, false, nullptr},
    {"train", OpKind::kTrain, true, "train"},
    {"evaluate", OpKind::kEvaluate, false, "evaluate"},
};

std::vector<std::string> names_of(const std::vector<const OpSchema*>& ops) {
  std::vector<std::string> names;
  for (const auto* o : ops) names.push_back(o->name);
  return names;
}

class Parser {
 public:
  Parser(const SchemaLookup& ops, Diagnostics& diags) : ops_(ops), diags_(diags) {}

  // Reads one stage mapping; `kind` says which ops may stand here.
  std::optional<Stage> stage(const Node& n, OpKind kind, const std::string& section, const char* default_op) {
    if (!n.is_map()) {
      diags_.error(n.loc, std::string("expected a mapping for the ") + section + " stage, got " + n.describe(),
                   std::string("write it as 'op: NAME' followed by its parameters"));
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
        if (s.schema != nullptr)  // a real op, in the wrong place
          msg = "'" + op->text + "' is a " + kind_name(s.schema->kind) + " op, not a " + kind_text;
        diags_.error(op->loc, msg, "expected " + quoted_list(candidates));
        return std::nullopt;
      }
    }
    const Node* id = n.find("id");
    s.id = kind != OpKind::kData ? section : (id && id->is_scalar() ? id->text : s.schema->name);
    if (id && kind != OpKind::kData) diags_.error(id->loc, "only data stages take an 'id:'; this one is called '" + section + "'");
    read_params(n, s);
    return s;
  }

 private:
  void read_params(const Node& n, Stage& s) {
    bool ok = true;
    std::set<std::string> seen;
    for (const auto& [key, value] : n.entries) {
      if (key.text == "op" || key.text == "id") continue;
      if (!seen.insert(key.text).second) {
        diags_.error(key.loc, "parameter '" + key.text + "' is given twice");
        continue;
      }
      if (s.schema->param(key.text) == nullptr) {
        const auto names = s.schema->param_names();
        diags_.error(key.loc,
                     "unknown parameter '" + key.text + "' for '" + s.schema->name + "'" + did_you_mean(key.text, names),
                     names.empty() ? "'" + s.schema->name + "' takes no parameters"
                                   : "'" + s.schema->name + "' takes " + quoted_list(names));
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
        } else if (auto typed = read_param(spec, *v, s.schema->name, diags_)) {
          p.value = *typed;
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

const std::vector<std::string>& pipeline_keys() {
  static const std::vector<std::string> keys = {"pipeline", "description", "seed", "device", "data", "model",
                                                "loss", "optimizer", "scheduler", "train", "evaluate"};
  return keys;
}

std::optional<Pipeline> parse_pipeline(const std::string& file, const std::string& text,
                                       const SchemaLookup& ops, const Overrides& overrides,
                                       Diagnostics& diags) {
  diags.add_source(file, text);
  const std::size_t errors_before = diags.size();
  Node root = read_yaml(file, text, diags);
  if (diags.size() > errors_before) return std::nullopt;
  if (!root.is_map()) {
    diags.error(Loc{file, 1, 1, 1}, "expected a mapping of sections (pipeline, data, model, ...), got " + root.describe());
    return std::nullopt;
  }
  apply_overrides(root, overrides, diags);

  Pipeline p;
  p.file = file;
  const auto slash = file.find_last_of('/');
  p.dir = slash == std::string::npos ? "." : file.substr(0, slash);
  p.name = stem_of(file);
  Parser parser(ops, diags);

  for (const auto& [key, value] : root.entries) {
    const auto& keys = pipeline_keys();
    if (std::find(keys.begin(), keys.end(), key.text) == keys.end())
      diags.error(key.loc, "unknown section '" + key.text + "'" + did_you_mean(key.text, keys),
                  "a pipeline has " + quoted_list(keys));
  }
  if (const Node* n = root.find("pipeline")) {
    if (n->is_scalar()) p.name = n->text;
    else diags.error(n->loc, "expected a name for 'pipeline', got " + n->describe());
  }
  if (const Node* n = root.find("seed")) {
    p.seed_loc = n->loc;
    if (auto v = read_param(ParamSpec::integer("seed").min(0), *n, "pipeline", diags)) p.seed = v->as_int();
  } else {
    p.seed_loc = Loc{file, 1, 1, 1};
  }
  if (const Node* n = root.find("device")) {
    p.device_loc = n->loc;
    if (auto v = read_param(ParamSpec::enumeration("device", {"auto", "cpu", "cuda"}), *n, "pipeline", diags))
      p.device = v->as_string();
  }

  const Node* data = root.find("data");
  if (data == nullptr) {
    diags.error(Loc{file, 1, 1, 1}, "the pipeline has no 'data' section", "start it with 'data:' and a list of stages beginning with 'op: load_csv'");
  } else if (!data->is_seq() || data->items.empty()) {
    diags.error(data->loc, "expected a list of stages under 'data', got " + data->describe());
  } else {
    std::set<std::string> ids;
    for (const Node& item : data->items) {
      auto s = parser.stage(item, OpKind::kData, "data", nullptr);
      if (!s) continue;
      if (!ids.insert(s->id).second)
        diags.error(s->loc, "two data stages are called '" + s->id + "'", "give one of them an 'id:' of its own");
      p.data.push_back(std::move(*s));
    }
  }

  for (const auto& sec : kSections) {
    const Node* n = root.find(sec.key);
    std::optional<Stage> s;
    if (n != nullptr) {
      s = parser.stage(*n, sec.kind, sec.key, sec.default_op);
    } else if (sec.default_op != nullptr && !sec.required) {
      Node empty;
      empty.kind = Node::Kind::kMap;
      empty.loc = Loc{file, 1, 1, 1};
      s = parser.stage(empty, sec.kind, sec.key, sec.default_op);
    } else if (sec.required) {
      diags.error(Loc{file, 1, 1, 1}, std::string("the pipeline has no '") + sec.key + "' section");
    }
    if (!s) continue;
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
