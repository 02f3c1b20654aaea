// check_finite: the first NaN or infinite value, named by the data file's line while the
// row is a file row, else by its place in the part.
#include <catch2/catch.hpp>

#include <limits>

#include "runtime/finite_check.h"
#include "runtime/user_error.h"

namespace {

using namespace pipeml;

Table table_with(float value, std::size_t row, std::size_t col) {
  Table t;
  t.columns = {"age", "chol", "thal"};
  t.class_names = {"0", "1"};
  t.rows = 4;
  t.x.assign(12, 1.0f);
  t.y = {0, 1, 0, 1};
  t.x[row * 3 + col] = value;
  return t;
}

std::string error_of(const Table& t, const std::vector<std::size_t>* rows,
                     const std::function<std::string(std::size_t)>& locate = {}) {
  try {
    check_finite(t, "train part", rows, locate);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();

}  // namespace

TEST_CASE("check_finite names the file's line while rows are the file's rows", "[finite]") {
  const std::vector<std::size_t> source = {7, 3, 12, 0};
  const auto locate = [](std::size_t row) { return "data.csv:" + std::to_string(row + 2); };
  CHECK(error_of(table_with(kInf, 2, 1), &source, locate) ==
        "data.csv:14 (train part): column 'chol' is inf after the data stages: the model cannot take missing or "
        "infinite values");
  CHECK(error_of(table_with(kNaN, 1, 2), &source, locate) ==
        "data.csv:5 (train part): column 'thal' is NaN (missing) after the data stages: the model cannot take "
        "missing or infinite values");
  // A locator that cannot find the row: the row number alone.
  CHECK(error_of(table_with(-kInf, 0, 0), &source, [](std::size_t) { return std::string(); }) ==
        "row 7 of the data (counted from 0) (train part): column 'age' is -inf after the data stages: the model "
        "cannot take missing or infinite values");
}

TEST_CASE("check_finite names rows the data stages made by their place in the part", "[finite]") {
  CHECK(error_of(table_with(kInf, 3, 0), nullptr) ==
        "train part, row 4 of 4: column 'age' is inf after the data stages: the model cannot take missing or "
        "infinite values");
  // The first bad value, row by row: row 1's last column before row 2's first.
  Table t = table_with(kNaN, 2, 0);
  t.x[1 * 3 + 2] = kInf;
  CHECK(error_of(t, nullptr) ==
        "train part, row 2 of 4: column 'thal' is inf after the data stages: the model cannot take missing or "
        "infinite values");
  CHECK(error_of(table_with(1e38f, 0, 0), nullptr) == "(no error)");
}
