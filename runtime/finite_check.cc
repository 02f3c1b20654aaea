#include "runtime/finite_check.h"

#include <cmath>

#include "runtime/user_error.h"

namespace pipeml {

void check_finite(const Table& t, const std::string& part, const std::vector<std::size_t>* source_rows,
                  const std::function<std::string(std::size_t)>& locate) {
  for (std::size_t r = 0; r < t.rows; ++r) {
    const float* row = t.row(r);
    for (std::size_t c = 0; c < t.cols(); ++c) {
      const float v = row[c];
      if (std::isfinite(v)) continue;
      std::string where;
      if (source_rows) {
        where = locate ? locate((*source_rows)[r]) : std::string();
        if (where.empty()) where = "row " + std::to_string((*source_rows)[r]) + " of the data (counted from 0)";
        where += " (" + part + ")";
      } else {
        where = part + ", row " + std::to_string(r + 1) + " of " + std::to_string(t.rows);
      }
      const std::string value = std::isnan(v) ? "NaN (missing)" : v > 0 ? "inf" : "-inf";
      throw UserError(where + ": column '" + t.columns[c] + "' is " + value +
                      " after the data stages: the model cannot take missing or infinite values");
    }
  }
}

}  // namespace pipeml
