// one_hot_encode and ordinal_encode against sklearn's OneHotEncoder and OrdinalEncoder
// (fixtures from tests/fixtures/make_feature_fixtures.py), and their errors, whole.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "ops/encoders.h"
#include "runtime/user_error.h"
#include "tests/message_of.h"
#include "tests/ops/categorical_tables.h"

namespace {

using namespace pipeml;
using nlohmann::json;

json fixture(const std::string& name) {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/features/" + name);
  REQUIRE(in);
  return json::parse(in);
}

/// The train and test tables of a case, the integer column 'n' among the categorical ones
/// (its categories sort as numbers, as sklearn sorts an integer column).
std::vector<Table> tables_of(const json& c) {
  return pipetest::categorical_tables({c["train"], c["test"]}, c["order"].get<std::vector<std::string>>());
}

void check_values(const Table& t, const json& want) {
  REQUIRE(t.rows == want.size());
  for (std::size_t r = 0; r < t.rows; ++r) {
    REQUIRE(t.cols() == want[r].size());
    for (std::size_t k = 0; k < t.cols(); ++k) {
      INFO("row " << r << " column " << t.columns[k]);
      if (want[r][k].is_null()) CHECK(std::isnan(t.row(r)[k]));
      else CHECK(t.row(r)[k] == static_cast<float>(want[r][k].get<double>()));
    }
  }
}

/// sklearn's categories_[i] (None for nan) as pipe keeps them.
std::vector<json> categories_json(const std::vector<encode::Categories>& columns) {
  std::vector<json> out;
  for (const auto& c : columns) {
    json names = c.names;
    if (c.missing) names.push_back(nullptr);
    out.push_back(names);
  }
  return out;
}


Table color_table() {
  Table t;
  t.columns = {"age", "color", "size"};
  t.kinds = {ColumnKind::numeric, ColumnKind::categorical, ColumnKind::categorical};
  t.categories = {{}, {"blue", "green", "red"}, {"M", "S"}};
  t.class_names = {"no", "yes"};
  t.rows = 3;
  t.x = {30, 2, 1, 40, 0, 0, 50, 2, 1};
  t.y = {0, 1, 1};
  return t;
}

}  // namespace

TEST_CASE("one_hot_encode matches sklearn's OneHotEncoder", "[one_hot_encode]") {
  const json f = fixture("one_hot.json");
  REQUIRE(f["cases"].size() == 18);
  for (const json& c : f["cases"]) {
    SECTION(c["table"].get<std::string>() + " drop=" + c["drop"].get<std::string>() + " handle_unknown=" +
            c["handle_unknown"].get<std::string>()) {
      auto parts = tables_of(c);
      const std::string drop = c["drop"];
      const auto encoder =
          encode::fit_one_hot(parts[0], {0, 1, 2},
                              drop == "first" ? encode::Drop::first : drop == "if_binary" ? encode::Drop::if_binary : encode::Drop::none,
                              c["handle_unknown"] == "ignore");
      CHECK(categories_json(encoder.columns) == c["categories"].get<std::vector<json>>());
      std::vector<json> drop_idx;
      for (int d : encoder.drop_idx) drop_idx.push_back(d < 0 ? json(nullptr) : json(d));
      if (c["drop_idx"].is_null()) CHECK(encoder.drop_idx == std::vector<int>{-1, -1, -1});
      else CHECK(drop_idx == c["drop_idx"].get<std::vector<json>>());
      CHECK(encoder.feature_names_out() == c["feature_names_out"].get<std::vector<std::string>>());
      encode::transform(encoder, parts[0]);
      CHECK(parts[0].columns == encoder.feature_names_out());
      CHECK_FALSE(parts[0].has_categorical());
      check_values(parts[0], c["train_transformed"]);
      if (c.contains("test_error")) {
        // sklearn: "Found unknown categories ['purple', nan] in column 0 during transform"
        CHECK(pipetest::message_of([&] { encode::transform(encoder, parts[1]); }) ==
              "cannot one_hot_encode column 'color': the training rows do not have its category 'purple' "
              "(handle_unknown 'error')");
      } else {
        encode::transform(encoder, parts[1]);
        check_values(parts[1], c["test_transformed"]);
      }
    }
  }
}

