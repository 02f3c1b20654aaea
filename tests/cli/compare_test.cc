// `pipe compare RUN_DIR...`: finished runs' metrics side by side, from committed
// metrics.json files of the shapes `pipe run` writes (tests/fixtures/compare/: two single
// runs, one with metrics the other lacks; a 2-fold cross-validation; a regression; an
// unfinished run; a cut-off metrics.json).
#include <catch2/catch.hpp>

#include "runtime/run_compare.h"
#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

namespace {

const std::string kDir = "tests/fixtures/compare/";

pipeml::compare::Run run_of(const std::string& name, const std::string& metrics_json) {
  return {name, name, nlohmann::json::parse(metrics_json)};
}

}  // namespace

TEST_CASE("pipe compare: single and cross-validated runs side by side, the best marked") {
  const auto r = pipetest::run_pipe("compare " + kDir + "heart-a " + kDir + "heart-b " + kDir + "heart-cv/");
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out == pipetest::golden("compare.txt", r.out));
  // What the golden file shows, spelt out: every metric of any run, '-' where a run lacks
  // one, mean ± std over folds, the best of a row marked; log_loss is best when lowest.
  CHECK(r.out.find("\nbalanced_accuracy   -          0.8474      -\n") != std::string::npos);
  CHECK(r.out.find("\nlog_loss            -          0.3911 *    0.4000 \u00b1 0.0500\n") != std::string::npos);
}

TEST_CASE("pipe compare: --format csv and json") {
  const std::string runs = kDir + "heart-a " + kDir + "heart-cv " + kDir + "houses";
  const auto csv = pipetest::run_pipe("compare --format csv " + runs);
  CHECK(csv.code == 0);
  CHECK(csv.out == pipetest::golden("compare.csv", csv.out));
  const auto json = pipetest::run_pipe("compare --format json " + runs);
  CHECK(json.code == 0);
  CHECK(json.out == pipetest::golden("compare.json", json.out));
  const auto bad = pipetest::run_pipe("compare --format xml " + runs);
  CHECK(bad.code == 2);
  CHECK(bad.out == "pipe compare: unknown format 'xml' \u2014 expected 'text', 'csv' or 'json'\n");
}

TEST_CASE("pipe compare: lower is better for errors and losses, higher for the rest") {
  using namespace pipeml::compare;
  const auto t = compare_runs({run_of("a", R"({"pipeline": "p", "test": {"mae": 2.0, "r2": 0.5, "rows": 10}})"),
                               run_of("b", R"({"pipeline": "p", "test": {"mae": 1.0, "r2": 0.4, "rows": 10}})"),
                               run_of("c", R"({"pipeline": "p", "test": {"mae": 1.0, "r2": 0.1, "my_score": 3}})")});
  REQUIRE(t.rows.size() == 4);  // mae, r2, then a metric pipe does not know, then test rows
  CHECK(t.rows[0].name == "mae");
  CHECK((!t.rows[0].cells[0].best && t.rows[0].cells[1].best && t.rows[0].cells[2].best));  // a tie: both marked
  CHECK(t.rows[1].name == "r2");
  CHECK((t.rows[1].cells[0].best && !t.rows[1].cells[1].best && !t.rows[1].cells[2].best));
  CHECK(t.rows[2].name == "my_score");
  CHECK(!t.rows[2].cells[2].best);  // one value alone is not marked
  CHECK(t.rows[3].name == "test rows");
  CHECK(t.rows[3].cells[2].text.empty());
}

TEST_CASE("pipe compare: one run is a table of one column") {
  const auto r = pipetest::run_pipe("compare " + kDir + "houses");
  CHECK(r.code == 0);
  CHECK(r.out ==
        "                houses\n"
        "pipeline        houses\n"
        "mae             12.5000\n"
        "mse             250.0000\n"
        "rmse            15.8114\n"
        "r2              0.8100\n"
        "device          cpu\n"
        "seed            42\n"
        "test rows       100\n"
        "train seconds   0.5\n");
}

TEST_CASE("pipe compare: errors name the directory and what is wrong with it") {
  pipetest::TempDir tmp;
  const auto none = pipetest::run_pipe("compare");
  CHECK(none.code == 2);
  CHECK(none.out == "pipe compare: which runs? give one or more run directories\nusage: pipe compare [options] RUN_DIR...\n");

  const auto missing = pipetest::run_pipe("compare " + kDir + "heart-a runs/no-such-run");
  CHECK(missing.code == 1);
  CHECK(missing.out == "error: 'runs/no-such-run' does not exist\n");

  const auto file = pipetest::run_pipe("compare " + kDir + "heart-a/metrics.json");
  CHECK(file.code == 1);
  CHECK(file.out == "error: '" + kDir + "heart-a/metrics.json' is not a directory: give the run directories that 'pipe run' made\n");

  const auto unfinished = pipetest::run_pipe("compare " + kDir + "heart-a " + kDir + "unfinished");
  CHECK(unfinished.code == 1);
  CHECK(unfinished.out == "error: '" + kDir + "unfinished' has no metrics.json: the run did not finish; see its error.txt\n");

  const auto empty = pipetest::run_pipe("compare '" + tmp.str() + "'");
  CHECK(empty.code == 1);
  CHECK(empty.out == "error: '" + tmp.str() + "' has no metrics.json: is it a run directory that 'pipe run' made?\n");

  const auto broken = pipetest::run_pipe("compare " + kDir + "broken");
  CHECK(broken.code == 1);
  CHECK(broken.out == "error: '" + kDir + "broken/metrics.json' is not valid JSON (at byte 54)\n");

  pipetest::write_file(tmp.path("metrics.json"), R"({"pipeline": "heart", "seed": 42})");
  const auto no_metrics = pipetest::run_pipe("compare '" + tmp.str() + "'");
  CHECK(no_metrics.code == 1);
  CHECK(no_metrics.out == "error: '" + tmp.path("metrics.json") + "' has no test metrics (neither 'test' nor 'mean')\n");

  // Every bad directory is reported, not only the first.
  const auto two = pipetest::run_pipe("compare runs/a runs/b");
  CHECK(two.out == "error: 'runs/a' does not exist\nerror: 'runs/b' does not exist\n");
}
