// The validator's messages about the file itself, compared whole: location, source line,
// caret and note. Each case changes one thing in the valid heart pipeline and names what
// it expects. The data rules (leakage, missing values, columns, classes) are in
// semantic_errors_test.cc.
#include <catch2/catch.hpp>

#include "tests/dsl/error_helpers.h"

using pipetest::errors_of;
using pipetest::heart_yaml;
using pipetest::replaced;
using pipetest::sets;

// Every data op, in registration order: what an unknown or missing data op lists.
const std::string kDataOps =
    "'load_csv', 'load_cifar10', 'load_images', 'split', 'kfold', 'impute', 'standardize', 'select_columns', "
    "'one_hot_encode', 'ordinal_encode', 'min_max_scale', 'robust_scale', 'smote', 'borderline_smote', 'adasyn', 'smote_nc', "
    "'random_over_sampler', 'random_under_sampler', 'tomek_links', 'edited_nearest_neighbours', 'smote_tomek', "
    "'smote_enn', 'gaussian_noise', 'random_horizontal_flip', 'random_crop', 'scale_pixels', or 'normalize'";

TEST_CASE("the heart pipeline is valid") { CHECK(errors_of(heart_yaml()) == ""); }

// --- Unknown names: each with the nearest valid one and the full list -----------------

TEST_CASE("an unknown optimizer is named with the nearest one") {
  CHECK(errors_of(replaced(heart_yaml(), "op: adamw", "op: adamw2")) ==
        "t.yaml:27:7: error: unknown optimizer 'adamw2' \u2014 did you mean 'adamw'?\n"
        "    op: adamw2\n"
        "        ^~~~~~\n"
        "  note: expected 'adamw', 'adam', 'sgd', 'rmsprop', or 'adagrad'\n");
}

TEST_CASE("a misspelt parameter is named with the one meant") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: smote\n", "  - op: smote\n    k_neigbors: 3\n")) ==
        "t.yaml:18:5: error: unknown parameter 'k_neigbors' for 'smote' \u2014 did you mean 'k_neighbors'?\n"
        "      k_neigbors: 3\n"
        "      ^~~~~~~~~~\n"
        "  note: 'smote' takes 'sampling_strategy', 'k_neighbors', 'part', and 'seed'\n");
}

TEST_CASE("a misspelt section is reported once, not also as missing") {
  CHECK(errors_of(replaced(heart_yaml(), "optimizer:", "optimiser:")) ==
        "t.yaml:26:1: error: unknown section 'optimiser' \u2014 did you mean 'optimizer'?\n"
        "  optimiser:\n"
        "  ^~~~~~~~~\n"
        "  note: a pipeline has 'pipeline', 'description', 'seed', 'device', 'data', 'model', 'loss', 'optimizer', "
        "'scheduler', 'train', 'evaluate', and 'variants'\n");
}

TEST_CASE("an unknown data op is named with the nearest one") {
  CHECK(errors_of(replaced(heart_yaml(), "op: gaussian_noise", "op: smoke")) ==
        "t.yaml:19:9: error: unknown data op 'smoke' \u2014 did you mean 'smote'?\n"
        "    - op: smoke\n"
        "          ^~~~~\n"
        "  note: expected " + kDataOps + "\n");
}

TEST_CASE("a swapped pair of letters counts as one typo") {
  // 'medain' is as far from 'mean' as from 'median' by plain edit distance.
  CHECK(errors_of(replaced(heart_yaml(), "strategy: median", "strategy: medain")) ==
        "t.yaml:15:15: error: unknown strategy 'medain' for 'impute' \u2014 did you mean 'median'?\n"
        "      strategy: medain\n"
        "                ^~~~~~\n"
        "  note: expected 'mean', 'median', 'most_frequent', 'constant', or 'drop_rows'\n");
}

