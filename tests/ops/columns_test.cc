// Column selection by name and glob pattern (with every message, whole), the order of
// categories, and sub-tables.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "ops/columns.h"

namespace {

using namespace pipeml;
using columns::Request;
using columns::Want;

const std::vector<std::string> kNames = {"age", "chol", "thal", "thalach", "color", "size"};
const std::vector<ColumnKind> kKinds = {ColumnKind::numeric, ColumnKind::numeric, ColumnKind::categorical,
                                        ColumnKind::numeric, ColumnKind::categorical, ColumnKind::categorical};
const Request kScale{"columns", "'standardize'", Want::numeric, {}};
const Request kEncode{"columns", "'one_hot_encode'", Want::categorical, {}};

columns::Selection select(const std::vector<std::string>& entries, const Request& r) {
  return columns::select(entries, kNames, kKinds, r);
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

}  // namespace

TEST_CASE("names and patterns select columns in table order, each once", "[columns]") {
  auto s = select({"thalach", "age", "th*", "a?e"}, kScale);
  CHECK(s.problems.empty());
  CHECK(s.indices == std::vector<std::size_t>{0, 3});  // 'thal' is categorical: the pattern skips it
  s = select({"[ct]*"}, kEncode);
  CHECK(s.problems.empty());
  CHECK(s.indices == std::vector<std::size_t>{2, 4});
  s = select({"*"}, Request{"keep", "'select_columns'", Want::any, {}});
  CHECK(s.indices == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
  CHECK(columns::all_of(kKinds, kNames.size(), Want::numeric) == std::vector<std::size_t>{0, 1, 3});
  CHECK(columns::all_of(kKinds, kNames.size(), Want::categorical) == std::vector<std::size_t>{2, 4, 5});
  CHECK(columns::all_of({}, 3, Want::numeric) == std::vector<std::size_t>{0, 1, 2});  // no kinds: all numeric
  CHECK(columns::all_of({}, 3, Want::categorical).empty());
  CHECK(columns::is_pattern("thal*"));
  CHECK(columns::is_pattern("c?l"));
  CHECK(columns::is_pattern("[ab]x"));
  CHECK_FALSE(columns::is_pattern("chol"));
  CHECK(columns::matches("*_id", "user_id"));
  CHECK_FALSE(columns::matches("*_id", "user_ids"));
}

TEST_CASE("a name or pattern that selects nothing says why", "[columns]") {
  const auto s = select({"chl", "zz*", "color", "siz?", "age"}, kScale);
  CHECK(s.indices == std::vector<std::size_t>{0});
  REQUIRE(s.problems.size() == 4);
  CHECK(s.problems[0].entry == 0);
  CHECK(s.problems[0].message == "no column 'chl' in the data for 'columns' \u2014 did you mean 'chol'?");
  CHECK(s.problems[0].note == "the columns are 'age', 'chol', 'thal', 'thalach', 'color', and 'size'");
  CHECK(s.problems[1].entry == 1);
  CHECK(s.problems[1].message == "'zz*' matches no column");
  CHECK(s.problems[1].note == "the columns are 'age', 'chol', 'thal', 'thalach', 'color', and 'size'");
  CHECK(s.problems[2].entry == 2);
  CHECK(s.problems[2].message == "'standardize' takes numeric columns, but 'color' is categorical");
  CHECK(s.problems[2].note == "encode it with one_hot_encode or ordinal_encode instead");
  CHECK(s.problems[3].entry == 3);
  CHECK(s.problems[3].message == "'siz?' matches no numeric column");
  CHECK(s.problems[3].note == "it matches 'size', which is categorical");

  const auto e = select({"age", "*a*", "zzz"}, kEncode);
  REQUIRE(e.problems.size() == 2);
  CHECK(e.problems[0].message == "'one_hot_encode' takes categorical columns, but 'age' is numeric");
  CHECK(e.problems[0].note == "to read a column of numbers as categories, list it in load_csv's 'categorical'");
  CHECK(e.problems[1].message == "no column 'zzz' in the data for 'columns'");
  CHECK(e.indices == std::vector<std::size_t>{2});  // '*a*' matches 'thal'; 'age', 'chol'... are numeric
  const auto n = select({"*c*"}, Request{"columns", "'x'", Want::numeric, "a note of its own"});
  CHECK(n.indices == std::vector<std::size_t>{1, 3});
  const auto few = columns::select({"?*"}, {"a", "b", "c", "d", "e"}, {}, kEncode);
  REQUIRE(few.problems.size() == 1);
  CHECK(few.problems[0].note == "it matches 'a', 'b', 'c', and 2 more, which are numeric");
  const auto own = select({"color"}, Request{"columns", "'impute' with strategy 'mean'", Want::numeric, "a note of its own"});
  REQUIRE(own.problems.size() == 1);
  CHECK(own.problems[0].message == "'impute' with strategy 'mean' takes numeric columns, but 'color' is categorical");
  CHECK(own.problems[0].note == "a note of its own");
}

TEST_CASE("categories sort as numbers when all are numbers, else as text", "[columns]") {
  std::vector<std::string> c = {"10", "9", "-1.5", "+2", "1e1"};
  columns::sort_categories(c);
  CHECK(c == std::vector<std::string>{"-1.5", "+2", "9", "10", "1e1"});
  c = {"b", "10", "B", "9", "a"};
  columns::sort_categories(c);
  CHECK(c == std::vector<std::string>{"10", "9", "B", "a", "b"});
  double v = 0;
  CHECK(columns::parse_number("+2", v));
  CHECK(v == 2);
  CHECK_FALSE(columns::parse_number("+-2", v));
  CHECK_FALSE(columns::parse_number("", v));
  CHECK_FALSE(columns::parse_number("2x", v));
}

TEST_CASE("a new category joins in sorted order and the codes follow", "[columns]") {
  std::vector<std::string> c = {"east", "north", "west"};
  float code = -1;
  auto moved = columns::add_category(c, "missing_value", code);
  CHECK(c == std::vector<std::string>{"east", "missing_value", "north", "west"});
  CHECK(code == 1);
  CHECK(moved == std::vector<float>{0, 2, 3});
  moved = columns::add_category(c, "north", code);  // already there: nothing moves
  CHECK(code == 2);
  CHECK(moved == std::vector<float>{0, 1, 2, 3});
  // Numbers stop sorting as numbers once a text joins them.
  c = {"2", "10"};
  moved = columns::add_category(c, "none", code);
  CHECK(c == std::vector<std::string>{"10", "2", "none"});
  CHECK(moved == std::vector<float>{1, 0});
  CHECK(code == 2);

  Table t;
  t.columns = {"n", "region"};
  t.kinds = {ColumnKind::numeric, ColumnKind::categorical};
  t.categories = {{}, {"east", "north"}};
  t.rows = 3;
  t.x = {1, 0, 2, kNaN, 3, 1};
  columns::recode(t, 1, {5, 7});
  CHECK(t.x[1] == 5);
  CHECK(std::isnan(t.x[3]));
  CHECK(t.x[5] == 7);
}

TEST_CASE("gather and scatter move a few columns out of a table and back", "[columns]") {
  Table t;
  t.columns = {"a", "b", "c"};
  t.kinds = {ColumnKind::numeric, ColumnKind::categorical, ColumnKind::numeric};
  t.categories = {{}, {"x", "y"}, {}};
  t.class_names = {"no", "yes"};
  t.rows = 2;
  t.x = {1, 0, 3, 4, 1, 6};
  t.y = {0, 1};
  Table sub = columns::gather(t, {2, 1});
  CHECK(sub.columns == std::vector<std::string>{"c", "b"});
  CHECK(sub.kinds == std::vector<ColumnKind>{ColumnKind::numeric, ColumnKind::categorical});
  CHECK(sub.categories[1] == std::vector<std::string>{"x", "y"});
  CHECK(sub.x == std::vector<float>{3, 0, 6, 1});
  CHECK(sub.y.empty());
  sub.x = {30, 10, 60, 11};
  columns::scatter(t, {2, 1}, sub);
  CHECK(t.x == std::vector<float>{1, 10, 30, 4, 11, 60});
  CHECK(columns::names_of(t.columns, {2, 0}) == std::vector<std::string>{"c", "a"});

  // take() and like() keep the kinds and categories; a table without kinds is numeric.
  const Table two = t.take({1, 1});
  CHECK(two.kinds == t.kinds);
  CHECK(two.categories == t.categories);
  CHECK(two.is_categorical(1));
  CHECK_FALSE(two.is_categorical(0));
  CHECK(t.like().rows == 0);
  CHECK(t.like().categories == t.categories);
  Table plain;
  plain.columns = {"a"};
  CHECK_FALSE(plain.is_categorical(0));
  CHECK_FALSE(plain.has_categorical());
  CHECK(t.has_categorical());
}
