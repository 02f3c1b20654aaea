// The planner's messages about what the pipeline does to its data, compared whole: the
// leakage rules, missing values, columns and files, the loss against the classes, SMOTE's
// neighbours and the split. Each case changes one thing in the valid heart pipeline; one
// mistake gives one error (no knock-on errors from stages after it).
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using pipetest::errors_of;
using pipetest::heart_yaml;
using pipetest::replaced;
using pipetest::sets;

namespace {

const std::string kSplit = "  - op: split\n    test_size: 0.2\n    seed: 42\n";

// The heart pipeline with `stage` (its full text) moved to just before the split.
std::string before_split(const std::string& stage) {
  return replaced(replaced(heart_yaml(), stage, ""), kSplit, stage + kSplit);
}

}  // namespace

// --- Leakage: nothing learns from, or is made of, the test part -------------------------

TEST_CASE("smote before the split") {
  CHECK(errors_of(before_split("  - op: smote\n    seed: 42\n")) ==
        "t.yaml:11:9: error: 'smote' before 'split' would put synthetic copies of test rows into training (leakage)\n"
        "    - op: smote\n"
        "          ^~~~~\n"
        "  note: move this stage after 'op: split'\n");
}

TEST_CASE("gaussian_noise before the split") {
  CHECK(errors_of(before_split("  - op: gaussian_noise\n")) ==
        "t.yaml:11:9: error: 'gaussian_noise' before 'split' would put noisy copies of test rows into training (leakage)\n"
        "    - op: gaussian_noise\n"
        "          ^~~~~~~~~~~~~~\n"
        "  note: move this stage after 'op: split'\n");
}

TEST_CASE("impute before the split") {
  CHECK(errors_of(before_split("  - op: impute\n    strategy: median\n")) ==
        "t.yaml:11:9: error: 'impute' before 'split' computes its statistics from test rows too (leakage)\n"
        "    - op: impute\n"
        "          ^~~~~~\n"
        "  note: move this stage after 'op: split'\n");
}

TEST_CASE("smote on the test part") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: smote\n", "  - op: smote\n    part: test\n")) ==
        "t.yaml:18:11: error: 'smote' on the test part would score the model on rows that are not real data\n"
        "      part: test\n"
        "            ^~~~\n"
        "  note: resampling and augmentation apply to the training part only: 'part: train'\n");
}

TEST_CASE("impute fitted on all rows, without knock-on errors") {
  // The stages after it are planned as if it had filled the values: one mistake, one error.
  CHECK(errors_of(replaced(heart_yaml(), "strategy: median", "strategy: median\n    fit_on: all")) ==
        "t.yaml:16:13: error: 'impute' fitted on all rows learns from the test part (leakage)\n"
        "      fit_on: all\n"
        "              ^~~\n"
        "  note: fit on the training part only: 'fit_on: train'\n");
}

TEST_CASE("standardize fitted on all rows") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: standardize\n", "  - op: standardize\n    fit_on: all\n")) ==
        "t.yaml:17:13: error: 'standardize' fitted on all rows learns from the test part (leakage)\n"
        "      fit_on: all\n"
        "              ^~~\n"
        "  note: fit on the training part only: 'fit_on: train'\n");
}

// --- Missing values: standardize and smote need complete data ---------------------------

TEST_CASE("standardize before impute names the impute stage to move") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: impute\n    strategy: median\n  - op: standardize\n",
                           "  - op: standardize\n  - op: impute\n    strategy: median\n")) ==
        "t.yaml:14:9: error: 'standardize' needs complete data, but 6 values are missing: 'ca' (4), 'thal' (2)\n"
        "    - op: standardize\n"
        "          ^~~~~~~~~~~\n"
        "  note: move the 'impute' stage (line 15) before it\n");
}

TEST_CASE("values no stage fills would reach the model") {
  const std::string text = replaced(replaced(replaced(heart_yaml(), "  - op: impute\n    strategy: median\n", ""),
                                             "  - op: standardize\n", ""),
                                    "  - op: smote\n    seed: 42\n", "");
  CHECK(errors_of(text) ==
        "t.yaml:16:7: error: 6 values are still missing after the data stages, and the model cannot take missing "
        "values: 'ca' (4), 'thal' (2)\n"
        "    op: mlp\n"
        "        ^~~\n"
        "  note: fill them with '- op: impute' after 'split'\n");
}

TEST_CASE("smote while values are still missing") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: impute\n    strategy: median\n  - op: standardize\n", "")) ==
        "t.yaml:14:9: error: 'smote' needs complete data, but 6 values are missing: 'ca' (4), 'thal' (2)\n"
        "    - op: smote\n"
        "          ^~~~~\n"
        "  note: add 'op: impute' before it\n");
}

