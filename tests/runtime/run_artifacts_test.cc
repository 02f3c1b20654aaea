// Reading a run directory for the report: the CSV artifacts, and exact errors for a
// directory that is not a finished run.
#include <catch2/catch.hpp>

#include <cmath>

#include "runtime/report/report_html.h"
#include "runtime/report/run_artifacts.h"
#include "runtime/user_error.h"
#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using namespace pipeml::report;
using pipetest::write_file;

namespace {

std::string error_of(const std::string& dir) {
  try {
    read_run(dir);
  } catch (const pipeml::UserError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("parse_csv reads fields by column name, quoted fields too", "[report]") {
  const Csv csv = parse_csv("epoch,train_loss,val_loss,note\n1,0.5,,\"a, b\"\n2,0.25,0.3,\"say \"\"hi\"\"\"\n", "history.csv");
  CHECK(csv.header == std::vector<std::string>{"epoch", "train_loss", "val_loss", "note"});
  CHECK(csv.numbers("train_loss") == std::vector<double>{0.5, 0.25});
  const std::vector<double> val = csv.numbers("val_loss");
  CHECK(std::isnan(val[0]));  // an epoch without validation
  CHECK(val[1] == 0.3);
  CHECK(csv.texts("note") == std::vector<std::string>{"a, b", "say \"hi\""});
  CHECK(csv.column("val_accuracy") == -1);
  CHECK(std::isnan(csv.numbers("val_accuracy")[1]));
  CHECK_THROWS_WITH(parse_csv("epoch,loss\n1,0.5\n2\n", "history.csv"), "history.csv line 3 has 1 fields, its header 2");
  CHECK_THROWS_WITH(parse_csv("", "predictions.csv"), "predictions.csv is empty");
}

TEST_CASE("read_run names what makes a directory not a finished run", "[report]") {
  const pipetest::TempDir tmp;
  const std::string& dir = tmp.str();
  CHECK(error_of(dir + "/nope") == "cannot read run directory '" + dir + "/nope': No such file or directory");
  write_file(dir + "/file", "x");
  CHECK(error_of(dir + "/file") == "'" + dir + "/file' is not a directory; pipe report takes a run directory");
  CHECK(error_of(dir) == "'" + dir + "' has no plan.json and metrics.json: not a finished run of pipe run");
  write_file(dir + "/plan.json", "{}");
  CHECK(error_of(dir) == "'" + dir + "' has no metrics.json: not a finished run of pipe run");
  write_file(dir + "/error.txt", "cannot score the test part: the model predicts NaN\n");
  CHECK(error_of(dir) == "'" + dir + "' has no metrics.json: the run failed (" + dir +
                             "/error.txt: cannot score the test part: the model predicts NaN)");
  write_file(dir + "/metrics.json", "{\"test\": ");
  CHECK(error_of(dir).rfind(dir + "/metrics.json is not valid JSON: [json.exception.parse_error.101] parse error", 0) == 0);
}

TEST_CASE("a run without history.csv or predictions.csv gets a page that says so", "[report]") {
  const pipetest::TempDir tmp;
  const std::string& dir = tmp.str();
  write_file(dir + "/plan.json", R"({"pipeline": {"name": "tiny"}, "classes": ["no", "yes"], "target": {"type": "class"},
    "stages": [{"id": "scheduler", "op": "sequential_lr", "section": "scheduler", "params": {"milestones": [5]},
                "schedulers": [{"op": "linear_lr"}, {"op": "cosine_annealing_lr"}]},
               {"id": "evaluate", "op": "evaluate", "section": "evaluate", "params": {"metrics": ["f1", "accuracy"]}}]})");
  write_file(dir + "/metrics.json", R"({"pipeline": "tiny", "test": {"accuracy": 0.75, "f1": 0.5, "log_loss": 0.61, "rows": 4,
    "confusion_matrix": [[2, 1], [0, 1]], "classes": ["no", "yes"],
    "threshold_tuning": {"metric": "f1", "validation_rows": 45, "validation_value": 0.8, "candidates": 31},
    "classification_report": {"yes": {"precision": 0.5, "recall": 1.0, "f1-score": 0.6667, "support": 1},
      "no": {"precision": 1.0, "recall": 0.6667, "f1-score": 0.8, "support": 3}, "accuracy": 0.75,
      "macro avg": {"precision": 0.75, "recall": 0.8333, "f1-score": 0.7333, "support": 4}}},
    "training": {"epochs": 200, "epochs_run": 31, "clip_grad_norm": 1.0, "early_stopping": {"monitor": "val_loss",
      "stopped_early": true, "best_epoch": 16, "best_value": 0.36181}}})");
  const std::string page = report_html(read_run(dir));
  CHECK(page.find("history.csv was not written: no learning curves") != std::string::npos);
  CHECK(page.find("predictions.csv was not written: no ROC or precision-recall curves") != std::string::npos);
  // The metrics in evaluate's order, then any other number metrics.json holds.
  const auto f1 = page.find("<th>f1</th>"), accuracy = page.find("<th>accuracy</th>"), log_loss = page.find("<th>log_loss</th>");
  CHECK(f1 < accuracy);
  CHECK(accuracy < log_loss);
  CHECK(log_loss != std::string::npos);
  // sklearn's output_dict: the classes in their order, then accuracy under f1-score, then the averages.
  CHECK(page.find("<h3>classification_report</h3>\n<table class=\"generic\"><thead><tr><th></th>"
                  "<th class=\"num\">precision</th><th class=\"num\">recall</th><th class=\"num\">f1-score</th>"
                  "<th class=\"num\">support</th></tr></thead><tbody>"
                  "<tr><th>no</th><td class=\"num\">1.0000</td><td class=\"num\">0.6667</td><td class=\"num\">0.8000</td>"
                  "<td class=\"num\">3</td></tr>"
                  "<tr><th>yes</th><td class=\"num\">0.5000</td><td class=\"num\">1.0000</td><td class=\"num\">0.6667</td>"
                  "<td class=\"num\">1</td></tr>"
                  "<tr><th>accuracy</th><td class=\"num\"></td><td class=\"num\"></td><td class=\"num\">0.7500</td>"
                  "<td class=\"num\"></td></tr>"
                  "<tr><th>macro avg</th>") != std::string::npos);
  CHECK(page.find("<h3>threshold_tuning</h3>\n<table class=\"generic\"><tbody><tr><th>candidates</th><td>31</td></tr>") !=
        std::string::npos);
  CHECK(page.find("<summary>training: 31 of 200 epochs, stopped early; best val_loss 0.3618 at epoch 16</summary>") !=
        std::string::npos);
  CHECK(page.find("<th>clip_grad_norm</th><td>1</td>") != std::string::npos);  // a setting, not a metric's 1.0000
  CHECK(page.find("milestones: [5]</span>") != std::string::npos);  // the plan: each stage's parameters
  CHECK(page.find("schedulers: linear_lr, cosine_annealing_lr</span>") != std::string::npos);
#ifdef PIPE_HAVE_CAIRO
  CHECK(pipetest::occurrences(page, "<img class=\"plot\"") == 1);  // the confusion matrix alone
  CHECK(page.find("alt=\"Confusion matrix\"") != std::string::npos);
#endif
}

TEST_CASE("write_report names a metrics.json that pipe run did not write", "[report]") {
  const pipetest::TempDir tmp;
  const std::string& dir = tmp.str();
  write_file(dir + "/plan.json", "{}");
  write_file(dir + "/metrics.json", "{\"folds\": 3}");
  CHECK_THROWS_WITH(write_report(dir), "'" + dir + "' holds a plan.json or metrics.json that pipe run did not write: "
                                       "[json.exception.type_error.306] cannot use value() with number");
  CHECK_FALSE(pipetest::path_exists(dir + "/report.html"));
}
