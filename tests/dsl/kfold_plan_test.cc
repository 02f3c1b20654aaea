// Planning a cross-validated pipeline: the kfold stage's misuse (with split, twice, before
// the loader's rows change, a seed without shuffle, more folds than rows or than any
// class), and errors that only some folds have, which say which folds. Each case changes
// one thing in the heart pipeline with kfold in place of split; the messages are whole.
#include <catch2/catch.hpp>

#include <sstream>

#include "runtime/plan_print.h"
#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using pipetest::errors_of;
using pipetest::heart_yaml;
using pipetest::replaced;
using pipetest::sets;

namespace {

const std::string kSplit = "  - op: split\n    test_size: 0.2\n    seed: 42\n";
const std::string kKfold = "  - op: kfold\n    n_splits: 5\n    seed: 42\n";

// The heart pipeline cross-validated: kfold on lines 11-13 where split was.
std::string cv_yaml() { return replaced(heart_yaml(), kSplit, kKfold); }

// What `pipe plan` prints for `text` as "t.yaml"; the errors when it does not plan.
std::string plan_text(const std::string& text, const pipeml::dsl::Overrides& overrides = {}) {
  using namespace pipeml;
  dsl::Diagnostics diags;
  auto p = dsl::parse_pipeline("t.yaml", text, Registry::builtin(), overrides, diags);
  std::unique_ptr<Plan> plan;
  if (p) plan = make_plan(std::move(*p), overrides, Registry::builtin(), diags);
  if (!plan) return diags.str();
  std::ostringstream os;
  print_plan(os, *plan);
  return os.str();
}

// A tiny CSV in `dir`: 12 rows, `ones` of them of class 1; the heart pipeline reads it.
std::string tiny_yaml(const pipetest::TempDir& dir, int ones, const std::string& stages) {
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 12; ++i) csv += std::to_string(i) + "," + std::to_string(i % 3) + "," + (i < ones ? "1" : "0") + "\n";
  pipetest::write_file(dir.path("tiny.csv"), csv);
  return "data:\n  - op: load_csv\n    path: " + dir.path("tiny.csv") + "\n    target: y\n" + stages +
         "model: {op: mlp, hidden: [4], batch_norm: false}\nloss: {op: bce_with_logits}\noptimizer: {op: adamw}\n"
         "train: {epochs: 1}\n";
}

}  // namespace

TEST_CASE("the heart pipeline with kfold is valid, and its folds are planned") {
  CHECK(errors_of(cv_yaml()) == "");
  const std::string text = plan_text(cv_yaml());
  CHECK(text.find("    -> fold 4: train 243 = {0: 131, 1: 112}, test 60 = {0: 33, 1: 27}\n") != std::string::npos);
  // smote makes each fold's classes equal: fold 5 has one more row of class 0 to match.
  CHECK(text.find("    -> fold 5: train 264 = {0: 132, 1: 132}, test 60 = {0: 32, 1: 28}\n") != std::string::npos);
  CHECK(text.find("    note: fold 4: 19 synthetic rows") != std::string::npos);
  CHECK(text.find("    note: folds 1-4: 17 batches per epoch of 524 training rows\n"
                  "    note: fold 5: 17 batches per epoch of 528 training rows\n") != std::string::npos);
}

TEST_CASE("kfold after split") {
  CHECK(errors_of(replaced(heart_yaml(), kSplit, kSplit + kKfold)) ==
        "t.yaml:14:9: error: 'kfold' after 'split': cross-validation makes its own train and test parts from all the rows\n"
        "    - op: kfold\n"
        "          ^~~~~\n"
        "  note: use either 'split' (one train/test split) or 'kfold' (cross-validation), not both\n");
}

TEST_CASE("split after kfold") {
  CHECK(errors_of(replaced(heart_yaml(), kSplit, kKfold + kSplit)) ==
        "t.yaml:14:9: error: 'split' after 'kfold': the folds are already the train and test parts\n"
        "    - op: split\n"
        "          ^~~~~\n"
        "  note: use either 'split' (one train/test split) or 'kfold' (cross-validation), not both\n");
}

TEST_CASE("two kfold stages") {
  CHECK(errors_of(replaced(heart_yaml(), kSplit, kKfold + "  - id: again\n    op: kfold\n")) ==
        "t.yaml:15:9: error: the data is already split into folds\n"
        "      op: kfold\n"
        "          ^~~~~\n"
        "  note: one 'kfold' stage makes the folds\n");
}

TEST_CASE("impute before kfold") {
  const std::string impute = "  - op: impute\n    strategy: median\n";
  CHECK(errors_of(replaced(replaced(cv_yaml(), impute, ""), kKfold, impute + kKfold)) ==
        "t.yaml:11:9: error: 'impute' before 'kfold' computes its statistics from test rows too (leakage)\n"
        "    - op: impute\n"
        "          ^~~~~~\n"
        "  note: move this stage after 'op: kfold'\n");
}