// --- Columns and files ------------------------------------------------------------------

TEST_CASE("a misspelt target column") {
  CHECK(errors_of(replaced(heart_yaml(), "target: num", "target: nums")) ==
        "t.yaml:9:13: error: no column 'nums' in the data for 'target' \u2014 did you mean 'num'?\n"
        "      target: nums\n"
        "              ^~~~\n"
        "  note: the columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', "
        "'oldpeak', 'slope', 'ca', 'thal', and 'num'\n");
}

TEST_CASE("a target column that is nothing like any column gets no suggestion") {
  // 'label' is three edits from 'age', too far for a five-letter word.
  CHECK(errors_of(replaced(heart_yaml(), "target: num", "target: label")) ==
        "t.yaml:9:13: error: no column 'label' in the data for 'target'\n"
        "      target: label\n"
        "              ^~~~~\n"
        "  note: the columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', "
        "'oldpeak', 'slope', 'ca', 'thal', and 'num'\n");
}

TEST_CASE("a dropped column that does not exist") {
  CHECK(errors_of(replaced(heart_yaml(), "    target_threshold: 0\n", "    target_threshold: 0\n    drop: [chl]\n")) ==
        "t.yaml:11:11: error: no column 'chl' in the data for 'drop' \u2014 did you mean 'chol'?\n"
        "      drop: [chl]\n"
        "            ^\n"
        "  note: the columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', "
        "'oldpeak', 'slope', 'ca', 'thal', and 'num'\n");
}

