#include "ops/encoders.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "runtime/user_error.h"

namespace pipeml::encode {
namespace {

constexpr int kUnknown = -1;

std::size_t column_index(const Table& t, const std::string& name) {
  const auto at = std::find(t.columns.begin(), t.columns.end(), name);
  if (at == t.columns.end()) throw std::invalid_argument("encode: no column '" + name + "' in the table");
  const auto c = static_cast<std::size_t>(at - t.columns.begin());
  if (!t.is_categorical(c)) throw std::invalid_argument("encode: column '" + name + "' is not categorical");
  return c;
}

/// Per code of `t`'s column (by name), the position of its category among the fitted
/// ones, or kUnknown; the last entry is for a missing value.
std::vector<int> positions(const Categories& fitted, const Table& t, std::size_t c) {
  const auto& have = t.categories[c];
  std::unordered_map<std::string, int> position;
  for (std::size_t i = 0; i < fitted.names.size(); ++i) position.emplace(fitted.names[i], static_cast<int>(i));
  std::vector<int> out(have.size() + 1, kUnknown);
  for (std::size_t k = 0; k < have.size(); ++k) {
    const auto it = position.find(have[k]);
    if (it != position.end()) out[k] = it->second;
  }
  out.back() = fitted.missing ? static_cast<int>(fitted.names.size()) : kUnknown;
  return out;
}

int position_of(const std::vector<int>& positions, float v) {
  return std::isnan(v) ? positions.back() : positions[static_cast<std::size_t>(v)];
}

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  std::string s = std::to_string(static_cast<long long>(v));
  return static_cast<double>(static_cast<long long>(v)) == v ? s : std::to_string(v);
}

std::vector<Categories> fit_categories(const Table& train, const std::vector<std::size_t>& cols) {
  std::vector<Categories> out;
  for (auto c : cols) {
    if (!train.is_categorical(c))
      throw std::invalid_argument("encode: column '" + train.columns.at(c) + "' is not categorical");
    out.push_back(categories_of(train, c));
  }
  return out;
}

}  // namespace

Categories categories_of(const Table& train, std::size_t c) {
  Categories cats;
  cats.column = train.columns.at(c);
  std::vector<char> seen(train.categories.at(c).size(), 0);
  for (std::size_t r = 0; r < train.rows; ++r) {
    const float v = train.row(r)[c];
    if (std::isnan(v)) cats.missing = true;
    else seen[static_cast<std::size_t>(v)] = 1;
  }
  for (std::size_t k = 0; k < seen.size(); ++k)
    if (seen[k]) cats.names.push_back(train.categories[c][k]);
  return cats;
}

std::optional<Unknown> first_unknown(const std::vector<Categories>& fitted, const Table& t) {
  std::optional<Unknown> first;
  for (const Categories& cats : fitted) {
    const std::size_t c = column_index(t, cats.column);
    const auto pos = positions(cats, t, c);
    for (std::size_t r = 0; r < t.rows && (!first || r < first->row); ++r) {
      const float v = t.row(r)[c];
      if (position_of(pos, v) != kUnknown) continue;
      first = Unknown{cats.column, std::isnan(v) ? std::string() : t.categories[c][static_cast<std::size_t>(v)], std::isnan(v), r};
      break;
    }
  }
  return first;
}

std::string unknown_text(const Unknown& u) {
  return u.missing ? "a missing value of column '" + u.column + "'" : "category '" + u.category + "' of column '" + u.column + "'";
}

std::string unknown_error(const std::string& op, const Unknown& u) {
  return "cannot " + op + " column '" + u.column + "': the training rows do not have its " +
         (u.missing ? std::string("missing values") : "category '" + u.category + "'") + " (handle_unknown 'error')";
}

// --- OneHotEncoder --------------------------------------------------------------------

std::vector<std::string> OneHotEncoder::feature_names_out(std::size_t k) const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < columns[k].size(); ++i)
    if (static_cast<int>(i) != drop_idx[k]) names.push_back(columns[k].column + "_" + columns[k].name(i));
  return names;
}

std::vector<std::string> OneHotEncoder::feature_names_out() const {
  std::vector<std::string> names;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const auto more = feature_names_out(k);
    names.insert(names.end(), more.begin(), more.end());
  }
  return names;
}

OneHotEncoder fit_one_hot(const Table& train, const std::vector<std::size_t>& cols, Drop drop, bool ignore_unknown) {
  OneHotEncoder e;
  e.columns = fit_categories(train, cols);
  e.ignore_unknown = ignore_unknown;
  for (const auto& cats : e.columns)
    e.drop_idx.push_back(drop == Drop::first || (drop == Drop::if_binary && cats.size() == 2) ? 0 : -1);
  return e;
}

