// Follows imblearn 0.10's utils._validation.check_sampling_strategy and its helpers
// (_sampling_strategy_all, _majority, _not_majority, _not_minority, _minority, _auto,
// _dict, _list, _float): the same results and the same refusals, in the same order.
#include "ops/sampling_strategy.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "runtime/user_error.h"

namespace pipeml::sampling {
namespace {

using Kind = Strategy::Kind;

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// "an over-sampler such as smote": who cannot take a form, in messages.
std::string sampler_kind(Type type, const std::string& sampler) {
  switch (type) {
    case Type::over: return "an over-sampler such as " + sampler;
    case Type::under: return "an under-sampler such as " + sampler;
    case Type::clean: return "a cleaning sampler such as " + sampler;
  }
  return sampler;
}

// The classes present in y (count > 0) as imblearn's _count_class_sample sees them.
struct ClassStats {
  std::map<int, std::size_t> counts;  // label -> rows, labels ascending
  int majority = -1, minority = -1;   // the first largest / smallest label, as Python's max / min
  std::size_t majority_rows = 0, minority_rows = 0;
};

ClassStats stats_of(const std::vector<std::size_t>& class_counts) {
  ClassStats s;
  for (std::size_t c = 0; c < class_counts.size(); ++c)
    if (class_counts[c] > 0) s.counts[static_cast<int>(c)] = class_counts[c];
  s.minority_rows = std::numeric_limits<std::size_t>::max();
  for (const auto& [label, rows] : s.counts) {
    if (rows > s.majority_rows) s.majority_rows = rows, s.majority = label;
    if (rows < s.minority_rows) s.minority_rows = rows, s.minority = label;
  }
  return s;
}

// A named strategy: which classes it selects (imblearn's _sampling_strategy_<name>).
bool selects(Kind kind, Type type, int label, const ClassStats& s) {
  switch (kind) {
    case Kind::automatic: return type == Type::over ? label != s.majority : label != s.minority;
    case Kind::minority: return label == s.minority;
    case Kind::majority: return label == s.majority;
    case Kind::not_minority: return label != s.minority;
    case Kind::not_majority: return label != s.majority;
    case Kind::all: return true;
    default: return false;
  }
}

std::map<int, std::size_t> from_name(const ClassStats& s, Kind kind, Type type, const std::string& sampler) {
  if (kind == Kind::majority && type == Type::over)
    throw UserError("sampling_strategy 'majority' cannot be used with " + sampler_kind(type, sampler));
  if (kind == Kind::minority && type != Type::over)
    throw UserError("sampling_strategy 'minority' cannot be used with " + sampler_kind(type, sampler));
  std::map<int, std::size_t> out;
  for (const auto& [label, rows] : s.counts)
    if (selects(kind, type, label, s)) out[label] = type == Type::over ? s.majority_rows - rows : s.minority_rows;
  return out;
}

std::map<int, std::size_t> from_ratio(const ClassStats& s, double ratio, Type type, const std::vector<std::string>& names,
                                      const std::string& sampler) {
  const std::string text = "sampling_strategy '" + number_text(ratio) + "'";
  if (!(ratio > 0.0 && ratio <= 1.0)) throw UserError(text + " should be in (0, 1] when it is a ratio");
  if (type == Type::clean)
    throw UserError(text + " cannot be a ratio for " + sampler_kind(type, sampler) +
                    ": name the classes to clean instead");
  if (s.counts.size() != 2)
    throw UserError(text + " can be a ratio only for 2 classes, got " + std::to_string(s.counts.size()) +
                    ": give the rows wanted per class instead");
  std::map<int, std::size_t> out;
  for (const auto& [label, rows] : s.counts) {
    if (type == Type::over) {
      if (label == s.majority) continue;
      // Python's int() truncates toward zero.
      const double delta = std::trunc(static_cast<double>(s.majority_rows) * ratio - static_cast<double>(rows));
      if (delta <= 0.0)
        throw UserError(text + " asks for " + number_text(static_cast<double>(rows) + delta) + " rows of " +
                        class_text(label, names) + ", which has " + std::to_string(rows) +
                        " already: increase the ratio so that " + sampler + " adds rows");
      out[label] = static_cast<std::size_t>(delta);
    } else {
      if (label == s.minority) continue;
      const double keep = std::trunc(static_cast<double>(s.minority_rows) / ratio);
      if (keep > static_cast<double>(rows))
        throw UserError(text + " asks for " + number_text(keep) + " rows of " + class_text(label, names) +
                        ", which has " + std::to_string(rows) + ": increase the ratio so that " + sampler +
                        " removes rows");
      out[label] = static_cast<std::size_t>(keep);
    }
  }
  return out;
}

void check_present(const ClassStats& s, int label, const std::vector<std::string>& names) {
  if (!s.counts.count(label))
    throw UserError("sampling_strategy names " + class_text(label, names) + ", which is not in the data");
}

std::map<int, std::size_t> from_targets(const ClassStats& s, const std::map<int, std::int64_t>& targets, Type type,
                                        const std::vector<std::string>& names, const std::string& sampler) {
  for (const auto& [label, wanted] : targets) check_present(s, label, names);
  for (const auto& [label, wanted] : targets)
    if (wanted < 0)
      throw UserError("sampling_strategy asks for '" + std::to_string(wanted) + "' rows of " +
                      class_text(label, names) + ": a number of rows cannot be negative");
  if (type == Type::clean)
    throw UserError("sampling_strategy cannot give rows per class to " + sampler_kind(type, sampler) +
                    ": list the classes to clean instead");
  std::map<int, std::size_t> out;
  for (const auto& [label, wanted] : targets) {
    const std::size_t rows = s.counts.at(label);
    const std::string asks = "sampling_strategy asks for '" + std::to_string(wanted) + "' rows of " +
                             class_text(label, names) + ", which has " + std::to_string(rows);
    if (type == Type::over) {
      if (static_cast<std::size_t>(wanted) < rows) throw UserError(asks + " already: an over-sampler can only add rows");
      out[label] = static_cast<std::size_t>(wanted) - rows;
    } else {
      if (static_cast<std::size_t>(wanted) > rows) throw UserError(asks + ": an under-sampler can only remove rows");
      out[label] = static_cast<std::size_t>(wanted);
    }
  }
  return out;
}

std::map<int, std::size_t> from_classes(const ClassStats& s, const std::vector<int>& classes, Type type,
                                        const std::vector<std::string>& names, const std::string& sampler) {
  if (type != Type::clean)
    throw UserError("sampling_strategy can list classes only for a cleaning sampler; " + sampler +
                    " takes the rows wanted per class instead");
  for (int label : classes) check_present(s, label, names);
  std::map<int, std::size_t> out;
  for (int label : classes) out[label] = s.minority_rows;
  return out;
}

}  // namespace

std::string class_text(int label, const std::vector<std::string>& names) {
  if (label >= 0 && static_cast<std::size_t>(label) < names.size()) return "class '" + names[label] + "'";
  return "class '" + std::to_string(label) + "'";
}

Strategy Strategy::named(const std::string& name) {
  static const std::pair<const char*, Kind> kNames[] = {
      {"auto", Kind::automatic},         {"minority", Kind::minority},         {"majority", Kind::majority},
      {"not minority", Kind::not_minority}, {"not majority", Kind::not_majority}, {"all", Kind::all},
  };
  for (const auto& [text, kind] : kNames)
    if (name == text) {
      Strategy s;
      s.kind = kind;
      return s;
    }
  throw UserError("sampling_strategy '" + name +
                  "' should be one of 'auto', 'minority', 'majority', 'not minority', 'not majority', 'all', a ratio "
                  "in (0, 1], the rows wanted per class or a list of classes");
}

Strategy Strategy::ratio_of(double ratio) {
  Strategy s;
  s.kind = Kind::ratio;
  s.ratio = ratio;
  return s;
}

Strategy Strategy::targets_of(std::map<int, std::int64_t> targets) {
  Strategy s;
  s.kind = Kind::targets;
  s.targets = std::move(targets);
  return s;
}

Strategy Strategy::classes_of(std::vector<int> classes) {
  Strategy s;
  s.kind = Kind::classes;
  s.classes = std::move(classes);
  return s;
}

std::map<int, std::size_t> resolve(const std::vector<std::size_t>& class_counts, const Strategy& strategy, Type type,
                                   const std::vector<std::string>& class_names, const std::string& sampler) {
  const ClassStats s = stats_of(class_counts);
  if (s.counts.size() <= 1) {
    const char* verb = type == Type::over ? "oversample" : type == Type::under ? "undersample" : "clean";
    throw UserError("the target needs more than 1 class to " + std::string(verb) + ", got " +
                    std::to_string(s.counts.size()));
  }
  switch (strategy.kind) {
    case Kind::ratio: return from_ratio(s, strategy.ratio, type, class_names, sampler);
    case Kind::targets: return from_targets(s, strategy.targets, type, class_names, sampler);
    case Kind::classes: return from_classes(s, strategy.classes, type, class_names, sampler);
    default: return from_name(s, strategy.kind, type, sampler);
  }
}

}  // namespace pipeml::sampling
