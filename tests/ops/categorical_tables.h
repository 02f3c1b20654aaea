// Tables of text columns for the encoder and imputer tests, held as load_csv holds them:
// each column's categories (from every table given, sorted as load_csv sorts them) and
// the values as codes into them.
#pragma once
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/columns.h"
#include "runtime/table.h"

namespace pipetest {

/// Tables from JSON objects {column: [text or null, ...]}, columns in `order`; the
/// categories of a column are the values it has in any of them.
inline std::vector<pipeml::Table> categorical_tables(const std::vector<nlohmann::json>& parts,
                                                     const std::vector<std::string>& order) {
  using pipeml::ColumnKind;
  std::vector<std::vector<std::string>> categories(order.size());
  for (std::size_t c = 0; c < order.size(); ++c) {
    for (const auto& part : parts)
      for (const auto& v : part.at(order[c]))
        if (!v.is_null() && std::find(categories[c].begin(), categories[c].end(), v.get<std::string>()) == categories[c].end())
          categories[c].push_back(v.get<std::string>());
    pipeml::columns::sort_categories(categories[c]);
  }
  std::vector<pipeml::Table> tables;
  for (const auto& part : parts) {
    pipeml::Table t;
    t.columns = order;
    t.kinds.assign(order.size(), ColumnKind::categorical);
    t.categories = categories;
    t.rows = part.at(order[0]).size();
    for (std::size_t r = 0; r < t.rows; ++r)
      for (std::size_t c = 0; c < order.size(); ++c) {
        const auto& v = part.at(order[c])[r];
        const auto at = v.is_null() ? categories[c].end()
                                    : std::find(categories[c].begin(), categories[c].end(), v.get<std::string>());
        t.x.push_back(v.is_null() ? std::numeric_limits<float>::quiet_NaN()
                                  : static_cast<float>(at - categories[c].begin()));
      }
    tables.push_back(std::move(t));
  }
  return tables;
}

/// The category at row r, column c ("" when missing).
inline std::string category_at(const pipeml::Table& t, std::size_t r, std::size_t c) {
  const float v = t.row(r)[c];
  return std::isnan(v) ? std::string() : t.categories.at(c).at(static_cast<std::size_t>(v));
}

}  // namespace pipetest
