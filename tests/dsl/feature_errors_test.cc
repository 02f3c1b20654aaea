// The planner's messages about categorical columns, encoders, scalers and column lists,
// compared whole, on a pipeline over examples/data/customers.csv (text categories, text
// classes). Each case changes one thing in a valid pipeline; one mistake, one error.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

#include <algorithm>
#include <memory>

using pipetest::errors_of;
using pipetest::replaced;

namespace {

// Line numbers the tests point at: load_csv 4, categorical 7, split 8, impute 10,
// one_hot_encode 12 (columns 13, handle_unknown 14), ordinal_encode 15 (columns 16),
// standardize 17, model 19.
std::string customers_yaml(const std::string& data = std::string(PIPE_SOURCE_DIR) + "/examples/data/customers.csv") {
  return R"(pipeline: customers
seed: 7
data:
  - op: load_csv
    path: )" + data + R"(
    target: churn
    categorical: [contract]
  - op: split
    test_size: 0.25
  - op: impute
    strategy: median
  - op: one_hot_encode
    columns: [plan, region, contract]
    handle_unknown: ignore
  - op: ordinal_encode
    columns: [paperless]
  - op: standardize
model:
  op: mlp
loss:
  op: bce_with_logits
optimizer:
  op: adamw
train:
  epochs: 2
  drop_last: true
)";
}

// A small file whose last two rows are the test part (shuffle off): the first of them a
// known kind of row of class 'no' (the test part needs both classes), the last with
// categories that no training row has.
std::string unknown_categories_yaml(const pipetest::TempDir& dir) {
  std::string csv = "age,monthly_charges,tenure_months,plan,region,contract,paperless,churn\n";
  for (int i = 0; i < 40; ++i)
    csv += std::to_string(20 + i) + ",50," + std::to_string(i) + "," + (i % 2 ? "basic" : "pro") + "," +
           (i % 3 ? "north" : "south") + ",12," + (i % 2 ? "yes" : "no") + "," + (i % 4 ? "no" : "yes") + "\n";
  csv += "65,50,5,basic,north,12,no,no\n70,55,3,enterprise,west,24,maybe,yes\n";
  pipetest::write_file(dir.path("unknown.csv"), csv);
  return replaced(replaced(customers_yaml(dir.path("unknown.csv")), "    test_size: 0.25\n",
                           "    test_size: 2\n    shuffle: false\n    stratify: false\n"),
                  "    columns: [paperless]\n", "    columns: [paperless]\n    handle_unknown: use_encoded_value\n    unknown_value: -1\n");
}

}  // namespace

TEST_CASE("the customers pipeline is valid") { CHECK(errors_of(customers_yaml()) == ""); }

// --- Encoders ---------------------------------------------------------------------------

TEST_CASE("one_hot_encode on a numeric column") {
  CHECK(errors_of(replaced(customers_yaml(), "[plan, region, contract]", "[plan, age, region, contract]")) ==
        "t.yaml:13:21: error: 'one_hot_encode' takes categorical columns, but 'age' is numeric\n"
        "      columns: [plan, age, region, contract]\n"
        "                      ^~~\n"
        "  note: to read a column of numbers as categories, list it in load_csv's 'categorical'\n");
}

TEST_CASE("one_hot_encode before the split") {
  // Moved to just before the split; its own error only.
  const std::string text = replaced(
      replaced(customers_yaml(), "  - op: one_hot_encode\n    columns: [plan, region, contract]\n    handle_unknown: ignore\n", ""),
      "  - op: split\n", "  - op: one_hot_encode\n    columns: [plan, region, contract]\n  - op: split\n");
  CHECK(errors_of(text) ==
        "t.yaml:8:9: error: 'one_hot_encode' before 'split' learns its categories from test rows too (leakage)\n"
        "    - op: one_hot_encode\n"
        "          ^~~~~~~~~~~~~~\n"
        "  note: move this stage after 'op: split'\n");
}

TEST_CASE("a category of the test part that the training part lacks, with handle_unknown error") {
  pipetest::TempDir dir;
  const std::string text = unknown_categories_yaml(dir);
  CHECK(errors_of(text) == "");  // 'ignore': all zeros
  CHECK(errors_of(replaced(text, "    handle_unknown: ignore\n", "")) ==
        "t.yaml:14:9: error: category 'enterprise' of column 'plan' is in the test part but not in the training part\n"
        "    - op: one_hot_encode\n"
        "          ^~~~~~~~~~~~~~\n"
        "  note: set 'handle_unknown: ignore' to encode it as all zeros\n");
  CHECK(errors_of(replaced(text, "handle_unknown: ignore", "handle_unknown: error")) ==
        "t.yaml:16:21: error: category 'enterprise' of column 'plan' is in the test part but not in the training part\n"
        "      handle_unknown: error\n"
        "                      ^~~~~\n"
        "  note: set 'handle_unknown: ignore' to encode it as all zeros\n");
  CHECK(errors_of(replaced(text, "handle_unknown: use_encoded_value\n    unknown_value: -1\n", "handle_unknown: error\n")) ==
        "t.yaml:19:21: error: category 'maybe' of column 'paperless' is in the test part but not in the training part\n"
        "      handle_unknown: error\n"
        "                      ^~~~~\n"
        "  note: set 'handle_unknown: use_encoded_value' and 'unknown_value: -1' to give such categories a code\n");
}