TEST_CASE("ordinal_encode matches sklearn's OrdinalEncoder", "[ordinal_encode]") {
  const json f = fixture("ordinal.json");
  REQUIRE(f["cases"].size() == 18);
  for (const json& c : f["cases"]) {
    SECTION(c["table"].get<std::string>() + " " + c["handle_unknown"].get<std::string>() +
            " unknown_value=" + c["unknown_value"].dump() + " encoded_missing_value=" + c["encoded_missing_value"].dump()) {
      auto parts = tables_of(c);
      const auto number = [](const json& v) { return v.is_null() || v == "nan" ? std::nan("") : v.get<double>(); };
      const auto fit = [&] {
        return encode::fit_ordinal(parts[0], {0, 1, 2}, c["handle_unknown"] == "use_encoded_value", number(c["unknown_value"]),
                                   number(c["encoded_missing_value"]));
      };
      if (c.contains("fit_error")) {
        // sklearn: "The used value for unknown_value 1 is one of the values already used for
        // encoding the seen categories." / "encoded_missing_value (0) is already used to
        // encode a known category in features: ['color' 'size']"
        const std::map<std::string, std::string> colors = {
            {"known", "'color' has 3 categories: codes 0 to 2"},
            {"missing", "'color' has 3 categories, a missing value among them: codes 0 to 2"},
            {"unknown", "'color' has 2 categories: codes 0 to 1"}};
        const std::string which = c["unknown_value"] == 1 ? "'unknown_value' 1" : "'encoded_missing_value' 0";
        CHECK(pipetest::message_of([&] { fit(); }) == which + " is the code of a known category (" + colors.at(c["table"]) + ")");
        continue;
      }
      const auto encoder = fit();
      CHECK(categories_json(encoder.columns) == c["categories"].get<std::vector<json>>());
      encode::transform(encoder, parts[0]);
      CHECK_FALSE(parts[0].has_categorical());
      CHECK(parts[0].categories[0].empty());
      check_values(parts[0], c["train_transformed"]);
      if (c.contains("test_error")) {
        CHECK(pipetest::message_of([&] { encode::transform(encoder, parts[1]); }) ==
              "cannot ordinal_encode column 'color': the training rows do not have its category 'purple' "
              "(handle_unknown 'error')");
      } else {
        encode::transform(encoder, parts[1]);
        check_values(parts[1], c["test_transformed"]);
      }
    }
  }
}

TEST_CASE("one_hot_encode puts the new columns where the old one stood, labels and all", "[one_hot_encode]") {
  Table t = color_table();
  const auto encoder = encode::fit_one_hot(t, {1}, encode::Drop::none, false);
  CHECK(encoder.feature_names_out() == std::vector<std::string>{"color_blue", "color_red"});  // no green in these rows
  encode::transform(encoder, t);
  CHECK(t.columns == std::vector<std::string>{"age", "color_blue", "color_red", "size"});
  CHECK(t.kinds == std::vector<ColumnKind>{ColumnKind::numeric, ColumnKind::numeric, ColumnKind::numeric, ColumnKind::categorical});
  CHECK(t.categories[3] == std::vector<std::string>{"M", "S"});
  CHECK(t.x == std::vector<float>{30, 0, 1, 1, 40, 1, 0, 0, 50, 0, 1, 1});
  CHECK(t.y == std::vector<int>{0, 1, 1});
  CHECK(t.class_names == std::vector<std::string>{"no", "yes"});

  // The categories are kept by name: a table whose codes differ is encoded the same way.
  Table other = color_table();
  other.categories[1] = {"red", "blue"};
  other.x = {1, 0, 0, 2, 1, 1, 3, 0, 1};
  const auto again = encode::fit_one_hot(color_table(), {1}, encode::Drop::none, true);
  encode::transform(again, other);
  CHECK(other.columns == t.columns);
  CHECK(other.x == std::vector<float>{1, 0, 1, 0, 2, 1, 0, 1, 3, 0, 1, 1});
}

TEST_CASE("one_hot_encode and ordinal_encode refuse what they cannot encode", "[one_hot_encode][ordinal_encode]") {
  Table t = color_table();
  Table test = color_table();
  test.x[1] = 1;  // green: not in the training rows
  const auto strict = encode::fit_one_hot(t, {1, 2}, encode::Drop::none, false);
  CHECK(pipetest::message_of([&] { encode::transform(strict, test); }) ==
        "cannot one_hot_encode column 'color': the training rows do not have its category 'green' (handle_unknown 'error')");
  test.x[1] = std::nanf("");
  CHECK(pipetest::message_of([&] { encode::transform(strict, test); }) ==
        "cannot one_hot_encode column 'color': the training rows do not have its missing values (handle_unknown 'error')");
  const auto unknown = encode::first_unknown(strict.columns, test);
  REQUIRE(unknown);
  CHECK(encode::unknown_text(*unknown) == "a missing value of column 'color'");
  CHECK(unknown->row == 0);
  test.x[1] = 2;
  test.x[7] = 1;
  CHECK(encode::unknown_text(*encode::first_unknown(strict.columns, test)) == "category 'green' of column 'color'");

  const auto ordinal = encode::fit_ordinal(t, {2}, false, std::nan(""), std::nan(""));
  test = color_table();
  test.categories[2] = {"L", "M", "S"};
  test.x[5] = 0;
  CHECK(pipetest::message_of([&] { encode::transform(ordinal, test); }) ==
        "cannot ordinal_encode column 'size': the training rows do not have its category 'L' (handle_unknown 'error')");
  CHECK(pipetest::message_of([&] { encode::fit_ordinal(t, {1, 2}, true, 0, std::nan("")); }) ==
        "'unknown_value' 0 is the code of a known category ('color' has 2 categories: codes 0 to 1)");

  // A column called like an output column.
  t.columns[0] = "size_M";
  const auto clash = encode::fit_one_hot(t, {2}, encode::Drop::none, false);
  CHECK(pipetest::message_of([&] { encode::transform(clash, t); }) == "one_hot_encode would make a second column called 'size_M'");
}