TEST_CASE("a name far from every choice gets no suggestion") {
  CHECK(errors_of(replaced(heart_yaml(), "  dropout: 0.3\n", "  dropout: 0.3\n  activation: swish\n")) ==
        "t.yaml:24:15: error: unknown activation 'swish' for 'mlp'\n"
        "    activation: swish\n"
        "                ^~~~~\n"
        "  note: expected 'relu', 'leaky_relu', 'gelu', 'elu', 'tanh', or 'sigmoid'\n");
}

TEST_CASE("an op in the wrong section says where it belongs") {
  CHECK(errors_of(replaced(heart_yaml(), "train:\n", "train:\n  op: adamw\n")) ==
        "t.yaml:34:7: error: 'adamw' is an optimizer op, not a train op \u2014 it belongs in the 'optimizer' section\n"
        "    op: adamw\n"
        "        ^~~~~\n"
        "  note: expected 'train'\n");
}

// --- Wrong types: what was expected, what was written, and what the parameter is -------

TEST_CASE("a word where an integer belongs") {
  CHECK(errors_of(replaced(heart_yaml(), "epochs: 50", "epochs: fifty")) ==
        "t.yaml:34:11: error: expected an integer for 'epochs', got 'fifty'\n"
        "    epochs: fifty\n"
        "            ^~~~~\n"
        "  note: epochs: passes over the training part; default 10\n");
}

TEST_CASE("a fraction where an integer belongs") {
  CHECK(errors_of(replaced(heart_yaml(), "epochs: 50", "epochs: 2.5")) ==
        "t.yaml:34:11: error: expected an integer for 'epochs', got '2.5'\n"
        "    epochs: 2.5\n"
        "            ^~~\n"
        "  note: epochs: passes over the training part; default 10\n");
}

TEST_CASE("a list where a number belongs") {
  CHECK(errors_of(replaced(heart_yaml(), "lr: 0.001", "lr: [0.001]")) ==
        "t.yaml:28:7: error: expected a number for 'lr', got a list\n"
        "    lr: [0.001]\n"
        "        ^\n"
        "  note: lr: learning rate; default 0.001\n");
}

TEST_CASE("a bad item of a list is pointed at, not the list") {
  CHECK(errors_of(replaced(heart_yaml(), "hidden: [128, 64]", "hidden: [128, wide]")) ==
        "t.yaml:22:17: error: expected an integer in 'hidden', got 'wide'\n"
        "    hidden: [128, wide]\n"
        "                  ^~~~\n"
        "  note: hidden: width of each hidden block; default [128, 64]\n");
}

TEST_CASE("a quoted number is a string") {
  CHECK(errors_of(replaced(heart_yaml(), "batch_size: 32", "batch_size: \"32\"")) ==
        "t.yaml:35:15: error: expected an integer for 'batch_size', got '32'\n"
        "    batch_size: \"32\"\n"
        "                ^~~~\n"
        "  note: batch_size: rows per optimizer step; default 32\n");
}

// --- Out of range: the bound in words, the value written --------------------------------

TEST_CASE("a test_size of zero") {
  CHECK(errors_of(replaced(heart_yaml(), "test_size: 0.2", "test_size: 0")) ==
        "t.yaml:12:16: error: 'test_size' must be greater than 0, got '0'\n"
        "      test_size: 0\n"
        "                 ^\n"
        "  note: test_size: a fraction in (0, 1) of the rows, or a whole number of rows; default 0.25\n");
}

TEST_CASE("no neighbours for smote") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: smote\n", "  - op: smote\n    k_neighbors: 0\n")) ==
        "t.yaml:18:18: error: 'k_neighbors' must be at least 1, got '0'\n"
        "      k_neighbors: 0\n"
        "                   ^\n"
        "  note: k_neighbors: nearest same-class neighbours to interpolate towards; default 5\n");
}

TEST_CASE("a dropout probability above one") {
  CHECK(errors_of(replaced(heart_yaml(), "dropout: 0.3", "dropout: 1.5")) ==
        "t.yaml:23:12: error: 'dropout' must be in [0, 1), got '1.5'\n"
        "    dropout: 1.5\n"
        "             ^~~\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n");
}

