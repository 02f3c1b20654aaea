// A typed parameter value, checked against its ParamSpec. Plain C++ (no YAML, no LibTorch).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pipeml::dsl {

/// The types a parameter can have. A path is a string resolved against the pipeline
/// file's folder; an enum is a string from a fixed list; kStringOrNumber takes either
/// (SMOTE's sampling_strategy: 'auto' or a ratio); kStringOrNumberOrMap also takes a
/// mapping of names to counts (imblearn's per-class sampling_strategy, `{0: 200, 1: 200}`);
/// kStringOrList a string from a fixed list or a list of names (a cleaner's classes);
/// kStages a list of nested stages (Stage::children), each checked like a stage.
enum class ParamType {
  kBool,
  kInt,
  kFloat,
  kString,
  kPath,
  kEnum,
  kIntList,
  kFloatList,
  kStringList,
  kStringOrNumber,
  kStringOrNumberOrMap,
  kStringOrList,
  kStages,  ///< a list of stages of the op's own kind (sequential_lr's schedulers); the value is their op names
  kGroup,   ///< a mapping of named options with a schema of their own (train's early_stopping), or true for
            ///< all their defaults; the value is true when on, unset when off (Stage::group has the options)
};

/// The name a user sees in errors and in `pipe ops`.
const char* type_name(ParamType t);

/// A mapping of names to whole numbers, in the order written: `{0: 200, 1: 200}`.
using NamedCounts = std::vector<std::pair<std::string, std::int64_t>>;

/// Unset (no default and not given), or one typed value.
struct Value {
  std::variant<std::monostate, bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
               std::vector<double>, std::vector<std::string>, NamedCounts>
      v;

  Value() = default;
  Value(bool b) : v(b) {}
  Value(int i) : v(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : v(i) {}
  Value(double d) : v(d) {}
  Value(const char* s) : v(std::string(s)) {}
  Value(std::string s) : v(std::move(s)) {}
  Value(std::vector<std::int64_t> l) : v(std::move(l)) {}
  Value(std::vector<double> l) : v(std::move(l)) {}
  Value(std::vector<std::string> l) : v(std::move(l)) {}
  Value(NamedCounts m) : v(std::move(m)) {}

  bool is_set() const { return !std::holds_alternative<std::monostate>(v); }
  bool is_string() const { return std::holds_alternative<std::string>(v); }
  bool as_bool() const { return std::get<bool>(v); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v); }
  /// An int or a float, as a double.
  double as_number() const;
  const std::string& as_string() const { return std::get<std::string>(v); }
  const std::vector<std::int64_t>& as_int_list() const { return std::get<std::vector<std::int64_t>>(v); }
  const std::vector<double>& as_float_list() const { return std::get<std::vector<double>>(v); }
  const std::vector<std::string>& as_string_list() const { return std::get<std::vector<std::string>>(v); }
  bool is_string_list() const { return std::holds_alternative<std::vector<std::string>>(v); }
  bool is_counts() const { return std::holds_alternative<NamedCounts>(v); }
  const NamedCounts& as_counts() const { return std::get<NamedCounts>(v); }

  /// YAML-like text: 42, 0.001, true, adamw, [128, 64], ["?"], {0: 200, 1: 200}, none.
  std::string str() const;
  bool operator==(const Value& o) const { return v == o.v; }
};

}  // namespace pipeml::dsl
