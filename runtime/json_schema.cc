#include "runtime/json_schema.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "dsl/pipeline.h"

namespace pipeml {
namespace {

using json = nlohmann::ordered_json;
using dsl::OpKind;
using dsl::ParamSpec;
using dsl::ParamType;

const OpKind kKinds[] = {OpKind::kData,      OpKind::kModel, OpKind::kLoss,     OpKind::kOptimizer,
                         OpKind::kScheduler, OpKind::kTrain, OpKind::kEvaluate, OpKind::kLayer};

// Where each kind's stage schema lives; a stage list of that kind refers to it.
std::string stage_def(OpKind kind) { return std::string("stage:") + dsl::kind_name(kind); }
std::string op_def(const std::string& op) { return "op:" + op; }
// A stage list of the op's own kind (sequential_lr's schedulers) holds no op that has such
// a list itself: the DSL reads one level of them.
std::string nested_stage_def(OpKind kind, const std::string& param) {
  return stage_def(kind) + " in " + param;
}
bool has_own_stages(const dsl::OpSchema& op, const std::string& param) {
  const ParamSpec* p = op.param(param);
  return p && p->type == ParamType::kStages && !p->stage_kind;
}
json ref_to(const std::string& def) { return {{"$ref", "#/definitions/" + def}}; }

// The YAML forms of a scalar: the DSL reads any of them as text where it wants a string
// (`target: 13`), so the schema must not flag them.
json scalar_types() { return json::array({"string", "number", "boolean"}); }

// The DSL takes true/True/yes and false/False/no; YAML 1.2 editors read yes/no as strings.
json boolean_schema() { return {{"enum", json::array({true, false, "yes", "no"})}}; }

// A choice as YAML may type it: "32" written unquoted is the integer 32, which the DSL
// reads as the text "32", so both forms are allowed.
json choice_values(const std::vector<std::string>& choices) {
  json values = json::array();
  for (const auto& c : choices) {
    values.push_back(c);
    if (c.empty()) continue;
    char* end = nullptr;
    errno = 0;
    const long long i = std::strtoll(c.c_str(), &end, 10);
    if (errno == 0 && *end == '\0') {
      values.push_back(i);
      continue;
    }
    const double d = std::strtod(c.c_str(), &end);
    if (errno == 0 && *end == '\0' && std::isfinite(d) && c.find_first_of("nNxX") == std::string::npos)
      values.push_back(d);
  }
  return values;
}

// A whole bound as an integer: editors and validators print "the minimum of 1", not 1.0.
json bound(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) return static_cast<std::int64_t>(v);
  return v;
}

void add_range(json& s, const ParamSpec& spec) {
  if (spec.min_) s[spec.min_exclusive_ ? "exclusiveMinimum" : "minimum"] = bound(*spec.min_);
  if (spec.max_) s[spec.max_exclusive_ ? "exclusiveMaximum" : "maximum"] = bound(*spec.max_);
}

json number_schema(const ParamSpec& spec, const char* type) {
  json s = {{"type", type}};
  add_range(s, spec);
  return s;
}

// The default as JSON, or null when there is none JSON can hold (unset, infinite).
struct DefaultJson {
  json operator()(std::monostate) const { return nullptr; }
  json operator()(double d) const { return std::isfinite(d) ? json(d) : json(nullptr); }
  json operator()(const dsl::NamedCounts& m) const {
    json out = json::object();
    for (const auto& [name, count] : m) out[name] = count;
    return out;
  }
  template <typename T>
  json operator()(const T& t) const { return json(t); }
};

// An optional parameter may be written as null (`seed: ~`) to leave it unset.
void allow_null(json& s) {
  if (s.contains("type")) {
    if (s["type"].is_string()) s["type"] = json::array({s["type"]});
    s["type"].push_back("null");
  } else if (s.contains("enum")) {
    s["enum"].push_back(nullptr);
  } else if (s.contains("anyOf")) {
    s["anyOf"].push_back({{"type", "null"}});
  }
}

json object_of(const std::vector<ParamSpec>& params, OpKind kind) {
  json props = json::object(), required = json::array();
  for (const auto& p : params) {
    props[p.name] = param_json_schema(p, kind);
    if (p.required()) required.push_back(p.name);
  }
  json s = {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

// The forms of each type, as param_reader.cc reads them.
json forms(const ParamSpec& spec, OpKind kind) {
  switch (spec.type) {
    case ParamType::kBool: return boolean_schema();
    case ParamType::kInt: return number_schema(spec, "integer");
    case ParamType::kFloat: return number_schema(spec, "number");
    case ParamType::kString:
    case ParamType::kPath: return {{"type", scalar_types()}};
    case ParamType::kEnum: return {{"enum", choice_values(spec.choices)}};
    // A single value where a list is expected is a list of one (`na_values: "?"`); the
    // range applies to every item.
    case ParamType::kIntList:
    case ParamType::kFloatList: {
      const char* item = spec.type == ParamType::kIntList ? "integer" : "number";
      json s = number_schema(spec, item);
      s["type"] = json::array({item, "array"});
      s["items"] = number_schema(spec, item);
      return s;
    }
    case ParamType::kStringList: {
      json types = scalar_types();
      types.push_back("array");
      return {{"type", types}, {"items", {{"type", scalar_types()}}}};
    }
    case ParamType::kStringOrNumber:
      return {{"anyOf", json::array({{{"enum", choice_values(spec.choices)}}, number_schema(spec, "number")})}};
    case ParamType::kStringOrNumberOrMap: {
      const json counts = {{"type", "object"},
                           {"additionalProperties", {{"type", "integer"}, {"minimum", 0}}},
                           {"description", "rows per class: {class: rows}"}};
      return {{"anyOf", json::array({{{"enum", choice_values(spec.choices)}}, number_schema(spec, "number"), counts})}};
    }
    case ParamType::kStringOrList:
      return {{"anyOf", json::array({{{"enum", choice_values(spec.choices)}},
                                     {{"type", "array"}, {"items", {{"type", scalar_types()}}}}})}};
    case ParamType::kStages:
      return {{"type", "array"},
              {"minItems", 1},
              {"items", ref_to(spec.stage_kind ? stage_def(*spec.stage_kind) : nested_stage_def(kind, spec.name))}};
    case ParamType::kGroup:
      // Its options inline: a group belongs to one parameter of one op.
      return {{"anyOf", json::array({object_of(spec.group_->params, kind), boolean_schema()})}};
  }
  return json::object();
}

// "the model: 'op:' naming one of mlp, sequential, and its parameters".
std::string kind_text(OpKind kind) {
  switch (kind) {
    case OpKind::kData: return "a data stage";
    case OpKind::kLayer: return "a layer of a sequential model";
    default: return std::string("the ") + dsl::kind_name(kind) + " section";
  }
}

// A data stage's `id:`, which only data stages take.
json id_schema() {
  return {{"type", scalar_types()},
          {"description", "names the stage for --set STAGE.PARAM=VALUE (default: its op name)"}};
}

// Whether stages of `kind` take `enabled:` (dsl::enabled_setting).
bool switchable(OpKind kind) { return kind == OpKind::kData || kind == OpKind::kScheduler; }

json op_schema(const dsl::OpSchema& op) {
  json s = {{"type", "object"},
            {"description", op.doc},
            {"markdownDescription", "`" + op.name + "` (" + dsl::kind_name(op.kind) + " op): " + op.doc}};
  const json params = object_of(op.params, op.kind);
  // `op:` (and a data stage's `id:`) first, as they are written.
  s["properties"] = {{"op", {{"const", op.name}, {"description", op.doc}}}};
  if (op.kind == OpKind::kData) s["properties"]["id"] = id_schema();
  if (switchable(op.kind)) s["properties"]["enabled"] = param_json_schema(dsl::enabled_setting(), op.kind);
  s["properties"].update(params["properties"]);
  if (params.contains("required")) s["required"] = params["required"];
  s["additionalProperties"] = false;
  return s;
}

// A stage of a kind: `op:` one of the kind's ops (an enum, so names complete), then that
// op's parameters, chosen by `if op is X then op:X` — an editor then completes and checks
// the parameters of the op written, and reports a misspelt one against that op alone.
json stage_schema(OpKind kind, const std::vector<const dsl::OpSchema*>& ops) {
  const char* default_op = nullptr;
  for (const auto& sec : dsl::pipeline_sections())
    if (sec.kind == kind) default_op = sec.default_op;
  json names = json::array(), docs = json::array(), cases = json::array();
  for (const auto* op : ops) {
    names.push_back(op->name);
    docs.push_back(op->doc);
    json when = {{"type", "object"}, {"properties", {{"op", {{"const", op->name}}}}}};
    // Where `op:` may be left out, its absence means the default op.
    if (default_op == nullptr || op->name != default_op) when["required"] = json::array({"op"});
    cases.push_back({{"if", when}, {"then", ref_to(op_def(op->name))}});
  }
  std::string about = kind_text(kind) + ": 'op:' naming " +
                      (kind == OpKind::kData ? std::string("a data op") : std::string("a ") + dsl::kind_name(kind) + " op") +
                      ", and its parameters";
  if (default_op) about += std::string(" ('op: ") + default_op + "' is implied; empty: every parameter at its default)";
  json s = {{"type", default_op ? json::array({"object", "null"}) : json("object")},
            {"description", about},
            {"properties", {{"op", {{"enum", names}, {"enumDescriptions", docs}, {"description", "the op"}}}}}};
  if (kind == OpKind::kData) s["properties"]["id"] = id_schema();
  if (switchable(kind)) s["properties"]["enabled"] = param_json_schema(dsl::enabled_setting(), kind);
  if (!default_op) s["required"] = json::array({"op"});
  s["allOf"] = cases;
  return s;
}

}  // namespace

json param_json_schema(const ParamSpec& spec, OpKind kind) {
  json s = forms(spec, kind);
  if (spec.optional_) allow_null(s);
  if (const json def = std::visit(DefaultJson{}, spec.default_value.v); !def.is_null()) s["default"] = def;
  s["description"] = spec.doc_.empty() ? spec.name : spec.doc_;
  s["markdownDescription"] = (spec.doc_.empty() ? spec.name : spec.doc_) + "\n\n" + spec.type_text() + "; " +
                             (spec.required()                    ? std::string("required")
                              : spec.default_value.is_set() ? "default `" + spec.default_text() + "`"
                                                            : "default: " + spec.default_text());
  return s;
}

json pipeline_json_schema(const dsl::SchemaLookup& ops) {
  json defs = json::object();
  for (const OpKind kind : kKinds) {
    const auto of_kind = ops.of_kind(kind);
    defs[stage_def(kind)] = stage_schema(kind, of_kind);
    for (const auto* op : of_kind) defs[op_def(op->name)] = op_schema(*op);
    for (const auto* op : of_kind)
      for (const auto& p : op->params) {
        if (p.type != ParamType::kStages || p.stage_kind) continue;
        std::vector<const dsl::OpSchema*> inner;
        for (const auto* o : of_kind)
          if (!has_own_stages(*o, p.name)) inner.push_back(o);
        defs[nested_stage_def(kind, p.name)] = stage_schema(kind, inner);
      }
  }

  json props = json::object();
  props["pipeline"] = {{"type", scalar_types()}, {"description", "the pipeline's name, which run directories are named after (default: the file's name)"}};
  props["description"] = {{"description", "a note about the pipeline, for its readers (pipe does not read it)"}};
  props["seed"] = param_json_schema(dsl::seed_setting(), OpKind::kData);
  props["device"] = param_json_schema(dsl::device_setting(), OpKind::kData);
  props["data"] = {{"type", "array"},
                   {"minItems", 1},
                   {"items", ref_to(stage_def(OpKind::kData))},
                   {"description", "the data stages, in order, each '- op: NAME' and its parameters; the first reads the table"}};
  json required = json::array({"data"});
  for (const auto& sec : dsl::pipeline_sections()) {
    props[sec.key] = ref_to(stage_def(sec.kind));
    if (sec.required) required.push_back(sec.key);
  }
  props["variants"] = {
      {"type", "object"},
      {"minProperties", 1},
      {"description", "named variants of the pipeline for 'pipe sweep' and --variant: each a mapping of "
                      "'STAGE.PARAM: VALUE' changes, as --set makes them (empty: the file as written)"},
      {"additionalProperties", {{"type", json::array({"object", "null"})},
                                {"propertyNames", {{"pattern", "^[^.]+\\.[^.].*$"}}}}}};
  // Every key the DSL accepts, and only those, in dsl::pipeline_keys()'s order.
  json ordered = json::object();
  for (const auto& key : dsl::pipeline_keys()) ordered[key] = props.at(key);

  return {{"$schema", "http://json-schema.org/draft-07/schema#"},
          {"title", "pipe pipeline"},
          {"description", "A pipe pipeline file (generated by 'pipe schema' from the ops' schemas; see docs/pipeline.md)"},
          {"type", "object"},
          {"properties", ordered},
          {"required", required},
          {"additionalProperties", false},
          {"definitions", defs}};
}

}  // namespace pipeml