TEST_CASE("a negative learning rate") {
  CHECK(errors_of(replaced(heart_yaml(), "lr: 0.001", "lr: -0.01")) ==
        "t.yaml:28:7: error: 'lr' must be at least 0, got '-0.01'\n"
        "    lr: -0.01\n"
        "        ^~~~~\n"
        "  note: lr: learning rate; default 0.001\n");
}

// --- Missing, empty and repeated --------------------------------------------------------

TEST_CASE("a required parameter left out") {
  CHECK(errors_of(replaced(heart_yaml(), "    target: num\n", "")) ==
        "t.yaml:4:9: error: 'load_csv' needs parameter 'target'\n"
        "    - op: load_csv\n"
        "          ^~~~~~~~\n"
        "  note: target: the column to predict: a class, or a number with target_type: number\n");
}

TEST_CASE("a required section left out is an error about the whole file") {
  CHECK(errors_of(replaced(heart_yaml(), "model:\n  op: mlp\n  hidden: [128, 64]\n  dropout: 0.3\n", "")) ==
        "t.yaml: error: the pipeline has no 'model' section\n"
        "  note: add one, for example 'model: {op: mlp}'\n");
}

TEST_CASE("a required section without an op of its own names a parameter") {
  CHECK(errors_of(replaced(heart_yaml(), "train:\n  epochs: 50\n  batch_size: 32\n", "")) ==
        "t.yaml: error: the pipeline has no 'train' section\n"
        "  note: add one, for example 'train: {epochs: 10}'\n");
}

TEST_CASE("an empty section is pointed at by its key") {
  // yaml-cpp places the empty value at the next key; the error belongs on 'loss:'.
  CHECK(errors_of(replaced(heart_yaml(), "loss:\n  op: bce_with_logits\n", "loss:\n")) ==
        "t.yaml:24:1: error: the 'loss' section is empty\n"
        "  loss:\n"
        "  ^~~~\n"
        "  note: for example 'loss: {op: bce_with_logits}'\n");
}

TEST_CASE("an empty section whose op is implied takes every default") {
  CHECK(errors_of(replaced(heart_yaml(), "train:\n  epochs: 50\n  batch_size: 32\n", "train:\n")) == "");
}

TEST_CASE("a bare op name where a stage belongs shows the mapping to write") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: standardize\n", "  - standardize\n")) ==
        "t.yaml:16:5: error: expected a mapping for the data stage, got 'standardize'\n"
        "    - standardize\n"
        "      ^~~~~~~~~~~\n"
        "  note: write it as '- op: standardize'\n");
  CHECK(errors_of(replaced(heart_yaml(), "loss:\n  op: bce_with_logits\n", "loss: bce_with_logits\n")) ==
        "t.yaml:24:7: error: expected a mapping for the loss stage, got 'bce_with_logits'\n"
        "  loss: bce_with_logits\n"
        "        ^~~~~~~~~~~~~~~\n"
        "  note: write it as 'loss: {op: bce_with_logits}', or 'op: bce_with_logits' indented on the next line\n");
}

TEST_CASE("a data stage without an op") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: standardize\n", "  - with_mean: true\n")) ==
        "t.yaml:16:5: error: the data stage needs 'op:' naming a data op\n"
        "    - with_mean: true\n"
        "      ^\n"
        "  note: expected " + kDataOps + "\n");
}

TEST_CASE("a parameter given twice names the first") {
  // yaml-cpp keeps both keys; silently taking one would hide the mistake.
  CHECK(errors_of(replaced(heart_yaml(), "  dropout: 0.3\n", "  dropout: 0.3\n  dropout: 0.2\n")) ==
        "t.yaml:24:3: error: parameter 'dropout' is given twice (first on line 23)\n"
        "    dropout: 0.2\n"
        "    ^~~~~~~\n"
        "  note: keep one of them\n");
}