TEST_CASE("ordinal_encode's unknown_value and encoded_missing_value") {
  const auto with = [](const std::string& params) {
    return errors_of(replaced(customers_yaml(), "    columns: [paperless]\n", "    columns: [paperless]\n" + params));
  };
  CHECK(with("    handle_unknown: use_encoded_value\n") ==
        "t.yaml:17:21: error: 'handle_unknown: use_encoded_value' needs 'unknown_value'\n"
        "      handle_unknown: use_encoded_value\n"
        "                      ^~~~~~~~~~~~~~~~~\n"
        "  note: the code of categories that the training part lacks, for example 'unknown_value: -1'\n");
  CHECK(with("    unknown_value: -1\n") ==
        "t.yaml:17:20: error: 'unknown_value' is only for 'handle_unknown: use_encoded_value'\n"
        "      unknown_value: -1\n"
        "                     ^~\n"
        "  note: with 'handle_unknown: error' a category that the training part lacks is an error\n");
  CHECK(with("    handle_unknown: use_encoded_value\n    unknown_value: 0.5\n") ==
        "t.yaml:18:20: error: 'unknown_value' must be a whole number or nan, got '0.5'\n"
        "      unknown_value: 0.5\n"
        "                     ^~~\n");
  CHECK(with("    handle_unknown: use_encoded_value\n    unknown_value: 1\n") ==
        "t.yaml:18:20: error: 'unknown_value' 1 is the code of a known category ('paperless' has 2 categories: codes 0 "
        "to 1)\n"
        "      unknown_value: 1\n"
        "                     ^\n"
        "  note: use a negative code such as -1, or nan\n");
  CHECK(with("    handle_unknown: use_encoded_value\n    unknown_value: nan\n    encoded_missing_value: -1\n") == "");
  CHECK(with("    encoded_missing_value: none\n") ==
        "t.yaml:17:28: error: unknown encoded_missing_value 'none' for 'ordinal_encode' \u2014 did you mean 'nan'?\n"
        "      encoded_missing_value: none\n"
        "                             ^~~~\n"
        "  note: expected 'nan'\n");
}

TEST_CASE("encoding after smote is too late: smote says so, once") {
  const std::string text = replaced(customers_yaml(), "  - op: one_hot_encode\n", "  - op: smote\n  - op: one_hot_encode\n");
  CHECK(errors_of(text) ==
        "t.yaml:12:9: error: 'smote' needs numeric data, but 'plan' (3 categories), 'region' (4 categories), 'contract' "
        "(3 categories), 'paperless' (2 categories) are categorical\n"
        "    - op: smote\n"
        "          ^~~~~\n"
        "  note: encode categorical columns before it: add '- op: one_hot_encode' (or ordinal_encode) after 'split'\n");
}

// --- Imputing and scaling categorical columns ------------------------------------------

TEST_CASE("impute with mean on a categorical column") {
  CHECK(errors_of(replaced(customers_yaml(), "    strategy: median\n", "    strategy: mean\n    columns: [age, region]\n")) ==
        "t.yaml:12:20: error: 'impute' with strategy 'mean' takes numeric columns, but 'region' is categorical\n"
        "      columns: [age, region]\n"
        "                     ^~~~~~\n"
        "  note: impute it in a stage of its own with strategy 'most_frequent' or 'constant' ('columns: [NAME]')\n");
  CHECK(errors_of(replaced(customers_yaml(), "    strategy: median\n", "    strategy: most_frequent\n    columns: [age, region]\n")) ==
        "");
}

TEST_CASE("standardize on a categorical column, and on a column that encoding replaced") {
  CHECK(errors_of(replaced(customers_yaml(), "  - op: impute\n",
                           "  - id: scale_first\n    op: standardize\n    columns: [\"*e*\", plan]\n  - op: impute\n")) ==
        "t.yaml:12:22: error: 'standardize' takes numeric columns, but 'plan' is categorical\n"
        "      columns: [\"*e*\", plan]\n"
        "                       ^~~~\n"
        "  note: encode it with one_hot_encode or ordinal_encode instead\n");
  CHECK(errors_of(replaced(customers_yaml(), "  - op: standardize\n", "  - op: standardize\n    columns: [plan]\n")) ==
        "t.yaml:18:15: error: no column 'plan' in the data for 'columns'\n"
        "      columns: [plan]\n"
        "                ^~~~\n"
        "  note: the columns are 'age', 'monthly_charges', 'tenure_months', 'plan_basic', 'plan_plus', 'plan_pro', "
        "'region_east', 'region_north', 'region_south', 'region_west', 'region_nan', 'contract_1', 'contract_12', "
        "'contract_24', and 'paperless'\n");
}

