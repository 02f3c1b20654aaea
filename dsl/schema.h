// An op's parameter schema: the one description that drives validation, `pipe plan`,
// `pipe ops` and the generated docs. Each op declares its own beside its code.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/value.h"

namespace pipeml::dsl {

/// Where in a pipeline an op may stand. Data ops form the `data:` list; layers stand in a
/// model's `layers:` list; each other kind fills the section of the same name.
enum class OpKind { kData, kModel, kLoss, kOptimizer, kScheduler, kTrain, kEvaluate, kLayer };

struct OpSchema;

/// "data", "model", "loss", ... — the section name in the pipeline file.
const char* kind_name(OpKind k);

/// One parameter: name, type, default, allowed range or choices, and a one-line doc.
/// Declared fluently, TORCH_ARG style:
///   ParamSpec::integer("k_neighbors", 5).min(1).doc("neighbours to interpolate towards")
struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kString;
  Value default_value;  ///< unset: required, unless optional() was called
  bool optional_ = false;
  std::optional<double> min_, max_;
  bool min_exclusive_ = false, max_exclusive_ = false;
  std::vector<std::string> choices;  ///< kEnum, or the string forms of kStringOrNumber[OrMap] / kStringOrList
  std::string doc_;
  std::string unset_text_ = "none";  ///< how an unset optional value reads ("pipeline seed")
  /// kGroup: the options of the mapping, as a schema named after the parameter.
  std::shared_ptr<const OpSchema> group_;
  std::optional<OpKind> stage_kind;  ///< kStages of another kind than the op's own

  static ParamSpec boolean(std::string name, bool def) { return make(std::move(name), ParamType::kBool, def); }
  static ParamSpec integer(std::string name, Value def = {}) { return make(std::move(name), ParamType::kInt, def); }
  static ParamSpec number(std::string name, Value def = {}) { return make(std::move(name), ParamType::kFloat, def); }
  static ParamSpec string(std::string name, Value def = {}) { return make(std::move(name), ParamType::kString, def); }
  static ParamSpec path(std::string name) { return make(std::move(name), ParamType::kPath, {}); }
  static ParamSpec enumeration(std::string name, std::vector<std::string> choices, Value def = {}) {
    ParamSpec p = make(std::move(name), ParamType::kEnum, def);
    p.choices = std::move(choices);
    return p;
  }
  static ParamSpec int_list(std::string name, Value def = {}) { return make(std::move(name), ParamType::kIntList, def); }
  static ParamSpec float_list(std::string name, Value def = {}) { return make(std::move(name), ParamType::kFloatList, def); }
  static ParamSpec string_list(std::string name, Value def = {}) { return make(std::move(name), ParamType::kStringList, def); }
  static ParamSpec string_or_number(std::string name, std::vector<std::string> choices, Value def) {
    ParamSpec p = make(std::move(name), ParamType::kStringOrNumber, def);
    p.choices = std::move(choices);
    return p;
  }
  /// A string from `choices`, a number (in the range set by min/max) or a mapping of names
  /// to counts (whole numbers >= 0): imblearn's sampling_strategy for over- and under-samplers.
  static ParamSpec string_number_or_map(std::string name, std::vector<std::string> choices, Value def) {
    ParamSpec p = make(std::move(name), ParamType::kStringOrNumberOrMap, def);
    p.choices = std::move(choices);
    return p;
  }
  /// A string from `choices` or a list of names: imblearn's sampling_strategy for cleaners.
  static ParamSpec string_or_list(std::string name, std::vector<std::string> choices, Value def) {
    ParamSpec p = make(std::move(name), ParamType::kStringOrList, def);
    p.choices = std::move(choices);
    return p;
  }

  /// A list of stages of the op's own kind, each a mapping with 'op:' and its parameters,
  /// read and checked like any stage into Stage::children (sequential_lr's schedulers).
  static ParamSpec stages(std::string name) { return make(std::move(name), ParamType::kStages, {}); }
  /// A list of stages of another kind (a model's or a residual block's layers), which may
  /// nest (a residual block inside another).
  static ParamSpec stages(std::string name, OpKind kind) {
    ParamSpec p = make(std::move(name), ParamType::kStages, {});
    p.stage_kind = kind;
    return p;
  }

  /// A mapping of options, each declared like a parameter (`early_stopping: {monitor: val_loss,
  /// patience: 5}`), read and checked into Stage::group(name); `true` takes every option's
  /// default, `false` (or leaving it out) turns it off. Optional: off unless given.
  static ParamSpec group(std::string name, std::vector<ParamSpec> options);

  ParamSpec& min(double v, bool exclusive = false) { min_ = v; min_exclusive_ = exclusive; return *this; }
  ParamSpec& max(double v, bool exclusive = false) { max_ = v; max_exclusive_ = exclusive; return *this; }
  /// May stay unset; `unset_text` says what that means ("pipeline seed", "none").
  ParamSpec& optional(std::string unset_text = "none") { optional_ = true; unset_text_ = std::move(unset_text); return *this; }
  ParamSpec& doc(std::string d) { doc_ = std::move(d); return *this; }

  bool required() const { return !default_value.is_set() && !optional_; }
  /// "[1, inf)", "(0, 1]", or "" when unbounded — for errors and `pipe ops`.
  std::string range_text() const;
  /// "int in [1, inf)", "one of 'mean', 'median'", "'auto', ..., or a number in (0, 1]":
  /// what `pipe ops` and docs/ops.md show as the type.
  std::string type_text() const;
  /// The default as the user would write it, or "required" / the unset text.
  std::string default_text() const;

 private:
  static ParamSpec make(std::string name, ParamType t, Value def) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = t;
    p.default_value = std::move(def);
    return p;
  }
};

/// An op's whole schema.
struct OpSchema {
  std::string name;  ///< as written after `op:`, snake_case like torch.nn / sklearn names
  OpKind kind = OpKind::kData;
  std::string doc;   ///< one line
  std::vector<ParamSpec> params;

  const ParamSpec* param(const std::string& n) const {
    for (const auto& p : params)
      if (p.name == n) return &p;
    return nullptr;
  }
  std::vector<std::string> param_names() const {
    std::vector<std::string> names;
    for (const auto& p : params) names.push_back(p.name);
    return names;
  }
};

/// What the parser needs of the op registry, so that dsl/ does not depend on ops/.
class SchemaLookup {
 public:
  virtual ~SchemaLookup() = default;
  virtual const OpSchema* find(const std::string& name) const = 0;
  /// Every op of a kind, in registration order.
  virtual std::vector<const OpSchema*> of_kind(OpKind kind) const = 0;
};

}  // namespace pipeml::dsl