TEST_CASE("a top-level key given twice names the first") {
  CHECK(errors_of(replaced(heart_yaml(), "seed: 42\ndata:", "seed: 42\nseed: 7\ndata:")) ==
        "t.yaml:3:1: error: 'seed' is given twice (first on line 2)\n"
        "  seed: 7\n"
        "  ^~~~\n"
        "  note: keep one of them\n");
}

// --- Not a pipeline: YAML errors, empty files, other shapes -----------------------------

TEST_CASE("an unclosed list is a located YAML error with a hint") {
  // yaml-cpp notices at the next key; the hint names what is missing.
  CHECK(errors_of(replaced(heart_yaml(), "test_size: 0.2", "test_size: [0.2")) ==
        "t.yaml:13:9: error: invalid YAML: end of sequence flow not found\n"
        "      seed: 42\n"
        "          ^\n"
        "  note: a list opened with '[' is not closed with ']' before this\n");
}

TEST_CASE("bad indentation is a located YAML error with a hint") {
  CHECK(errors_of(replaced(heart_yaml(), "    strategy: median\n", "    strategy: median\n   fill_value: 0\n")) ==
        "t.yaml:16:4: error: invalid YAML: end of sequence not found\n"
        "     fill_value: 0\n"
        "     ^\n"
        "  note: check the indentation: the keys of one mapping, and the '-' items of one list, start in the same column\n");
}

TEST_CASE("a tab in the indentation is a located YAML error") {
  CHECK(errors_of(replaced(heart_yaml(), "  lr: 0.001", "\tlr: 0.001")) ==
        "t.yaml:28:1: error: invalid YAML: illegal tab when looking for indentation\n"
        "   lr: 0.001\n"
        "  ^\n"
        "  note: indent with spaces: YAML does not allow tabs there\n");
}

TEST_CASE("a value with ': ' in it is a located YAML error with a hint") {
  CHECK(errors_of(replaced(heart_yaml(), "target: num", "target: num: class")) ==
        "t.yaml:9:16: error: invalid YAML: illegal map value\n"
        "      target: num: class\n"
        "                 ^\n"
        "  note: check the indentation (spaces, not tabs), or quote a value that contains ': '\n");
}

TEST_CASE("an unclosed quote does not swallow the rest of the file") {
  // yaml-cpp 0.7 would read it as one string up to the end of the file.
  CHECK(errors_of(replaced(heart_yaml(), "lr: 0.001", "lr: \"0.001")) ==
        "t.yaml:28:7: error: invalid YAML: a string opened with \" is never closed\n"
        "    lr: \"0.001\n"
        "        ^\n"
        "  note: it runs to the end of the file; close it with \" on this line\n");
}

TEST_CASE("an empty file") {
  const std::string expected =
      "t.yaml: error: the pipeline file is empty\n"
      "  note: a pipeline has at least 'data', 'model', 'loss', 'optimizer' and 'train' (see pipelines/heart.yaml)\n";
  CHECK(errors_of("") == expected);
  CHECK(errors_of("# nothing but a comment\n\n") == expected);
}

TEST_CASE("a file that is a list, not a mapping") {
  CHECK(errors_of("# the stages, without 'data:'\n- op: load_csv\n  path: x.csv\n- op: split\n") ==
        "t.yaml:2:1: error: expected a mapping of sections (pipeline, data, model, ...), got a list\n"
        "  - op: load_csv\n"
        "  ^\n"
        "  note: write each section as 'NAME:' at the start of a line; the data stages are a list under 'data:'\n");
}

