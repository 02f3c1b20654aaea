#include "ops/columns.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "dsl/diagnostics.h"

namespace pipeml::columns {
namespace {

ColumnKind kind_of(const std::vector<ColumnKind>& kinds, std::size_t c) {
  return c < kinds.size() ? kinds[c] : ColumnKind::numeric;
}

bool wanted(ColumnKind k, Want want) {
  return want == Want::any || (want == Want::numeric) == (k == ColumnKind::numeric);
}

const char* kind_word(ColumnKind k) { return k == ColumnKind::numeric ? "numeric" : "categorical"; }
const char* want_word(Want w) { return w == Want::numeric ? "numeric" : w == Want::categorical ? "categorical" : ""; }

// "'a'", "'a' and 'b'", "'a', 'b', and 2 more"
std::string few_names(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 3;
  if (names.size() <= kShown) return dsl::quoted_list(names, "and");
  std::vector<std::string> shown(names.begin(), names.begin() + kShown);
  std::string out;
  for (const auto& n : shown) out += "'" + n + "', ";
  return out + "and " + std::to_string(names.size() - kShown) + " more";
}

}  // namespace

bool is_pattern(const std::string& entry) { return entry.find_first_of("*?[") != std::string::npos; }

bool matches(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

Selection select(const std::vector<std::string>& entries, const std::vector<std::string>& names,
                 const std::vector<ColumnKind>& kinds, const Request& request) {
  Selection s;
  std::vector<char> chosen(names.size(), 0);
  for (std::size_t e = 0; e < entries.size(); ++e) {
    const std::string& entry = entries[e];
    if (is_pattern(entry)) {
      std::vector<std::string> other_kind;
      bool any = false;
      for (std::size_t c = 0; c < names.size(); ++c) {
        if (!matches(entry, names[c])) continue;
        if (wanted(kind_of(kinds, c), request.want)) {
          chosen[c] = 1;
          any = true;
        } else {
          other_kind.push_back(names[c]);
        }
      }
      if (any) continue;
      if (other_kind.empty()) {
        s.problems.push_back({e, "'" + entry + "' matches no column", "the columns are " + dsl::quoted_list(names, "and")});
      } else {
        const ColumnKind other = request.want == Want::numeric ? ColumnKind::categorical : ColumnKind::numeric;
        s.problems.push_back({e, "'" + entry + "' matches no " + want_word(request.want) + " column",
                              "it matches " + few_names(other_kind) + ", which " + (other_kind.size() == 1 ? "is " : "are ") +
                                  kind_word(other)});
      }
      continue;
    }
    const auto at = std::find(names.begin(), names.end(), entry);
    if (at == names.end()) {
      s.problems.push_back({e, "no column '" + entry + "' in the data for '" + request.param + "'" + dsl::did_you_mean(entry, names),
                            "the columns are " + dsl::quoted_list(names, "and")});
      continue;
    }
    const auto c = static_cast<std::size_t>(at - names.begin());
    if (!wanted(kind_of(kinds, c), request.want)) {
      std::string note = request.wrong_kind_note;
      if (note.empty())
        note = request.want == Want::numeric ? "encode it with one_hot_encode or ordinal_encode instead"
                                             : "to read a column of numbers as categories, list it in load_csv's 'categorical'";
      s.problems.push_back({e, request.who + " takes " + want_word(request.want) + " columns, but '" + entry + "' is " +
                                   kind_word(kind_of(kinds, c)),
                            note});
      continue;
    }
    chosen[c] = 1;
  }
  for (std::size_t c = 0; c < names.size(); ++c)
    if (chosen[c]) s.indices.push_back(c);
  return s;
}

std::vector<std::size_t> all_of(const std::vector<ColumnKind>& kinds, std::size_t count, Want want) {
  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < count; ++c)
    if (wanted(kind_of(kinds, c), want)) out.push_back(c);
  return out;
}

std::vector<std::string> names_of(const std::vector<std::string>& names, const std::vector<std::size_t>& indices) {
  std::vector<std::string> out;
  for (auto c : indices) out.push_back(names.at(c));
  return out;
}

bool parse_number(const std::string& text, double& value) {
  const char* b = text.data();
  const char* end = b + text.size();
  if (end - b >= 2 && *b == '+' && b[1] != '-' && b[1] != '+') ++b;
  if (b == end) return false;
  const auto [ptr, ec] = std::from_chars(b, end, value);
  return ptr == end && (ec == std::errc() || ec == std::errc::result_out_of_range);
}

void sort_categories(std::vector<std::string>& categories) {
  std::vector<double> numbers(categories.size());
  bool all_numbers = true;
  for (std::size_t i = 0; i < categories.size() && all_numbers; ++i) all_numbers = parse_number(categories[i], numbers[i]);
  if (!all_numbers) {
    std::sort(categories.begin(), categories.end());
    return;
  }
  std::vector<std::size_t> order(categories.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return numbers[a] < numbers[b]; });
  std::vector<std::string> sorted;
  for (auto i : order) sorted.push_back(categories[i]);
  categories = std::move(sorted);
}

std::vector<float> add_category(std::vector<std::string>& categories, const std::string& name, float& code) {
  std::vector<float> new_codes(categories.size());
  const auto at = std::find(categories.begin(), categories.end(), name);
  if (at != categories.end()) {
    std::iota(new_codes.begin(), new_codes.end(), 0.0f);
    code = static_cast<float>(at - categories.begin());
    return new_codes;
  }
  std::vector<std::string> grown = categories;
  grown.push_back(name);
  sort_categories(grown);
  for (std::size_t i = 0; i < categories.size(); ++i)
    new_codes[i] = static_cast<float>(std::find(grown.begin(), grown.end(), categories[i]) - grown.begin());
  code = static_cast<float>(std::find(grown.begin(), grown.end(), name) - grown.begin());
  categories = std::move(grown);
  return new_codes;
}

void recode(Table& t, std::size_t c, const std::vector<float>& new_codes) {
  for (std::size_t r = 0; r < t.rows; ++r) {
    float& v = t.row(r)[c];
    if (!std::isnan(v)) v = new_codes.at(static_cast<std::size_t>(v));
  }
}

Table gather(const Table& t, const std::vector<std::size_t>& indices) {
  Table sub;
  sub.rows = t.rows;
  for (auto c : indices) {
    sub.columns.push_back(t.columns.at(c));
    sub.kinds.push_back(t.is_categorical(c) ? ColumnKind::categorical : ColumnKind::numeric);
    sub.categories.push_back(c < t.categories.size() ? t.categories[c] : std::vector<std::string>{});
  }
  sub.x.resize(t.rows * indices.size());
  for (std::size_t r = 0; r < t.rows; ++r)
    for (std::size_t k = 0; k < indices.size(); ++k) sub.x[r * indices.size() + k] = t.row(r)[indices[k]];
  return sub;
}

void keep_only(Table& t, const std::vector<std::size_t>& left) {
  Table sub = gather(t, left);
  sub.y = std::move(t.y);
  sub.class_names = std::move(t.class_names);
  sub.target = std::move(t.target);
  sub.regression = t.regression;
  t = std::move(sub);
}

void scatter(Table& t, const std::vector<std::size_t>& indices, const Table& sub) {
  for (std::size_t r = 0; r < t.rows; ++r)
    for (std::size_t k = 0; k < indices.size(); ++k) t.row(r)[indices[k]] = sub.x[r * indices.size() + k];
}

}  // namespace pipeml::columns