void transform(const OneHotEncoder& encoder, Table& t) {
  // Which output block each column of t becomes: -1 for a column kept as it is.
  std::vector<int> block(t.cols(), -1);
  std::vector<std::vector<int>> pos(encoder.columns.size());
  for (std::size_t k = 0; k < encoder.columns.size(); ++k) {
    const std::size_t c = column_index(t, encoder.columns[k].column);
    block[c] = static_cast<int>(k);
    pos[k] = positions(encoder.columns[k], t, c);
  }
  if (!encoder.ignore_unknown)
    if (const auto u = first_unknown(encoder.columns, t)) throw UserError(unknown_error("one_hot_encode", *u));
  Table out = t.like();
  out.columns.clear();
  out.kinds.clear();
  out.categories.clear();
  for (std::size_t c = 0; c < t.cols(); ++c) {
    const std::vector<std::string> names =
        block[c] < 0 ? std::vector<std::string>{t.columns[c]} : encoder.feature_names_out(static_cast<std::size_t>(block[c]));
    for (const auto& name : names) {
      out.columns.push_back(name);
      out.kinds.push_back(block[c] < 0 && t.is_categorical(c) ? ColumnKind::categorical : ColumnKind::numeric);
      out.categories.push_back(block[c] < 0 && c < t.categories.size() ? t.categories[c] : std::vector<std::string>{});
    }
  }
  std::vector<std::string> sorted = out.columns;
  std::sort(sorted.begin(), sorted.end());
  if (const auto twice = std::adjacent_find(sorted.begin(), sorted.end()); twice != sorted.end())
    throw UserError("one_hot_encode would make a second column called '" + *twice + "'");
  const std::size_t width = out.cols();
  out.rows = t.rows;
  out.y = t.y;
  out.target = t.target;
  out.x.assign(t.rows * width, 0.0f);
  for (std::size_t r = 0; r < t.rows; ++r) {
    const float* in = t.row(r);
    float* o = out.x.data() + r * width;
    for (std::size_t c = 0; c < t.cols(); ++c) {
      if (block[c] < 0) {
        *o++ = in[c];
        continue;
      }
      const auto k = static_cast<std::size_t>(block[c]);
      const int p = position_of(pos[k], in[c]);
      const int dropped = encoder.drop_idx[k];
      const std::size_t n = encoder.columns[k].size() - (dropped >= 0 ? 1 : 0);
      if (p != kUnknown && p != dropped) o[p - (dropped >= 0 && p > dropped ? 1 : 0)] = 1.0f;
      o += n;
    }
  }
  t = std::move(out);
}

// --- OrdinalEncoder -------------------------------------------------------------------

OrdinalEncoder fit_ordinal(const Table& train, const std::vector<std::size_t>& cols, bool use_encoded_value,
                           double unknown_value, double encoded_missing_value) {
  OrdinalEncoder e;
  e.columns = fit_categories(train, cols);
  e.use_encoded_value = use_encoded_value;
  e.unknown_value = unknown_value;
  e.encoded_missing_value = encoded_missing_value;
  if (const std::string why = ordinal_conflict(e); !why.empty()) throw UserError(why);
  return e;
}

std::string ordinal_conflict(const OrdinalEncoder& e) {
  const auto codes = [](const Categories& c) {
    return "'" + c.column + "' has " + std::to_string(c.size()) + (c.size() == 1 ? " category" : " categories") +
           (c.missing ? ", a missing value among them" : "") + ": codes 0 to " + std::to_string(c.size() - 1);
  };
  if (e.use_encoded_value && !std::isnan(e.unknown_value))
    for (const auto& c : e.columns)
      if (e.unknown_value >= 0 && e.unknown_value < static_cast<double>(c.size()))
        return "'unknown_value' " + number_text(e.unknown_value) + " is the code of a known category (" + codes(c) + ")";
  if (!std::isnan(e.encoded_missing_value))
    for (const auto& c : e.columns)
      if (c.missing && e.encoded_missing_value >= 0 && e.encoded_missing_value < static_cast<double>(c.size()))
        return "'encoded_missing_value' " + number_text(e.encoded_missing_value) + " is the code of a known category (" +
               codes(c) + ")";
  return {};
}

void transform(const OrdinalEncoder& encoder, Table& t) {
  if (!encoder.use_encoded_value)
    if (const auto u = first_unknown(encoder.columns, t)) throw UserError(unknown_error("ordinal_encode", *u));
  for (const Categories& cats : encoder.columns) {
    const std::size_t c = column_index(t, cats.column);
    const auto pos = positions(cats, t, c);
    for (std::size_t r = 0; r < t.rows; ++r) {
      float& v = t.row(r)[c];
      const int p = position_of(pos, v);
      v = p == kUnknown                                 ? static_cast<float>(encoder.unknown_value)
          : p == static_cast<int>(cats.names.size()) ? static_cast<float>(encoder.encoded_missing_value)
                                                        : static_cast<float>(p);
    }
    t.kinds[c] = ColumnKind::numeric;
    t.categories[c].clear();
  }
}

}  // namespace pipeml::encode