TEST_CASE("a data file that is not there") {
  // Relative to the pipeline file's folder: "." for t.yaml.
  CHECK(errors_of(replaced(heart_yaml(), std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data", "missing.csv")) ==
        "t.yaml:5:11: error: cannot read the data file './missing.csv': no such file or directory\n"
        "      path: missing.csv\n"
        "            ^~~~~~~~~~~\n"
        "  note: check the path (relative paths start at the pipeline file's folder) or change it with --set "
        "load_csv.path=FILE\n");
}

TEST_CASE("a data path that is a folder") {
  pipetest::TempDir dir;
  CHECK(errors_of(replaced(heart_yaml(), std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data", dir.str())) ==
        "t.yaml:5:11: error: cannot read the data file '" + dir.str() + "': is a directory\n"
        "      path: " + dir.str() + "\n"
        "            ^" + std::string(dir.str().size() - 1, '~') + "\n"
        "  note: check the path (relative paths start at the pipeline file's folder) or change it with --set "
        "load_csv.path=FILE\n");
}

TEST_CASE("load_csv after another data stage") {
  CHECK(errors_of(replaced(replaced(heart_yaml(), kSplit, ""), "  - op: load_csv\n", kSplit + "  - op: load_csv\n")) ==
        "t.yaml:7:9: error: 'load_csv' must be the first data stage\n"
        "    - op: load_csv\n"
        "          ^~~~~~~~\n"
        "  note: one pipeline reads one table\n");
}

TEST_CASE("two data stages with one name") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: gaussian_noise\n", "  - op: gaussian_noise\n  - op: gaussian_noise\n")) ==
        "t.yaml:20:5: error: two data stages are called 'gaussian_noise' (the other is on line 19)\n"
        "    - op: gaussian_noise\n"
        "      ^\n"
        "  note: give one of them an 'id:' of its own\n");
}

// --- The loss against the classes -------------------------------------------------------

TEST_CASE("bce_with_logits on a target with five classes") {
  // Without target_threshold UCI's num keeps its grades 0-4.
  CHECK(errors_of(replaced(heart_yaml(), "    target_threshold: 0\n", "")) ==
        "t.yaml:24:7: error: 'bce_with_logits' needs two classes, but 'num' has 5: 0, 1, 2, 3, 4\n"
        "    op: bce_with_logits\n"
        "        ^~~~~~~~~~~~~~~\n"
        "  note: make the target binary with 'target_threshold' on load_csv (class 1 where 'num' is above it, for "
        "example 'target_threshold: 0'), use loss 'cross_entropy' for 5 classes, or predict the number: "
        "'target_type: number' and loss 'mse'\n");
}

TEST_CASE("a last batch of one row with BatchNorm") {
  // 524 training rows after smote and gaussian_noise.
  CHECK(errors_of(replaced(heart_yaml(), "batch_size: 32", "batch_size: 523")) ==
        "t.yaml:35:15: error: the last batch of each epoch has 1 row (524 rows, batch_size 523), which BatchNorm "
        "cannot train on\n"
        "    batch_size: 523\n"
        "                ^~~\n"
        "  note: change batch_size or set 'drop_last: true'\n");
}

// --- SMOTE's neighbours -----------------------------------------------------------------

TEST_CASE("a class with too few rows for the default k_neighbors") {
  // 20 rows, 4 of class 1: the stratified split leaves 3 of them for training.
  pipetest::TempDir dir;
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 16; ++i) csv += std::to_string(i) + "," + std::to_string(i % 3) + ",0\n";
  for (int i = 0; i < 4; ++i) csv += std::to_string(i) + "," + std::to_string(i % 2) + ",1\n";
  pipetest::write_file(dir.path("tiny.csv"), csv);
  const std::string text = replaced(heart_yaml(),
                                    "    path: " + std::string(PIPE_SHARED_DIR) +
                                        "/data/processed.cleveland.data\n    header: false\n"
                                        "    columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, "
                                        "oldpeak, slope, ca, thal, num]\n    na_values: [\"?\"]\n    target: num\n"
                                        "    target_threshold: 0\n",
                                    "    path: " + dir.path("tiny.csv") + "\n    target: y\n");
  CHECK(errors_of(text) ==
        "t.yaml:13:9: error: class '1' has 3 training rows, too few for k_neighbors 5 (the default): smote needs "
        "k_neighbors + 1 rows of each class it grows\n"
        "    - op: smote\n"
        "          ^~~~~\n"
        "  note: set 'k_neighbors: 2' or lower\n");
}

TEST_CASE("a k_neighbors from --set larger than a class") {
  // 111 training rows of class 1, the one smote grows.
  CHECK(errors_of(heart_yaml(), sets({"smote.k_neighbors=111"})) ==
        "--set smote.k_neighbors=111: error: class '1' has 111 training rows, too few for k_neighbors 111: smote "
        "needs k_neighbors + 1 rows of each class it grows\n"
        "  note: set 'k_neighbors: 110' or lower\n");
  CHECK(errors_of(heart_yaml(), sets({"smote.k_neighbors=110"})) == "");
}

// --- The split ----------------------------------------------------------------------------

TEST_CASE("no split at all is one error where the split belongs") {
  // Not one "before 'split'" error per stage: there is no split to move them after.
  CHECK(errors_of(replaced(heart_yaml(), kSplit, "")) ==
        "t.yaml:11:9: error: the data is never split into a training and a test part\n"
        "    - op: impute\n"
        "          ^~~~~~\n"
        "  note: add a stage '- op: split' before this one: fitted and resampling stages use the training part only\n");
}

TEST_CASE("a loader alone is never split") {
  const std::string text = heart_yaml();
  const auto from = text.find(kSplit), to = text.find("model:");
  CHECK(errors_of(text.substr(0, from) + text.substr(to)) ==
        "t.yaml:4:9: error: the data is never split into a training and a test part\n"
        "    - op: load_csv\n"
        "          ^~~~~~~~\n"
        "  note: add a stage '- op: split' after this one\n");
}

TEST_CASE("a split that fails is reported at its size, without knock-on errors") {
  CHECK(errors_of(replaced(heart_yaml(), "test_size: 0.2", "test_size: 1.5")) ==
        "t.yaml:12:16: error: test_size '1.5' should be either a fraction in (0, 1) or a whole number of rows, at "
        "least 1 and below 303 (the number of rows)\n"
        "      test_size: 1.5\n"
        "                 ^~~\n");
}

TEST_CASE("a validation part larger than the training part") {
  CHECK(errors_of(replaced(heart_yaml(), "test_size: 0.2", "test_size: 0.2\n    validation_size: 300")) ==
        "t.yaml:13:22: error: 'validation_size' must be a fraction in (0, 1) or a whole number of rows below 242 "
        "(the training rows), got '300'\n"
        "      validation_size: 300\n"
        "                       ^~~\n");
}

// --- Augmentation order: resample, then add noise -----------------------------------------

TEST_CASE("gaussian_noise before smote needs allow_before_resampling") {
  const std::string noise_first = replaced(replaced(heart_yaml(), "  - op: gaussian_noise\n", ""), "  - op: smote\n",
                                           "  - op: gaussian_noise\n  - op: smote\n");
  CHECK(errors_of(noise_first) ==
        "t.yaml:17:9: error: 'gaussian_noise' before 'smote' (line 18) makes the resampler interpolate between noisy copies\n"
        "    - op: gaussian_noise\n"
        "          ^~~~~~~~~~~~~~\n"
        "  note: resample first, then add noise (move this stage after 'smote'), or set 'allow_before_resampling: true' "
        "to mean it\n");
  CHECK(errors_of(replaced(noise_first, "  - op: gaussian_noise\n",
                           "  - op: gaussian_noise\n    allow_before_resampling: true\n")) == "");  // Every sampler counts, the cleaners too (read off the schema: they take sampling_strategy).
  CHECK(errors_of(replaced(noise_first, "  - op: smote\n    seed: 42\n", "  - op: tomek_links\n")).rfind(
            "t.yaml:17:9: error: 'gaussian_noise' before 'tomek_links' (line 18)", 0) == 0);
}

TEST_CASE("noise drawn every epoch must be the last data stage") {
  const std::string noise_first = replaced(replaced(heart_yaml(), "  - op: gaussian_noise\n", ""), "  - op: smote\n",
                                           "  - op: gaussian_noise\n    allow_before_resampling: true\n"
                                           "    redraw: every_epoch\n  - op: smote\n");
  CHECK(errors_of(noise_first) ==
        "t.yaml:19:13: error: 'redraw: every_epoch' needs gaussian_noise to be the last data stage\n"
        "      redraw: every_epoch\n"
        "              ^~~~~~~~~~~\n"
        "  note: move 'smote' before it, or draw the noise once: 'redraw: once'\n");
  CHECK(errors_of(replaced(heart_yaml(), "  - op: gaussian_noise\n", "  - op: gaussian_noise\n    redraw: every_epoch\n")) ==
        "");
}

// --- Categorical columns and column lists ---------------------------------------------------

namespace {

// The heart pipeline reading 'cp' and 'thal' as categories (line 11).
std::string heart_categorical(const std::string& columns = "[cp, thal]") {
  return replaced(heart_yaml(), "    target_threshold: 0\n", "    target_threshold: 0\n    categorical: " + columns + "\n");
}

}  // namespace

TEST_CASE("smote on categorical columns, reported once") {
  // Not again at the model: one mistake, one error.
  CHECK(errors_of(heart_categorical()) ==
        "t.yaml:18:9: error: 'smote' needs numeric data, but 'cp' (4 categories), 'thal' (3 categories) are categorical\n"
        "    - op: smote\n"
        "          ^~~~~\n"
        "  note: encode categorical columns before it: add '- op: one_hot_encode' (or ordinal_encode) after 'split'\n");
}

TEST_CASE("a categorical column that reaches the model") {
  const std::string text =
      replaced(replaced(heart_categorical("[\"c?\"]"), "  - op: smote\n    seed: 42\n", ""), "  - op: gaussian_noise\n", "");
  CHECK(errors_of(text) ==
        "t.yaml:19:7: error: the model takes numbers, but 'cp' (4 categories), 'ca' (4 categories) are categorical\n"
        "    op: mlp\n"
        "        ^~~\n"
        "  note: encode them in the data stages: add '- op: one_hot_encode' (or ordinal_encode) after 'split'\n");
  CHECK(errors_of(replaced(text, "[\"c?\"]", "[cp]")) ==
        "t.yaml:19:7: error: the model takes numbers, but 'cp' (4 categories) is categorical\n"
        "    op: mlp\n"
        "        ^~~\n"
        "  note: encode it in the data stages: add '- op: one_hot_encode' (or ordinal_encode) after 'split'\n");
}

TEST_CASE("names in load_csv's 'categorical' that are not columns") {
  CHECK(errors_of(heart_categorical("[cp, tahl, \"x*\", num]")) ==
        "t.yaml:11:23: error: no column 'tahl' in the data for 'categorical' \u2014 did you mean 'thal'?\n"
        "      categorical: [cp, tahl, \"x*\", num]\n"
        "                        ^~~~\n"
        "  note: the columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', "
        "'oldpeak', 'slope', 'ca', 'thal', and 'num'\n"
        "t.yaml:11:29: error: 'x*' matches no column\n"
        "      categorical: [cp, tahl, \"x*\", num]\n"
        "                              ^~~~\n"
        "  note: the columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', "
        "'oldpeak', 'slope', 'ca', 'thal', and 'num'\n"
        "t.yaml:11:35: error: 'num' is the target: its classes are categories already\n"
        "      categorical: [cp, tahl, \"x*\", num]\n"
        "                                    ^~~\n"
        "  note: 'categorical' lists feature columns\n");
}

TEST_CASE("a word in a numeric column is a located error that suggests 'categorical'") {
  pipetest::TempDir dir;
  pipetest::write_file(dir.path("stray.csv"), "age,chol,y\n50,200,0\n61,abc,1\n");
  const std::string text = replaced(heart_yaml(),
                                    "    path: " + std::string(PIPE_SHARED_DIR) +
                                        "/data/processed.cleveland.data\n    header: false\n"
                                        "    columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, "
                                        "oldpeak, slope, ca, thal, num]\n    na_values: [\"?\"]\n    target: num\n"
                                        "    target_threshold: 0\n",
                                    "    path: " + dir.path("stray.csv") + "\n    target: y\n");
  CHECK(errors_of(text) ==
        "t.yaml:5:11: error: " + dir.path("stray.csv") + ":3: column 'chol': 'abc' is not a number\n"
        "      path: " + dir.path("stray.csv") + "\n"
        "            ^" + std::string(dir.path("stray.csv").size() - 1, '~') + "\n"
        "  note: to read 'chol' as categories, list it in 'categorical' (a column whose first value is text is "
        "categorical by itself)\n");
}

TEST_CASE("standardize's columns: a misspelt name, a pattern that matches nothing, an empty list") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: standardize\n", "  - op: standardize\n    columns: [age, chl, \"x*\"]\n")) ==
        "t.yaml:17:20: error: no column 'chl' in the data for 'columns' \u2014 did you mean 'chol'?\n"
        "      columns: [age, chl, \"x*\"]\n"
        "                     ^~~\n"
        "  note: the columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', "
        "'oldpeak', 'slope', 'ca', and 'thal'\n"
        "t.yaml:17:25: error: 'x*' matches no column\n"
        "      columns: [age, chl, \"x*\"]\n"
        "                          ^~~~\n"
        "  note: the columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', "
        "'oldpeak', 'slope', 'ca', and 'thal'\n");
  CHECK(errors_of(replaced(heart_yaml(), "  - op: standardize\n", "  - op: standardize\n    columns: []\n")) ==
        "t.yaml:17:14: error: 'columns' is empty\n"
        "      columns: []\n"
        "               ^\n"
        "  note: name columns or patterns, or leave 'columns' out for every numeric column\n");
}