// --- min_max_scale and robust_scale -----------------------------------------------------

TEST_CASE("min_max_scale's feature_range, and missing values in its columns only") {
  const auto with = [](const std::string& stage) {
    return errors_of(replaced(customers_yaml(), "  - op: standardize\n", stage));
  };
  CHECK(with("  - op: min_max_scale\n    feature_range: [1, 0]\n") ==
        "t.yaml:18:20: error: 'feature_range' must have its minimum below its maximum, got [1, 0]\n"
        "      feature_range: [1, 0]\n"
        "                     ^\n");
  CHECK(with("  - op: min_max_scale\n    feature_range: [1]\n") ==
        "t.yaml:18:20: error: 'feature_range' takes two numbers, [min, max], got 1\n"
        "      feature_range: [1]\n"
        "                     ^\n");
  CHECK(with("  - op: min_max_scale\n    feature_range: [-1, 1]\n    clip: true\n    columns: [\"*_*\"]\n") == "");
  // Before the imputer: 'age' is missing values, 'tenure_months' is not.
  CHECK(errors_of(replaced(customers_yaml(), "  - op: impute\n",
                           "  - op: min_max_scale\n    columns: [tenure_months]\n  - id: scale_age\n    op: min_max_scale\n"
                           "    columns: [tenure_months, age]\n  - op: impute\n")) ==
        "t.yaml:13:9: error: 'min_max_scale' needs complete data, but 7 values are missing: 'age' (7)\n"
        "      op: min_max_scale\n"
        "          ^~~~~~~~~~~~~\n"
        "  note: move the 'impute' stage (line 15) before it\n");
}

TEST_CASE("robust_scale's quantile_range") {
  const auto with = [](const std::string& stage) {
    return errors_of(replaced(customers_yaml(), "  - op: standardize\n", stage));
  };
  CHECK(with("  - op: robust_scale\n    quantile_range: [75, 25]\n") ==
        "t.yaml:18:21: error: 'quantile_range' needs 0 <= q_min <= q_max <= 100, got [75, 25]\n"
        "      quantile_range: [75, 25]\n"
        "                      ^\n");
  CHECK(with("  - op: robust_scale\n    quantile_range: [0, 100]\n    unit_variance: true\n") ==
        "t.yaml:18:21: error: 'unit_variance' needs 0 < q_min < q_max < 100, got [0, 100]\n"
        "      quantile_range: [0, 100]\n"
        "                      ^\n"
        "  note: the normal distribution's quantiles at 0 and 100 are infinite\n");
  CHECK(with("  - op: robust_scale\n    quantile_range: [10, 90]\n    unit_variance: true\n    columns: [monthly_charges]\n") ==
        "");
  CHECK(with("  - op: robust_scale\n    columns: [\"region_*\", paperless, \"zz*\"]\n") ==
        "t.yaml:18:38: error: 'zz*' matches no column\n"
        "      columns: [\"region_*\", paperless, \"zz*\"]\n"
        "                                       ^~~~~\n"
        "  note: the columns are 'age', 'monthly_charges', 'tenure_months', 'plan_basic', 'plan_plus', 'plan_pro', "
        "'region_east', 'region_north', 'region_south', 'region_west', 'region_nan', 'contract_1', 'contract_12', "
        "'contract_24', and 'paperless'\n");
}

// --- select_columns -----------------------------------------------------------------------

