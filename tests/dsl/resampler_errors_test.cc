// The planner's messages about the resamplers, compared whole: the leakage and part rules,
// sampling_strategy forms a sampler does not take, class and column names that are not in
// the data, and too few rows for the neighbours asked for. Each case changes the heart
// pipeline's smote stage (line 17) into another resampler.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using pipetest::errors_of;
using pipetest::heart_yaml;
using pipetest::replaced;

namespace {

const std::string kSmote = "  - op: smote\n    seed: 42\n";
const std::string kSplit = "  - op: split\n    test_size: 0.2\n    seed: 42\n";

// The heart pipeline with `stage` (its full text) in place of smote.
std::string with_stage(const std::string& stage) { return replaced(heart_yaml(), kSmote, stage); }

}  // namespace

TEST_CASE("every resampler is valid where smote is") {
  for (const char* op : {"borderline_smote", "adasyn", "random_over_sampler", "random_under_sampler", "tomek_links",
                         "edited_nearest_neighbours", "smote_tomek", "smote_enn"}) {
    INFO(op);
    CHECK(errors_of(with_stage(std::string("  - op: ") + op + "\n")) == "");
  }
  CHECK(errors_of(with_stage("  - op: smote_nc\n    categorical_features: [cp, thal]\n")) == "");
}

TEST_CASE("a cleaner before the split") {
  const std::string stage = "  - op: tomek_links\n";
  CHECK(errors_of(replaced(replaced(heart_yaml(), kSmote, ""), kSplit, stage + kSplit)) ==
        "t.yaml:11:9: error: 'tomek_links' before 'split' would remove test rows too: the test part must keep the "
        "data's real class balance\n"
        "    - op: tomek_links\n"
        "          ^~~~~~~~~~~\n"
        "  note: move this stage after 'op: split'\n");
}

TEST_CASE("smote_tomek on the test part") {
  CHECK(errors_of(with_stage("  - op: smote_tomek\n    part: test\n")) ==
        "t.yaml:18:11: error: 'smote_tomek' on the test part would score the model on rows that are not real data\n"
        "      part: test\n"
        "            ^~~~\n"
        "  note: resampling and augmentation apply to the training part only: 'part: train'\n");
}

TEST_CASE("a cleaner takes neither 'minority' nor rows per class") {
  CHECK(errors_of(with_stage("  - op: tomek_links\n    sampling_strategy: minority\n")) ==
        "t.yaml:18:24: error: unknown sampling_strategy 'minority' for 'tomek_links' \u2014 did you mean 'majority'?\n"
        "      sampling_strategy: minority\n"
        "                         ^~~~~~~~\n"
        "  note: expected 'auto', 'majority', 'not minority', 'not majority', or 'all'\n");
  CHECK(errors_of(with_stage("  - op: edited_nearest_neighbours\n    sampling_strategy: {0: 100}\n")) ==
        "t.yaml:18:24: error: expected a string or a list of names for 'sampling_strategy', got a mapping\n"
        "      sampling_strategy: {0: 100}\n"
        "                         ^\n"
        "  note: sampling_strategy: which classes to clean: a name as in imblearn ('auto' = 'not minority') or a list "
        "of classes; default auto\n");
}

TEST_CASE("a cleaner's list of classes must name classes of the data") {
  CHECK(errors_of(with_stage("  - op: tomek_links\n    sampling_strategy: [0, '2']\n")) ==
        "t.yaml:18:28: error: no class '2' in the data for 'sampling_strategy'\n"
        "      sampling_strategy: [0, '2']\n"
        "                             ^~~\n"
        "  note: the classes are '0' and '1'\n");
}

TEST_CASE("an under-sampler asked for more rows than a class has") {
  CHECK(errors_of(with_stage("  - op: random_under_sampler\n    sampling_strategy: {0: 200}\n")) ==
        "t.yaml:18:24: error: sampling_strategy asks for '200' rows of class '0', which has 131: an under-sampler can "
        "only remove rows\n"
        "      sampling_strategy: {0: 200}\n"
        "                         ^\n");
  CHECK(errors_of(with_stage("  - op: random_under_sampler\n    sampling_strategy: 0.5\n")) ==
        "t.yaml:18:24: error: sampling_strategy '0.5' asks for 222 rows of class '0', which has 131: increase the "
        "ratio so that random_under_sampler removes rows\n"
        "      sampling_strategy: 0.5\n"
        "                         ^~~\n");
}

