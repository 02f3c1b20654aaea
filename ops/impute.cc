#include "ops/impute.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "ops/columns.h"
#include "runtime/user_error.h"

namespace pipeml::impute {
namespace {

const char* name_of(Strategy s) {
  switch (s) {
    case Strategy::mean: return "mean";
    case Strategy::median: return "median";
    case Strategy::most_frequent: return "most_frequent";
    case Strategy::constant: return "constant";
    case Strategy::drop_rows: return "drop_rows";
  }
  return "?";
}

/// Mean in double, whatever the order: float32 sums would drift on long columns.
double mean_of(const std::vector<float>& values) {
  double sum = 0.0;
  for (float v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

/// numpy.median: the middle value, or the mean of the two middle values.
double median_of(std::vector<float> values) {
  const std::size_t half = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + half, values.end());
  const double upper = values[half];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + half);
  return (lower + upper) / 2.0;
}

/// The most frequent value; among equally frequent ones the smallest (sklearn's _most_frequent).
double most_frequent_of(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  float best = values.front();
  std::size_t best_count = 0;
  for (std::size_t i = 0; i < values.size();) {
    std::size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    if (j - i > best_count) {  // strictly more: a later (larger) tie does not win
      best = values[i];
      best_count = j - i;
    }
    i = j;
  }
  return best;
}

}  // namespace

Imputer fit(const Table& train, Strategy strategy, double fill_value) {
  Imputer imputer{strategy, fill_value, {}};
  if (strategy == Strategy::drop_rows) return imputer;
  if (strategy == Strategy::constant) {
    imputer.statistics.assign(train.cols(), static_cast<float>(fill_value));
    return imputer;
  }
  std::vector<float> observed;
  observed.reserve(train.rows);
  for (std::size_t c = 0; c < train.cols(); ++c) {
    observed.clear();
    for (std::size_t r = 0; r < train.rows; ++r) {
      const float v = train.row(r)[c];
      if (std::isinf(v)) throw UserError("cannot impute column '" + train.columns[c] + "': it holds an infinite value");
      if (!std::isnan(v)) observed.push_back(v);
    }
    if (observed.empty())
      throw UserError("cannot impute column '" + train.columns[c] + "' with strategy '" + name_of(strategy) +
                      "': it has no value in the training rows");
    const double statistic = strategy == Strategy::mean     ? mean_of(observed)
                             : strategy == Strategy::median ? median_of(observed)
                                                            : most_frequent_of(observed);
    imputer.statistics.push_back(static_cast<float>(statistic));
  }
  return imputer;
}

void transform(const Imputer& imputer, Table& t) {
  if (imputer.strategy == Strategy::drop_rows) {
    t = drop_missing_rows(t);
    return;
  }
  if (imputer.statistics.size() != t.cols())
    throw std::invalid_argument("impute::transform: fitted on " + std::to_string(imputer.statistics.size()) +
                                " columns, given " + std::to_string(t.cols()));
  for (std::size_t r = 0; r < t.rows; ++r) {
    float* row = t.row(r);
    for (std::size_t c = 0; c < t.cols(); ++c)
      if (std::isnan(row[c])) row[c] = imputer.statistics[c];
  }
}

ColumnImputer fit_columns(const Table& train, const std::vector<std::size_t>& cols, Strategy strategy, double fill_value,
                          const std::string& fill_category) {
  ColumnImputer out;
  out.strategy = strategy;
  for (auto c : cols) {
    const bool categorical = train.is_categorical(c);
    if (categorical && (strategy == Strategy::mean || strategy == Strategy::median))
      throw UserError("cannot impute categorical column '" + train.columns.at(c) + "' with strategy '" + name_of(strategy) + "'");
    out.columns.push_back(train.columns.at(c));
    out.categorical.push_back(categorical);
  }
  const Imputer fitted = fit(columns::gather(train, cols), strategy, fill_value);
  for (std::size_t k = 0; k < cols.size(); ++k) {
    if (!out.categorical[k]) {
      out.values.push_back(fitted.statistics[k]);
      out.categories.emplace_back();
      continue;
    }
    out.values.push_back(0.0f);
    out.categories.push_back(strategy == Strategy::constant ? fill_category
                                                            : train.categories[cols[k]].at(static_cast<std::size_t>(fitted.statistics[k])));
  }
  return out;
}

void transform(const ColumnImputer& imputer, Table& t) {
  for (std::size_t k = 0; k < imputer.columns.size(); ++k) {
    const auto at = std::find(t.columns.begin(), t.columns.end(), imputer.columns[k]);
    if (at == t.columns.end()) throw std::invalid_argument("impute::transform: no column '" + imputer.columns[k] + "'");
    const auto c = static_cast<std::size_t>(at - t.columns.begin());
    float fill = imputer.values[k];
    if (imputer.categorical[k]) {
      if (!t.is_categorical(c)) throw std::invalid_argument("impute::transform: column '" + imputer.columns[k] + "' is not categorical");
      columns::recode(t, c, columns::add_category(t.categories[c], imputer.categories[k], fill));
    }
    for (std::size_t r = 0; r < t.rows; ++r) {
      float& v = t.row(r)[c];
      if (std::isnan(v)) v = fill;
    }
  }
}

std::vector<std::size_t> rows_with_missing(const Table& t) {
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < t.rows; ++r) {
    const float* row = t.row(r);
    if (std::any_of(row, row + t.cols(), [](float v) { return std::isnan(v); })) rows.push_back(r);
  }
  return rows;
}

std::vector<std::size_t> rows_without_missing(const Table& t) {
  const std::vector<std::size_t> missing = rows_with_missing(t);
  std::vector<std::size_t> kept;
  kept.reserve(t.rows - missing.size());
  for (std::size_t r = 0, m = 0; r < t.rows; ++r) {
    if (m < missing.size() && missing[m] == r) ++m;
    else kept.push_back(r);
  }
  return kept;
}

Table drop_missing_rows(const Table& t) { return t.take(rows_without_missing(t)); }

}  // namespace pipeml::impute
