// pipe sweep's table: grids from --set lists and ranges, the rows they make, each row's mean
// and std over the seeds equal to numpy's (np.std, ddof 1) bit for bit (fixtures from
// tests/fixtures/make_sweep_fixtures.py), the best row and the verdict, and the files.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runtime/sweep.h"

using namespace pipeml;
using nlohmann::json;

namespace {

sweep::Axis axis_of(const std::string& set) {
  std::string error;
  auto a = sweep::parse_axis(set, error);
  INFO(set << ": " << error);
  REQUIRE(error.empty());
  REQUIRE(a);
  return *a;
}

std::string axis_error(const std::string& set) {
  std::string error;
  CHECK_FALSE(sweep::parse_axis(set, error));
  return error;
}

// Rows "a", "b", ... with one RunResult per seed 0, 1, ... of `values[row][seed]`.
std::vector<sweep::RunResult> results_of(const std::vector<std::vector<double>>& acc,
                                         const std::vector<std::vector<double>>& loss) {
  std::vector<sweep::RunResult> out;
  for (std::size_t r = 0; r < acc.size(); ++r)
    for (std::size_t s = 0; s < acc[r].size(); ++s)
      out.push_back({r, static_cast<std::int64_t>(s), {{"accuracy", acc[r][s]}, {"log_loss", loss[r][s]}}});
  return out;
}

std::vector<sweep::Row> rows_named(std::size_t n) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) names.push_back(std::string(1, static_cast<char>('a' + i)));
  return sweep::rows_of(names, {});
}

}  // namespace

TEST_CASE("--set lists and ranges make a grid's axes", "[sweep]") {
  CHECK(axis_of("optimizer.lr=0.001,0.01,0.1").values == std::vector<std::string>{"0.001", "0.01", "0.1"});
  CHECK(axis_of("optimizer.lr=0.001,0.01").path == "optimizer.lr");
  // Commas inside brackets belong to one value.
  CHECK(axis_of("model.hidden=[64],[128,64]").values == std::vector<std::string>{"[64]", "[128,64]"});
  // Hydra's range: STOP excluded; integers stay integers; 0.1 steps read as written.
  CHECK(axis_of("train.epochs=range(10,50,10)").values == std::vector<std::string>{"10", "20", "30", "40"});
  CHECK(axis_of("train.batch_size=range(1,4)").values == std::vector<std::string>{"1", "2", "3"});
  CHECK(axis_of("model.dropout=range(0,0.5,0.1)").values == std::vector<std::string>{"0", "0.1", "0.2", "0.3", "0.4"});
  CHECK(axis_of("model.dropout=range(0.3,0,-0.1)").values == std::vector<std::string>{"0.3", "0.2", "0.1"});
  // One value: a change every run gets, not an axis.
  std::string error;
  CHECK_FALSE(sweep::parse_axis("model.hidden=[128,64]", error));
  CHECK_FALSE(sweep::parse_axis("optimizer.lr=0.01", error));
  CHECK(error.empty());
}

TEST_CASE("malformed ranges and lists are refused with the reason", "[sweep]") {
  CHECK(axis_error("model.dropout=range(0,0.5,0)") == "range's STEP must not be 0");
  CHECK(axis_error("model.dropout=range(0.5,0)") == "range(0.5,0) is empty: STOP must lie beyond START in STEP's direction");
  CHECK(axis_error("model.dropout=range(0,x)") == "range's STOP must be a number, got 'x'");
  CHECK(axis_error("model.dropout=range(1)") == "expected range(START, STOP) or range(START, STOP, STEP)");
  CHECK(axis_error("optimizer.lr=0.1,,0.2") == "an empty value in the list '0.1,,0.2'");
  CHECK(axis_error("train.epochs=range(0,100000)") == "range gives more than 1000 values");
}

TEST_CASE("rows: every variant crossed with the grid, the last axis fastest", "[sweep]") {
  const auto rows = sweep::rows_of({"original", "smote"}, {axis_of("optimizer.lr=0.001,0.01"), axis_of("model.dropout=0,0.3")});
  REQUIRE(rows.size() == 8);
  CHECK(rows[0].name == "original, optimizer.lr=0.001, model.dropout=0");
  CHECK(rows[1].name == "original, optimizer.lr=0.001, model.dropout=0.3");
  CHECK(rows[2].name == "original, optimizer.lr=0.01, model.dropout=0");
  CHECK(rows[7].name == "smote, optimizer.lr=0.01, model.dropout=0.3");
  CHECK(rows[7].variant == "smote");
  CHECK(rows[7].sets() == std::vector<std::string>{"optimizer.lr=0.01", "model.dropout=0.3"});
  CHECK(sweep::row_folder(7, rows[7]) == "08-smote_optimizer.lr=0.01_model.dropout=0.3");
  // No variants: the file as written, once per grid point; neither: one row.
  CHECK(sweep::rows_of({}, {axis_of("optimizer.lr=0.001,0.01")})[1].name == "optimizer.lr=0.01");
  const auto one = sweep::rows_of({}, {});
  REQUIRE(one.size() == 1);
  CHECK(one[0].name == "as written");
  CHECK(one[0].variant.empty());
  CHECK(sweep::row_folder(0, sweep::rows_of({"smote+noise+bn/dropout"}, {})[0]) == "01-smote+noise+bn_dropout");
}