// --- sampling_strategy as rows per class --------------------------------------------------

TEST_CASE("sampling_strategy rows per class, keyed by the class as written in the data") {
  const std::string smote = "  - op: smote\n    seed: 42\n";
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: {0: 131, 1: 140}\n")) == "");
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: {\"1.0\": 140}\n")) == "");
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: {}\n")) == "");
}

TEST_CASE("sampling_strategy naming a class that is not in the data points at it") {
  const std::string smote = "  - op: smote\n    seed: 42\n";
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: {0: 131, 2: 140}\n")) ==
        "t.yaml:19:33: error: no class '2' in the data for 'sampling_strategy'\n"
        "      sampling_strategy: {0: 131, 2: 140}\n"
        "                                  ^\n"
        "  note: the classes are '0' and '1'\n");
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy:\n      '0': 131\n      yes: 140\n")) ==
        "t.yaml:21:7: error: no class 'yes' in the data for 'sampling_strategy'\n"
        "        yes: 140\n"
        "        ^~~\n"
        "  note: the classes are '0' and '1'\n");
}

TEST_CASE("sampling_strategy asking an over-sampler to remove rows") {
  const std::string smote = "  - op: smote\n    seed: 42\n";
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: {0: 131, 1: 100}\n")) ==
        "t.yaml:19:24: error: sampling_strategy asks for '100' rows of class '1', which has 111 already: an "
        "over-sampler can only add rows\n"
        "      sampling_strategy: {0: 131, 1: 100}\n"
        "                         ^\n");
}

TEST_CASE("sampling_strategy rows per class from --set") {
  CHECK(errors_of(heart_yaml(), sets({"smote.sampling_strategy={0: 140, 1: 140}"})) == "");
  CHECK(errors_of(heart_yaml(), sets({"smote.sampling_strategy={0: 140, no: 140}"})) ==
        "--set smote.sampling_strategy={0: 140, no: 140}: error: no class 'no' in the data for 'sampling_strategy'\n"
        "  note: the classes are '0' and '1'\n");
}

TEST_CASE("an encoder after a stage that adds training rows") {
  // Its categories are those of the training rows as the split made them.
  CHECK(errors_of(replaced(heart_categorical("[cp]"), "  - op: smote\n    seed: 42\n",
                           "  - op: smote_nc\n    categorical_features: [cp]\n    seed: 42\n"
                           "  - op: one_hot_encode\n    columns: [cp]\n")) ==
        "t.yaml:21:9: error: 'one_hot_encode' must come before the stages that add or remove training rows\n"
        "    - op: one_hot_encode\n"
        "          ^~~~~~~~~~~~~~\n"
        "  note: it learns the categories of the training rows: encode right after 'split'\n");
}
