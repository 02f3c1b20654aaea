#include "ops/replay.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "runtime/user_error.h"

namespace pipeml::replayed {

std::vector<std::size_t> fitted_columns(const Replay& r) {
  std::vector<std::size_t> cols;
  for (const auto& name : r.fitted.at("columns").get<std::vector<std::string>>()) {
    const auto at = std::find(r.rows.columns.begin(), r.rows.columns.end(), name);
    if (at == r.rows.columns.end())
      throw UserError("transforms.json: stage '" + r.stage.id + "' names column '" + name +
                      "', which the rows do not have at that stage (was the file edited?)");
    cols.push_back(static_cast<std::size_t>(at - r.rows.columns.begin()));
  }
  return cols;
}

std::vector<encode::Categories> fitted_categories(const Replay& r) {
  std::vector<encode::Categories> out;
  const auto names = r.fitted.at("columns").get<std::vector<std::string>>();
  const nlohmann::json& lists = r.fitted.at("categories");
  for (std::size_t k = 0; k < names.size(); ++k) {
    encode::Categories c;
    c.column = names[k];
    for (const auto& name : lists.at(k)) {
      if (name.is_null()) c.missing = true;
      else c.names.push_back(name.get<std::string>());
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string where(const Replay& r, std::size_t row) {
  const std::string at = r.locate ? r.locate(row) : std::string();
  return (at.empty() ? "row " + std::to_string(row) + " of the data (counted from 0)" : at) + ": ";
}

void require_values(const Replay& r, const std::vector<std::size_t>& cols, const std::string& who) {
  for (std::size_t row = 0; row < r.rows.rows; ++row)
    for (auto c : cols)
      if (std::isnan(r.rows.row(row)[c]))
        throw UserError(where(r, row) + "column '" + r.rows.columns[c] + "' is missing: " + who +
                        " cannot take a missing value, and the training data had none there to impute");
}

}  // namespace pipeml::replayed