TEST_CASE("a long value is cut in the message and the caret stays on its line") {
  CHECK(errors_of(replaced(heart_yaml(), "lr: 0.001", "lr: \"a very long learning rate that goes on\n    and on over two lines\"")) ==
        "t.yaml:28:7: error: expected a number for 'lr', got 'a very long learning rate that goes on a...'\n"
        "    lr: \"a very long learning rate that goes on\n"
        "        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "  note: lr: learning rate; default 0.001\n");
}

// --- One pass: every error of the file, in file order -----------------------------------

TEST_CASE("several mistakes are all reported at once, in file order") {
  std::string text = heart_yaml();
  // Made in reverse file order, so the output order is the printer's, not the edits'.
  text = replaced(text, "epochs: 50", "epochs: many");
  text = replaced(text, "optimizer:", "optimiser:");
  text = replaced(text, "dropout: 0.3", "dropout: 1.5");
  text = replaced(text, "  - op: smote\n", "  - op: smote\n    k_neigbors: 3\n");
  text = replaced(text, "strategy: median", "strategy: medain");
  text = replaced(text, "seed: 42\ndata:", "seed: 42\ndevice: tpu\ndata:");
  CHECK(errors_of(text) ==
        "t.yaml:3:9: error: unknown device 'tpu' \u2014 did you mean 'cpu'?\n"
        "  device: tpu\n"
        "          ^~~\n"
        "  note: expected 'auto', 'cpu', or 'cuda'\n"
        "t.yaml:16:15: error: unknown strategy 'medain' for 'impute' \u2014 did you mean 'median'?\n"
        "      strategy: medain\n"
        "                ^~~~~~\n"
        "  note: expected 'mean', 'median', 'most_frequent', 'constant', or 'drop_rows'\n"
        "t.yaml:19:5: error: unknown parameter 'k_neigbors' for 'smote' \u2014 did you mean 'k_neighbors'?\n"
        "      k_neigbors: 3\n"
        "      ^~~~~~~~~~\n"
        "  note: 'smote' takes 'sampling_strategy', 'k_neighbors', 'part', and 'seed'\n"
        "t.yaml:25:12: error: 'dropout' must be in [0, 1), got '1.5'\n"
        "    dropout: 1.5\n"
        "             ^~~\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n"
        "t.yaml:28:1: error: unknown section 'optimiser' \u2014 did you mean 'optimizer'?\n"
        "  optimiser:\n"
        "  ^~~~~~~~~\n"
        "  note: a pipeline has 'pipeline', 'description', 'seed', 'device', 'data', 'model', 'loss', 'optimizer', "
        "'scheduler', 'train', 'evaluate', and 'variants'\n"
        "t.yaml:36:11: error: expected an integer for 'epochs', got 'many'\n"
        "    epochs: many\n"
        "            ^~~~\n"
        "  note: epochs: passes over the training part; default 10\n");
}

// --- Command-line overrides: located at the option --------------------------------------

TEST_CASE("--set with an unknown stage lists the stages") {
  CHECK(errors_of(heart_yaml(), sets({"smoet.k_neighbors=3"})) ==
        "--set smoet.k_neighbors=3: error: no stage called 'smoet' \u2014 did you mean 'smote'?\n"
        "  note: the stages are 'load_csv', 'split', 'impute', 'standardize', 'smote', 'gaussian_noise', 'model', "
        "'loss', 'optimizer', 'scheduler', 'train', and 'evaluate'\n");
}

TEST_CASE("--set with a misspelt parameter") {
  CHECK(errors_of(heart_yaml(), sets({"smote.k_neigbors=3"})) ==
        "--set smote.k_neigbors=3: error: unknown parameter 'k_neigbors' for 'smote' \u2014 did you mean 'k_neighbors'?\n"
        "  note: 'smote' takes 'sampling_strategy', 'k_neighbors', 'part', and 'seed'\n");
}

TEST_CASE("--set with a value of the wrong type") {
  CHECK(errors_of(heart_yaml(), sets({"train.epochs=ten"})) ==
        "--set train.epochs=ten: error: expected an integer for 'epochs', got 'ten'\n"
        "  note: epochs: passes over the training part; default 10\n");
  CHECK(errors_of(heart_yaml(), sets({"model.hidden=[64,x]"})) ==
        "--set model.hidden=[64,x]: error: expected an integer in 'hidden', got 'x'\n"
        "  note: hidden: width of each hidden block; default [128, 64]\n");
}

TEST_CASE("--set without STAGE.PARAM=VALUE") {
  const std::string expected = ": error: expected STAGE.PARAM=VALUE, for example 'smote.k_neighbors=3'\n";
  CHECK(errors_of(heart_yaml(), sets({"foo"})) == "--set foo" + expected);
  CHECK(errors_of(heart_yaml(), sets({"train.epochs"})) == "--set train.epochs" + expected);
  CHECK(errors_of(heart_yaml(), sets({"epochs=5"})) == "--set epochs=5" + expected);
}

TEST_CASE("--set values are checked like the file's and all reported") {
  // Each at its own option; the options come before the file's errors.
  CHECK(errors_of(replaced(heart_yaml(), "dropout: 0.3", "dropout: 2"), sets({"optimizer.lr=", "train.epochs=0"})) ==
        "--set optimizer.lr=: error: expected a number for 'lr', got nothing\n"
        "  note: lr: learning rate; default 0.001\n"
        "--set train.epochs=0: error: 'epochs' must be at least 1, got '0'\n"
        "  note: epochs: passes over the training part; default 10\n"
        "t.yaml:23:12: error: 'dropout' must be in [0, 1), got '2'\n"
        "    dropout: 2\n"
        "             ^\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n");
}

TEST_CASE("--seed must not be negative") {
  pipeml::dsl::Overrides o;
  o.seed = -1;
  CHECK(errors_of(heart_yaml(), o) ==
        "--seed: error: 'seed' must be at least 0, got '-1'\n"
        "  note: seed: seeds every random stage that sets none of its own; default 42\n");
}

TEST_CASE("--device names a known device") {
  pipeml::dsl::Overrides o;
  o.device = "tpu";
  CHECK(errors_of(heart_yaml(), o) ==
        "--device: error: unknown device 'tpu' \u2014 did you mean 'cpu'?\n"
        "  note: expected 'auto', 'cpu', or 'cuda'\n");
}

// --- sampling_strategy as a mapping of classes to rows ------------------------------------

TEST_CASE("a negative or fractional row count in sampling_strategy is pointed at") {
  const std::string smote = "  - op: smote\n    seed: 42\n";
  const std::string note =
      "  note: sampling_strategy: which classes to grow: a name as in imblearn ('auto' = 'not majority'), the "
      "minority/majority ratio after resampling (two classes), or the rows wanted per class, {class: rows}; default "
      "auto\n";
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: {0: 131, 1: -5}\n")) ==
        "t.yaml:19:36: error: expected a count (a whole number, at least 0) for '1' in 'sampling_strategy', got "
        "'-5'\n"
        "      sampling_strategy: {0: 131, 1: -5}\n"
        "                                     ^~\n" + note);
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: {1: 140.5}\n")) ==
        "t.yaml:19:28: error: expected a count (a whole number, at least 0) for '1' in 'sampling_strategy', got "
        "'140.5'\n"
        "      sampling_strategy: {1: 140.5}\n"
        "                             ^~~~~\n" + note);
}

TEST_CASE("a class given twice in sampling_strategy names the first") {
  const std::string smote = "  - op: smote\n    seed: 42\n";
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy:\n      1: 140\n      1: 150\n")) ==
        "t.yaml:21:7: error: '1' is given twice in 'sampling_strategy' (first on line 20)\n"
        "        1: 150\n"
        "        ^\n"
        "  note: keep one of them\n");
}

TEST_CASE("a list of classes is for cleaners: smote says what it takes") {
  const std::string smote = "  - op: smote\n    seed: 42\n";
  CHECK(errors_of(replaced(heart_yaml(), smote, smote + "    sampling_strategy: [0, 1]\n")) ==
        "t.yaml:19:24: error: expected a string, a number or a mapping for 'sampling_strategy', got a list\n"
        "      sampling_strategy: [0, 1]\n"
        "                         ^\n"
        "  note: sampling_strategy: which classes to grow: a name as in imblearn ('auto' = 'not majority'), the "
        "minority/majority ratio after resampling (two classes), or the rows wanted per class, {class: rows}; "
        "default auto\n");
}