TEST_CASE("a ratio with three classes") {
  // Without target_threshold UCI's num keeps its grades 0-4 (the loss then fails too).
  const std::string text = replaced(with_stage("  - op: random_over_sampler\n    sampling_strategy: 0.5\n"),
                                    "    target_threshold: 0\n", "");
  CHECK(errors_of(text).rfind("t.yaml:17:24: error: sampling_strategy '0.5' can be a ratio only for 2 classes, got 5: "
                              "give the rows wanted per class instead\n",
                              0) == 0);
}

TEST_CASE("smote_nc's categorical columns must be feature columns, each once") {
  CHECK(errors_of(with_stage("  - op: smote_nc\n    categorical_features: [cp, tahl, cp]\n")) ==
        "t.yaml:18:32: error: no column 'tahl' in the data for 'categorical_features' \u2014 did you mean 'thal'?\n"
        "      categorical_features: [cp, tahl, cp]\n"
        "                                 ^~~~\n"
        "  note: the feature columns are 'age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', "
        "'exang', 'oldpeak', 'slope', 'ca', and 'thal'\n"
        "t.yaml:18:38: error: 'cp' is listed twice in 'categorical_features'\n"
        "      categorical_features: [cp, tahl, cp]\n"
        "                                       ^~\n"
        "  note: keep one of them\n");
  CHECK(errors_of(with_stage("  - op: smote_nc\n")) ==
        "t.yaml:17:9: error: 'smote_nc' needs parameter 'categorical_features'\n"
        "    - op: smote_nc\n"
        "          ^~~~~~~~\n"
        "  note: categorical_features: the columns holding category codes: synthetic rows take a neighbour's "
        "category, never a value between\n");
}

TEST_CASE("too few rows for adasyn's and borderline_smote's neighbours") {
  CHECK(errors_of(with_stage("  - op: adasyn\n    n_neighbors: 111\n")) ==
        "t.yaml:18:18: error: class '1' has 111 training rows, too few for n_neighbors 111: adasyn needs "
        "n_neighbors + 1 rows of each class it grows\n"
        "      n_neighbors: 111\n"
        "                   ^~~\n"
        "  note: set 'n_neighbors: 110' or lower\n");
  CHECK(errors_of(with_stage("  - op: borderline_smote\n    m_neighbors: 242\n")) ==
        "t.yaml:18:18: error: the training part has 242 rows, too few for m_neighbors 242: borderline_smote needs "
        "m_neighbors + 1 training rows\n"
        "      m_neighbors: 242\n"
        "                   ^~~\n"
        "  note: set 'm_neighbors: 241' or lower\n");
}

TEST_CASE("an error found while running a cleaner at plan time is at the stage") {
  // Every row has its 241 other rows as neighbours: each is the neighbour of rows of both classes.
  CHECK(errors_of(with_stage("  - op: edited_nearest_neighbours\n    n_neighbors: 242\n")) ==
        "t.yaml:17:9: error: the training part has 242 rows, too few for edited_nearest_neighbours with n_neighbors "
        "'242': each row needs 242 neighbours, so at least 243 rows\n"
        "    - op: edited_nearest_neighbours\n"
        "          ^~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST_CASE("class names as written in the data, with a suggestion for a near miss") {
  pipetest::TempDir dir;
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 40; ++i) csv += std::to_string(i) + "," + std::to_string(i % 7) + "," + (i % 4 ? "healthy" : "sick") + "\n";
  pipetest::write_file(dir.path("named.csv"), csv);
  const std::string text = replaced(
      with_stage("  - op: random_over_sampler\n    sampling_strategy: {Sick: 30}\n"),
      "    path: " + std::string(PIPE_SHARED_DIR) +
          "/data/processed.cleveland.data\n    header: false\n"
          "    columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, slope, ca, thal, num]\n"
          "    na_values: [\"?\"]\n    target: num\n    target_threshold: 0\n",
      "    path: " + dir.path("named.csv") + "\n    target: y\n");
  CHECK(errors_of(text) ==
        "t.yaml:14:25: error: no class 'Sick' in the data for 'sampling_strategy' \u2014 did you mean 'sick'?\n"
        "      sampling_strategy: {Sick: 30}\n"
        "                          ^~~~\n"
        "  note: the classes are 'healthy' and 'sick'\n");
  CHECK(errors_of(replaced(text, "{Sick: 30}", "{sick: 30}")) == "");
}