TEST_CASE("a kfold seed without shuffle") {
  CHECK(errors_of(replaced(cv_yaml(), "n_splits: 5\n", "n_splits: 5\n    shuffle: false\n")) ==
        "t.yaml:14:11: error: 'seed' has no effect when 'shuffle' is false\n"
        "      seed: 42\n"
        "            ^~\n"
        "  note: remove 'seed', or set 'shuffle: true'\n");
  // Without a seed of its own it is fine, and no seed is listed for it.
  const std::string text = plan_text(replaced(cv_yaml(), "n_splits: 5\n    seed: 42\n", "n_splits: 5\n    shuffle: false\n"));
  CHECK(text.find("    -> fold 1: train 242 = {0: 131, 1: 111}, test 61 = {0: 33, 1: 28}\n") != std::string::npos);
  CHECK(text.find("  kfold ") == std::string::npos);
}

TEST_CASE("more folds than rows, and than any class has") {
  pipetest::TempDir dir;
  CHECK(errors_of(tiny_yaml(dir, 5, "  - op: kfold\n    n_splits: 13\n")) ==
        "t.yaml:6:15: error: n_splits '13' is more than the 12 rows: every fold needs a row to test\n"
        "      n_splits: 13\n"
        "                ^~\n"
        "  note: set 'n_splits' to 12 or fewer\n");
  CHECK(errors_of(tiny_yaml(dir, 5, "  - op: kfold\n    n_splits: 8\n")) ==
        "t.yaml:6:15: error: n_splits '8' is more than the rows of every class (the most, 7, are of class '0'): a "
        "stratified fold tests rows of each class\n"
        "      n_splits: 8\n"
        "                ^\n"
        "  note: set 'n_splits' to 7 or fewer, or 'stratify: false'\n");
  // Unstratified, as many folds are allowed (and then some folds test one class only).
  CHECK(errors_of(tiny_yaml(dir, 5, "  - op: kfold\n    n_splits: 8\n    stratify: false\n")).find("n_splits '8'") ==
        std::string::npos);
}

TEST_CASE("a fold whose test part misses a class cannot be scored") {
  // 3 rows of class 1 and 4 folds: fold 4 tests none of them (sklearn warns; its
  // roc_auc_score then refuses), so the plan says so at the kfold stage.
  pipetest::TempDir dir;
  CHECK(errors_of(tiny_yaml(dir, 3, "  - op: kfold\n    n_splits: 4\n")) ==
        "t.yaml:5:9: error: fold 4: the test part has no row of class '1': the test metrics need rows of both classes\n"
        "    - op: kfold\n"
        "          ^~~~~\n"
        "  note: fewer folds (n_splits) put more rows in each fold's test part\n");
  CHECK(errors_of(tiny_yaml(dir, 3, "  - op: kfold\n    n_splits: 3\n")) == "");
}

TEST_CASE("an unstratified split whose test part misses a class") {
  pipetest::TempDir dir;  // rows 6 and 11 are tested: both of class 0
  CHECK(errors_of(tiny_yaml(dir, 3, "  - op: split\n    test_size: 2\n    stratify: false\n    seed: 0\n")) ==
        "t.yaml:5:9: error: the test part has no row of class '1': the test metrics need rows of both classes\n"
        "    - op: split\n"
        "          ^~~~~\n"
        "  note: stratify the split, or give the test part more rows (test_size)\n");
}

TEST_CASE("an error only some folds have names them") {
  // Class 1 has 111 training rows in folds 1-3 and 5, 112 in fold 4.
  CHECK(errors_of(cv_yaml(), sets({"smote.k_neighbors=111"})) ==
        "--set smote.k_neighbors=111: error: folds 1-3, 5: class '1' has 111 training rows, too few for k_neighbors "
        "111: smote needs k_neighbors + 1 rows of each class it grows\n"
        "  note: set 'k_neighbors: 110' or lower\n");
  // 524 training rows in folds 1-4, 528 in fold 5.
  CHECK(errors_of(replaced(cv_yaml(), "batch_size: 32", "batch_size: 527")) ==
        "t.yaml:35:15: error: fold 5: the last batch of each epoch has 1 row (528 rows, batch_size 527), which "
        "BatchNorm cannot train on\n"
        "    batch_size: 527\n"
        "                ^~~\n"
        "  note: change batch_size or set 'drop_last: true'\n");
}

TEST_CASE("an error every fold has is reported once, as it is") {
  // Each fold plans smote and finds the same mistake: one error, without a fold.
  CHECK(errors_of(replaced(cv_yaml(), "  - op: smote\n", "  - op: smote\n    part: test\n")) ==
        "t.yaml:18:11: error: 'smote' on the test part would score the model on rows that are not real data\n"
        "      part: test\n"
        "            ^~~~\n"
        "  note: resampling and augmentation apply to the training part only: 'part: train'\n");
}