TEST_CASE("each row's mean and std over the seeds are numpy's, bit for bit", "[sweep]") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/sweep_cases.json");
  const json fixture = json::parse(in);
  for (const auto& c : fixture["cases"]) {
    INFO("case " << c["seed"]);
    const auto acc = c["accuracy"].get<std::vector<std::vector<double>>>();
    const auto loss = c["log_loss"].get<std::vector<std::vector<double>>>();
    const auto rows = rows_named(acc.size());
    for (const char* metric : {"accuracy", "log_loss"}) {
      const auto s = sweep::summarize(rows, results_of(acc, loss), {"accuracy", "log_loss"}, metric, acc[0].size());
      REQUIRE(s.rows.size() == acc.size());
      for (std::size_t r = 0; r < acc.size(); ++r) {
        CHECK(s.rows[r].runs == acc[r].size());
        CHECK(s.rows[r].mean[0] == c["accuracy_mean"][r].get<double>());
        CHECK(s.rows[r].std[0] == c["accuracy_std"][r].get<double>());
        CHECK(s.rows[r].mean[1] == c["log_loss_mean"][r].get<double>());
        CHECK(s.rows[r].std[1] == c["log_loss_std"][r].get<double>());
      }
      // log_loss: the smallest mean is the best.
      CHECK(s.best == c[std::string("best_by_") + metric].get<int>());
    }
  }
}

TEST_CASE("the verdict: the best row's lead against the seed-to-seed spread", "[sweep]") {
  const auto rows = sweep::rows_of({"plain", "smote"}, {});
  SECTION("a lead within the spread") {
    const auto s = sweep::summarize(rows, results_of({{0.80, 0.84}, {0.83, 0.85}}, {{0.5, 0.5}, {0.5, 0.5}}),
                                    {"accuracy", "log_loss"}, "accuracy", 2);
    CHECK(s.best == 1);
    CHECK(s.next == 0);
    CHECK_FALSE(s.clear_lead);
    CHECK(sweep::verdict(s) ==
          "best by accuracy: 'smote', 0.840 \u00b1 0.014; its lead over 'plain' (0.820 \u00b1 0.028) is 0.020, within the "
          "seed-to-seed spread (std up to 0.028): not a clear winner");
  }
  SECTION("a lead beyond it") {
    const auto s = sweep::summarize(rows, results_of({{0.70, 0.71}, {0.83, 0.85}}, {{0.4, 0.5}, {0.5, 0.6}}),
                                    {"accuracy", "log_loss"}, "log_loss", 2);
    CHECK(s.best == 0);
    CHECK(s.clear_lead);  // 0.45 against 0.55: a lead of 0.1 over stds of 0.0707
    CHECK(s.lead == Approx(0.1));
    CHECK(sweep::verdict(s).rfind("best by log_loss (lower is better): 'plain', 0.450 \u00b1 0.071; its lead over 'smote' "
                                  "(0.550 \u00b1 0.071) is 0.100, more than the seed-to-seed spread (std up to 0.071)", 0) == 0);
  }
  SECTION("one seed gives no spread") {
    const auto s = sweep::summarize(rows, results_of({{0.80}, {0.83}}, {{0.5}, {0.5}}), {"accuracy", "log_loss"}, "accuracy", 1);
    CHECK(sweep::verdict(s) ==
          "best by accuracy: 'smote', 0.830; its lead over 'plain' is 0.030, but one seed per row gives no spread to "
          "compare it with (use --repeat)");
  }
}

TEST_CASE("the table: terminal, Markdown and CSV; a failed run leaves its row short", "[sweep]") {
  const auto rows = sweep::rows_of({"original", "smote+noise"}, {});
  auto results = results_of({{0.80, 0.84, 0.82}, {0.86, 0.88, 0.87}}, {{0.5, 0.4, 0.45}, {0.3, 0.35, 0.4}});
  results.erase(results.begin() + 2);  // original's third seed failed
  const auto s = sweep::summarize(rows, results, {"accuracy", "log_loss"}, "accuracy", 3);
  std::ostringstream term;
  sweep::print_table(term, s);
  CHECK(term.str() ==
        "  variant      runs  accuracy       log_loss     \n"
        "  original      2/3  0.820 \u00b1 0.028  0.450 \u00b1 0.071\n"
        "* smote+noise   3/3  0.870 \u00b1 0.010  0.350 \u00b1 0.050\n"
        "best by accuracy: 'smote+noise', 0.870 \u00b1 0.010; its lead over 'original' (0.820 \u00b1 0.028) is 0.050, more "
        "than the seed-to-seed spread (std up to 0.028)\n");
  CHECK(sweep::table_markdown(s) ==
        "| variant | runs | accuracy | log_loss |\n"
        "|---|---:|---:|---:|\n"
        "| original | 2/3 | 0.820 \u00b1 0.028 | 0.450 \u00b1 0.071 |\n"
        "| smote+noise (best) | 3/3 | **0.870 \u00b1 0.010** | 0.350 \u00b1 0.050 |\n"
        "\nMean \u00b1 standard deviation over the seeds (ddof 1). Best by accuracy: 'smote+noise', 0.870 \u00b1 0.010; its "
        "lead over 'original' (0.820 \u00b1 0.028) is 0.050, more than the seed-to-seed spread (std up to 0.028).\n");
  const std::string csv = sweep::table_csv(s, rows);
  CHECK(csv.substr(0, csv.find('\n')) == "variant,runs,accuracy_mean,accuracy_std,log_loss_mean,log_loss_std,best");
  CHECK(csv.find("\nsmote+noise,3,0.87") != std::string::npos);
  CHECK(csv.substr(csv.size() - 5) == "true\n");
  const auto grid_rows = sweep::rows_of({}, {axis_of("model.hidden=[64],[128,64]")});
  const std::string results_table = sweep::results_csv(grid_rows, {{1, 7, {{"accuracy", 0.5}}}}, {"accuracy", "f1"});
  CHECK(results_table == "row,variant,model.hidden,seed,accuracy,f1\n2,,\"[128,64]\",7,0.5,\n");
}