TEST_CASE("select_columns: neither keep nor drop, a name that is not there, nothing left") {
  const auto with = [](const std::string& stage) {
    return errors_of(replaced(customers_yaml(), "  - op: split\n", stage + "  - op: split\n"));
  };
  CHECK(with("  - op: select_columns\n") ==
        "t.yaml:8:9: error: 'select_columns' needs 'keep' or 'drop'\n"
        "    - op: select_columns\n"
        "          ^~~~~~~~~~~~~~\n"
        "  note: keep: [names or patterns] or drop: [names or patterns]\n");
  CHECK(with("  - op: select_columns\n    drop: [tenure, \"x*\"]\n") ==
        "t.yaml:9:12: error: no column 'tenure' in the data for 'drop'\n"
        "      drop: [tenure, \"x*\"]\n"
        "             ^~~~~~\n"
        "  note: the columns are 'age', 'monthly_charges', 'tenure_months', 'plan', 'region', 'contract', and 'paperless'\n"
        "t.yaml:9:20: error: 'x*' matches no column\n"
        "      drop: [tenure, \"x*\"]\n"
        "                     ^~~~\n"
        "  note: the columns are 'age', 'monthly_charges', 'tenure_months', 'plan', 'region', 'contract', and 'paperless'\n");
  CHECK(with("  - op: select_columns\n    keep: [\"*\"]\n    drop: [\"*\"]\n") ==
        "t.yaml:8:9: error: 'select_columns' leaves no feature column\n"
        "    - op: select_columns\n"
        "          ^~~~~~~~~~~~~~\n"
        "  note: the model needs at least one\n");
  // Dropping an encoded column's source before encoding: the encoder's list is wrong now.
  CHECK(with("  - op: select_columns\n    keep: [age, \"*_*\", plan, contract, paperless]\n") ==
        "t.yaml:15:21: error: no column 'region' in the data for 'columns'\n"
        "      columns: [plan, region, contract]\n"
        "                      ^~~~~~\n"
        "  note: the columns are 'age', 'monthly_charges', 'tenure_months', 'plan', 'contract', and 'paperless'\n");
}

// --- What the plan knows ------------------------------------------------------------------

namespace {

std::unique_ptr<pipeml::Plan> plan_of(const std::string& text) {
  using namespace pipeml;
  dsl::Diagnostics diags;
  auto p = dsl::parse_pipeline("t.yaml", text, Registry::builtin(), {}, diags);
  REQUIRE(p);
  auto plan = make_plan(std::move(*p), {}, Registry::builtin(), diags);
  INFO(diags.str());
  REQUIRE(plan);
  return plan;
}

}  // namespace

TEST_CASE("the plan knows the columns, their kinds and the rows each stage leaves") {
  auto plan = plan_of(customers_yaml());
  const auto& d = plan->data;
  CHECK(d.features == std::vector<std::string>{"age", "monthly_charges", "tenure_months", "plan_basic", "plan_plus",
                                               "plan_pro", "region_east", "region_north", "region_south", "region_west",
                                               "region_nan", "contract_1", "contract_12", "contract_24", "paperless"});
  CHECK(d.class_names == std::vector<std::string>{"no", "yes"});
  CHECK(plan->model.mlp.in_features == 15);
  CHECK(std::none_of(d.kinds.begin(), d.kinds.end(), [](pipeml::ColumnKind k) { return k == pipeml::ColumnKind::categorical; }));
  const auto& load_notes = plan->steps[0].notes;
  REQUIRE(load_notes.size() == 2);
  CHECK(load_notes[1] ==
        "categorical: 'plan' (3 categories: basic, plus, pro), 'region' (4 categories: east, north, south, west), "
        "'contract' (3 categories: 1, 12, 24), 'paperless' (2 categories: no, yes)");
  CHECK(plan->steps[3].notes ==
        std::vector<std::string>{"categories from the train part only: 'plan' -> 3 columns, 'region' -> 5 columns, "
                                 "'contract' -> 3 columns; 15 feature columns now"});

  // drop_rows on one column drops the rows missing it, and no others.
  plan = plan_of(replaced(customers_yaml(), "    strategy: median\n",
                          "    strategy: drop_rows\n    columns: [region]\n  - id: impute_age\n    op: impute\n"));
  std::size_t rows = 0;
  for (const auto& part : plan->steps[2].parts) rows += part.rows;
  CHECK(rows == 300 - 12);
  CHECK(plan->steps[2].notes == std::vector<std::string>{"drops the rows with a missing value in 'region', in every part"});
  CHECK(plan->steps[3].notes ==
        std::vector<std::string>{"statistics of 'age', 'monthly_charges', 'tenure_months' from the train part only; fills 7 "
                                 "missing values in all parts"});
  CHECK(plan->model.mlp.in_features == 14);  // no region_nan

  // A constant category for the missing regions: one more category, and no region_nan.
  plan = plan_of(replaced(customers_yaml(), "    strategy: median\n",
                          "    strategy: median\n  - id: fill_region\n    op: impute\n    strategy: constant\n"
                          "    columns: [region]\n    fill_category: unknown\n"));
  CHECK(plan->steps[3].notes == std::vector<std::string>{"statistics of 'region' from the train part only; fills 12 missing "
                                                         "values in all parts",
                                                         "'region' gets the category 'unknown'"});
  CHECK(std::count(plan->data.features.begin(), plan->data.features.end(), "region_unknown") == 1);
  CHECK(plan->model.mlp.in_features == 15);

  // select_columns before the split.
  plan = plan_of(replaced(customers_yaml(), "  - op: split\n",
                          "  - op: select_columns\n    drop: [\"tenure*\", age]\n  - op: split\n"));
  CHECK(plan->steps[1].notes == std::vector<std::string>{"5 of 7 feature columns kept"});
  CHECK(plan->data.features.front() == "monthly_charges");
}
