#include "dsl/value.h"

#include <fmt/format.h>

namespace pipeml::dsl {

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::kBool: return "bool";
    case ParamType::kInt: return "int";
    case ParamType::kFloat: return "float";
    case ParamType::kString: return "string";
    case ParamType::kPath: return "path";
    case ParamType::kEnum: return "enum";
    case ParamType::kIntList: return "list of int";
    case ParamType::kFloatList: return "list of float";
    case ParamType::kStringList: return "list of string";
    case ParamType::kStringOrNumber: return "string or number";
    case ParamType::kStringOrNumberOrMap: return "string, number or mapping";
    case ParamType::kStringOrList: return "string or list of strings";
    case ParamType::kStages: return "list of stages";
    case ParamType::kGroup: return "mapping";
  }
  return "?";
}

double Value::as_number() const {
  if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}

namespace {

// Shortest text that reads back as the same double: 0.001, not 0.0010000000000000000208.
std::string number_text(double d) {
  std::string s = fmt::format("{}", d);
  return s;
}

std::string string_text(const std::string& s) {
  // Quote what YAML would otherwise read as something else, e.g. "?" or "".
  const bool plain = !s.empty() && s.find_first_of(":#[]{},&*!|>'\"%@`?") == std::string::npos &&
                     s.front() != ' ' && s.back() != ' ' && s.front() != '-';
  return plain ? s : "\"" + s + "\"";
}

struct Printer {
  std::string operator()(std::monostate) const { return "none"; }
  std::string operator()(bool b) const { return b ? "true" : "false"; }
  std::string operator()(std::int64_t i) const { return std::to_string(i); }
  std::string operator()(double d) const { return number_text(d); }
  std::string operator()(const std::string& s) const { return string_text(s); }
  std::string operator()(const NamedCounts& m) const {
    std::string out = "{";
    for (std::size_t i = 0; i < m.size(); ++i) out += (i ? ", " : "") + string_text(m[i].first) + ": " + std::to_string(m[i].second);
    return out + "}";
  }
  template <typename T>
  std::string operator()(const std::vector<T>& l) const {
    std::string out = "[";
    for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + (*this)(l[i]);
    return out + "]";
  }
};

}  // namespace

std::string Value::str() const { return std::visit(Printer{}, v); }

}  // namespace pipeml::dsl
