// Categorical columns in read_csv: against pandas (fixtures from
// tests/fixtures/make_feature_fixtures.py), the rule that finds them, files split into
// pieces, and the errors, whole.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ops/load_csv.h"
#include "tests/temp_dir.h"

namespace {

using namespace pipeml;
using csv::CsvOptions;
using nlohmann::json;

const std::string kFixtures = std::string(PIPE_TEST_DIR) + "/fixtures/features/";

json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return json::parse(in);
}

struct Files : pipetest::TempDir {
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
};

Table read_text(const Files& dir, const std::string& text, CsvOptions o) {
  o.path = dir.write("data.csv", text);
  return csv::read_csv(o);
}

CsvOptions with_target(const std::string& target, std::vector<std::string> categorical = {}) {
  CsvOptions o;
  o.target = target;
  o.categorical = std::move(categorical);
  return o;
}

std::string error_of(const CsvOptions& o) {
  try {
    csv::read_csv(o);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

/// Column c of t, NaN as -1 (comparable with ==).
std::vector<float> column(const Table& t, std::size_t c) {
  std::vector<float> v;
  for (std::size_t r = 0; r < t.rows; ++r) v.push_back(std::isnan(t.row(r)[c]) ? -1.0f : t.row(r)[c]);
  return v;
}

}  // namespace

TEST_CASE("read_csv reads categorical columns as pandas reads text", "[load_csv][categorical]") {
  const json fixture = read_json(kFixtures + "csv_categorical.json");
  REQUIRE(fixture["cases"].size() == 3);
  for (const json& c : fixture["cases"]) {
    SECTION(c["file"].get<std::string>()) {
      CsvOptions o;
      o.path = kFixtures + c["file"].get<std::string>();
      o.header = c["header"];
      o.column_names = c["column_names"].get<std::vector<std::string>>();
      o.delimiter = c["delimiter"].get<std::string>()[0];
      o.na_values = c["na_values"].get<std::vector<std::string>>();
      o.target = c["target"];
      o.categorical = c["categorical"].get<std::vector<std::string>>();
      const Table t = csv::read_csv(o);
      CHECK(t.class_names == c["class_names"].get<std::vector<std::string>>());
      CHECK(t.y == c["y"].get<std::vector<int>>());
      REQUIRE(t.cols() == c["columns"].size());
      REQUIRE(t.kinds.size() == t.cols());
      REQUIRE(t.categories.size() == t.cols());
      for (std::size_t k = 0; k < t.cols(); ++k) {
        const json& col = c["columns"][k];
        INFO("column " << col["name"]);
        CHECK(t.columns[k] == col["name"].get<std::string>());
        CHECK(t.is_categorical(k) == (col["kind"] == "categorical"));
        CHECK(t.categories[k] == col["categories"].get<std::vector<std::string>>());
        REQUIRE(t.rows == col["x"].size());
        for (std::size_t r = 0; r < t.rows; ++r) {
          INFO("row " << r);
          if (col["x"][r].is_null()) CHECK(std::isnan(t.row(r)[k]));
          else CHECK(t.row(r)[k] == static_cast<float>(col["x"][r].get<double>()));
        }
      }
    }
  }
}

TEST_CASE("a column is categorical when its first value that is not missing is text", "[load_csv][categorical]") {
  Files dir;
  SECTION("text first: every value is a category, numbers too, by value") {
    const Table t = read_text(dir, "a,b,y\n,x,0\nred,1,1\n5,2,0\nblue,x,1\n5.0,1.0,0\n", with_target("y"));
    CHECK(t.is_categorical(0));
    CHECK(t.categories[0] == std::vector<std::string>{"5", "blue", "red"});
    CHECK(column(t, 0) == std::vector<float>{-1, 2, 0, 1, 0});
    CHECK(t.is_categorical(1));  // 'x' comes first
    CHECK(t.categories[1] == std::vector<std::string>{"1", "2", "x"});
    CHECK(column(t, 1) == std::vector<float>{2, 0, 1, 2, 0});
  }
  SECTION("a number first: numeric, and text later is an error, with the column named") {
    CsvOptions o = with_target("y");
    o.path = dir.write("bad.csv", "a,b,y\n1,x,0\n2,y,1\n3,abc,0\nnope,z,1\n");
    try {
      csv::read_csv(o);
      FAIL("no error");
    } catch (const csv::TextInNumericColumn& e) {
      CHECK(std::string(e.what()) == o.path + ":5: column 'a': 'nope' is not a number");
      CHECK(e.column == "a");
    }
  }
  SECTION("listed in 'categorical': numbers become categories, sorted as numbers") {
    const Table t = read_text(dir, "n,m,y\n10,1,0\n9,2,1\n,3,0\n10.0,4,1\n-2,5,0\n", with_target("y", {"n"}));
    CHECK(t.is_categorical(0));
    CHECK_FALSE(t.is_categorical(1));
    CHECK(t.categories[0] == std::vector<std::string>{"-2", "9", "10"});  // "10.0" is "10", named as first seen
    CHECK(column(t, 0) == std::vector<float>{2, 1, -1, 2, 0});
    CHECK(column(t, 1) == std::vector<float>{1, 2, 3, 4, 5});
  }
  SECTION("patterns in 'categorical', and a column that is only ever missing stays numeric") {
    const Table t = read_text(dir, "c1,c2,d,e,y\n1,2,3,,0\n1,3,4,NA,1\n", with_target("y", {"c*"}));
    CHECK(t.is_categorical(0));
    CHECK(t.is_categorical(1));
    CHECK_FALSE(t.is_categorical(2));
    CHECK_FALSE(t.is_categorical(3));
    CHECK(t.categories[0] == std::vector<std::string>{"1"});
    CHECK(t.categories[3].empty());
  }
  SECTION("quoted categories keep their delimiters and quotes; spaces around fields go") {
    const Table t = read_text(dir, "s,y\n\"a, b\",0\n  plain  ,1\n\"say \"\"hi\"\"\",0\n\"\",1\n", with_target("y"));
    CHECK(t.categories[0] == std::vector<std::string>{"a, b", "plain", "say \"hi\""});
    CHECK(column(t, 0) == std::vector<float>{0, 1, 2, -1});  // "" is missing, quoted or not
  }
  SECTION("text classes, and a table without categorical columns has every kind numeric") {
    const Table t = read_text(dir, "x,label\n1,yes\n2,no\n3,yes\n", with_target("label"));
    CHECK(t.class_names == std::vector<std::string>{"no", "yes"});
    CHECK(t.y == std::vector<int>{1, 0, 1});
    CHECK(t.kinds == std::vector<ColumnKind>{ColumnKind::numeric});
    CHECK_FALSE(t.has_categorical());
  }
}

TEST_CASE("categories seen first in later pieces of a large file get the codes of the whole file", "[load_csv][categorical]") {
  // About 10 MB: several pieces on a machine with several cores. 'c' cycles through three
  // categories, and a fourth ('aardvark', first in the sort) appears only near the end.
  std::string file = "x,c,y\n";
  const std::size_t rows = 400000;
  const char* names[] = {"pear", "fig", "kiwi"};
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string c = i == rows - 3 ? "aardvark" : names[i % 3];
    file += std::to_string(i) + ".5," + c + "," + std::to_string(i % 2) + "\n";
  }
  Files dir;
  const Table t = read_text(dir, file, with_target("y"));
  REQUIRE(t.rows == rows);
  CHECK(t.categories[1] == std::vector<std::string>{"aardvark", "fig", "kiwi", "pear"});
  const float code_of[] = {3, 1, 2};  // pear, fig, kiwi
  bool all_match = true;
  for (std::size_t i = 0; i < rows && all_match; ++i) {
    const float want = i == rows - 3 ? 0 : code_of[i % 3];
    all_match = t.row(i)[1] == want && t.row(i)[0] == static_cast<float>(i) + 0.5f;
    if (!all_match) INFO("first difference at row " << i);
  }
  CHECK(all_match);
}

TEST_CASE("read_csv's errors about categorical columns", "[load_csv][categorical]") {
  Files dir;
  CsvOptions o = with_target("y");
  o.path = dir.write("d.csv", "a,bee,y\n1,x,0\n2,z,1\n");
  o.categorical = {"be"};
  CHECK(error_of(o) == o.path + ": no column 'be' for 'categorical'; the columns are 'a', 'bee', 'y' \u2014 did you mean 'bee'?");
  o.categorical = {"q*"};
  CHECK(error_of(o) == o.path + ": 'q*' in 'categorical' matches no column; the columns are 'a', 'bee', 'y'");
  o.categorical = {"y"};
  CHECK(error_of(o) == o.path + ": column 'y' in 'categorical' is the target, whose classes are categories already");
  // A dropped column may be named: it is not read at all.
  o.categorical = {"bee"};
  o.drop = {"bee"};
  CHECK(error_of(o) == "(no error)");
}
