#include "dsl/schema.h"

#include <fmt/format.h>

#include "dsl/diagnostics.h"

namespace pipeml::dsl {

const char* kind_name(OpKind k) {
  switch (k) {
    case OpKind::kData: return "data";
    case OpKind::kModel: return "model";
    case OpKind::kLoss: return "loss";
    case OpKind::kOptimizer: return "optimizer";
    case OpKind::kScheduler: return "scheduler";
    case OpKind::kTrain: return "train";
    case OpKind::kEvaluate: return "evaluate";
    case OpKind::kLayer: return "layer";
  }
  return "?";
}

std::string ParamSpec::range_text() const {
  if (!min_ && !max_) return {};
  auto num = [](double v) { return fmt::format("{}", v); };
  std::string lo = min_ ? (min_exclusive_ ? "(" : "[") + num(*min_) : "(-inf";
  std::string hi = max_ ? num(*max_) + (max_exclusive_ ? ")" : "]") : "inf)";
  return lo + ", " + hi;
}

std::string ParamSpec::type_text() const {
  const std::string range = range_text().empty() ? "" : " in " + range_text();
  switch (type) {
    case ParamType::kEnum: return "one of " + quoted_list(choices);
    case ParamType::kStringOrNumber:
    case ParamType::kStringOrNumberOrMap:
    case ParamType::kStringOrList: {
      std::string names;
      for (const auto& c : choices) names += "'" + c + "', ";
      if (type == ParamType::kStringOrNumber) return names + "or a number" + range;
      if (type == ParamType::kStringOrList) return names + "or a list of names";
      return names + "a number" + range + ", or a mapping of names to counts";
    }
    case ParamType::kStages:
      return stage_kind ? std::string("list of ") + kind_name(*stage_kind) + "s, each {op: NAME, ...}"
                        : "list of stages, each {op: NAME, ...}";
    case ParamType::kGroup: {
      std::string names;
      for (const auto& o : group_->params) names += (names.empty() ? "" : ", ") + o.name;
      return "mapping of " + names + " (or true: all defaults)";
    }
    default: return type_name(type) + range;
  }
}

ParamSpec ParamSpec::group(std::string name, std::vector<ParamSpec> options) {
  ParamSpec p = make(name, ParamType::kGroup, {});
  auto schema = std::make_shared<OpSchema>();
  schema->name = std::move(name);
  schema->kind = OpKind::kTrain;
  schema->params = std::move(options);
  p.group_ = std::move(schema);
  p.optional_ = true;
  p.unset_text_ = "off";
  return p;
}

std::string ParamSpec::default_text() const {
  if (default_value.is_set()) return default_value.str();
  return optional_ ? unset_text_ : "required";
}

}  // namespace pipeml::dsl
