#include "dsl/param_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace pipeml::dsl {
namespace {

std::optional<std::int64_t> parse_int(const Node& n) {
  if (!n.is_scalar() || n.quoted || n.text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(n.text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return v;
}

std::optional<double> parse_float(const Node& n) {
  if (!n.is_scalar() || n.quoted || n.text.empty()) return std::nullopt;
  const std::string& t = n.text;
  if (t == ".inf" || t == ".Inf") return INFINITY;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(t.c_str(), &end);
  // strtod would also take "nan", "inf" and hex floats; YAML does not, and neither do we.
  if (errno != 0 || *end != '\0' || t.find_first_of("nNxX") != std::string::npos || std::isinf(v))
    return std::nullopt;
  return v;
}

std::optional<bool> parse_bool(const Node& n) {
  if (!n.is_scalar() || n.quoted) return std::nullopt;
  if (n.text == "true" || n.text == "True" || n.text == "yes") return true;
  if (n.text == "false" || n.text == "False" || n.text == "no") return false;
  return std::nullopt;
}

// A single scalar where a list is expected is taken as a list of one ("na_values: '?'").
std::vector<const Node*> list_items(const Node& n) {
  std::vector<const Node*> items;
  if (n.is_seq())
    for (const auto& i : n.items) items.push_back(&i);
  else if (n.is_scalar())
    items.push_back(&n);
  return items;
}

const char* article_type(ParamType t) {
  switch (t) {
    case ParamType::kBool: return "true or false";
    case ParamType::kInt: return "an integer";
    case ParamType::kFloat: return "a number";
    case ParamType::kIntList: return "a list of integers";
    case ParamType::kFloatList: return "a list of numbers";
    case ParamType::kStringList: return "a list of strings";
    case ParamType::kStringOrNumber: return "a string or a number";
    case ParamType::kStringOrNumberOrMap: return "a string, a number or a mapping";
    case ParamType::kStringOrList: return "a string or a list of names";
    case ParamType::kStages: return "a list of stages";
    case ParamType::kGroup: return "a mapping of options or true";
    default: return "a string";
  }
}

bool in_range(const ParamSpec& s, double v) {
  if (s.min_ && (s.min_exclusive_ ? v <= *s.min_ : v < *s.min_)) return false;
  if (s.max_ && (s.max_exclusive_ ? v >= *s.max_ : v > *s.max_)) return false;
  return true;
}

// The allowed range in words where one bound is open-ended: "at least 1" reads better than
// "in [1, inf)"; a closed range keeps the interval: "in [0, 1)".
std::string range_words(const ParamSpec& s) {
  auto num = [](double v) { return Value(v).str(); };
  if (s.min_ && s.max_) return "in " + s.range_text();
  if (s.min_) return (s.min_exclusive_ ? "greater than " : "at least ") + num(*s.min_);
  return (s.max_exclusive_ ? "less than " : "at most ") + num(*s.max_);
}

// What a parameter is for and what it defaults to: the note under a wrong value, so the
// user sees a valid one without looking the op up.
std::string about(const ParamSpec& s) {
  if (s.doc_.empty()) return {};
  std::string note = s.name + ": " + s.doc_;
  if (s.default_value.is_set()) note += "; default " + s.default_value.str();
  return note;
}

bool check_range(const ParamSpec& s, const Node& n, double v, Diagnostics& diags) {
  if (in_range(s, v)) return true;
  diags.error(n.loc, "'" + s.name + "' must be " + range_words(s) + ", got '" + n.text + "'", about(s));
  return false;
}

bool check_choice(const ParamSpec& s, const Node& n, const std::string& op, Diagnostics& diags) {
  for (const auto& c : s.choices)
    if (c == n.text) return true;
  // A top-level setting (device) has no op to name.
  diags.error(n.loc, "unknown " + s.name + " '" + n.text + "'" + (op.empty() ? "" : " for '" + op + "'") +
                         did_you_mean(n.text, s.choices),
              "expected " + quoted_list(s.choices));
  return false;
}

// A mapping of names to counts: every key a name, every value a whole number >= 0, no
// name twice. Errors point at the entry at fault.
std::optional<Value> read_counts(const ParamSpec& s, const Node& n, Diagnostics& diags) {
  NamedCounts counts;
  std::vector<int> lines;
  for (const auto& [key, value] : n.entries) {
    if (!key.is_scalar() || key.text.empty()) {
      diags.error(key.loc, "expected a name as a key of '" + s.name + "', got " + key.describe(), about(s));
      return std::nullopt;
    }
    const auto count = parse_int(value);
    if (!count || *count < 0) {
      diags.error(value.loc,
                  "expected a count (a whole number, at least 0) for '" + key.text + "' in '" + s.name + "', got " +
                      value.describe(),
                  about(s));
      return std::nullopt;
    }
    for (std::size_t i = 0; i < counts.size(); ++i)
      if (counts[i].first == key.text) {
        diags.error(key.loc, "'" + key.text + "' is given twice in '" + s.name + "' (first on line " +
                                 std::to_string(lines[i]) + ")", "keep one of them");
        return std::nullopt;
      }
    counts.emplace_back(key.text, *count);
    lines.push_back(key.loc.line);
  }
  return Value(std::move(counts));
}

// A list of names: every item a scalar.
std::optional<Value> read_names(const ParamSpec& s, const Node& n, Diagnostics& diags) {
  std::vector<std::string> names;
  for (const auto& item : n.items) {
    if (!item.is_scalar() || item.text.empty()) {
      diags.error(item.loc, "expected a name in '" + s.name + "', got " + item.describe(), about(s));
      return std::nullopt;
    }
    names.push_back(item.text);
  }
  return Value(std::move(names));
}

void wrong_type(const ParamSpec& s, const Node& n, Diagnostics& diags) {
  diags.error(n.loc, std::string("expected ") + article_type(s.type) + " for '" + s.name + "', got " + n.describe(),
              about(s));
}

}  // namespace

std::optional<Value> read_param(const ParamSpec& spec, const Node& node, const std::string& op,
                                Diagnostics& diags) {
  switch (spec.type) {
    case ParamType::kBool:
      if (auto b = parse_bool(node)) return Value(*b);
      break;
    case ParamType::kInt:
      if (auto i = parse_int(node)) {
        if (!check_range(spec, node, static_cast<double>(*i), diags)) return std::nullopt;
        return Value(*i);
      }
      break;
    case ParamType::kFloat:
      if (auto d = parse_float(node)) {
        if (!check_range(spec, node, *d, diags)) return std::nullopt;
        return Value(*d);
      }
      break;
    case ParamType::kString:
    case ParamType::kPath:
      if (node.is_scalar()) return Value(node.text);
      break;
    case ParamType::kEnum:
      if (node.is_scalar()) {
        if (!check_choice(spec, node, op, diags)) return std::nullopt;
        return Value(node.text);
      }
      break;
    case ParamType::kStringOrNumber:
    case ParamType::kStringOrNumberOrMap:
      if (spec.type == ParamType::kStringOrNumberOrMap && node.is_map()) return read_counts(spec, node, diags);
      if (auto d = parse_float(node)) {
        if (!check_range(spec, node, *d, diags)) return std::nullopt;
        return Value(*d);
      }
      if (node.is_scalar()) {
        if (!check_choice(spec, node, op, diags)) return std::nullopt;
        return Value(node.text);
      }
      break;
    case ParamType::kStringOrList:
      if (node.is_seq()) return read_names(spec, node, diags);
      if (node.is_scalar()) {
        if (!check_choice(spec, node, op, diags)) return std::nullopt;
        return Value(node.text);
      }
      break;
    case ParamType::kStages:
    case ParamType::kGroup:
      break;  // read by the pipeline parser, stage by stage / option by option
    case ParamType::kIntList:
    case ParamType::kFloatList:
    case ParamType::kStringList: {
      if (!node.is_seq() && !node.is_scalar()) break;
      std::vector<std::int64_t> ints;
      std::vector<double> floats;
      std::vector<std::string> strings;
      bool ok = true;
      for (const Node* item : list_items(node)) {
        if (spec.type == ParamType::kStringList) {
          if (item->is_scalar()) strings.push_back(item->text); else ok = false;
        } else if (spec.type == ParamType::kIntList) {
          auto i = parse_int(*item);
          if (!i) { diags.error(item->loc, "expected an integer in '" + spec.name + "', got " + item->describe(), about(spec)); return std::nullopt; }
          if (!check_range(spec, *item, static_cast<double>(*i), diags)) return std::nullopt;
          ints.push_back(*i);
        } else {
          auto d = parse_float(*item);
          if (!d) { diags.error(item->loc, "expected a number in '" + spec.name + "', got " + item->describe(), about(spec)); return std::nullopt; }
          if (!check_range(spec, *item, *d, diags)) return std::nullopt;
          floats.push_back(*d);
        }
      }
      if (!ok) break;
      if (spec.type == ParamType::kIntList) return Value(ints);
      if (spec.type == ParamType::kFloatList) return Value(floats);
      return Value(strings);
    }
  }
  wrong_type(spec, node, diags);
  return std::nullopt;
}

}  // namespace pipeml::dsl
