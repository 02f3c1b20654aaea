// Bad input never crashes pipe: 68 malformed pipelines, command lines and data files,
// each with the exact text `pipe` answers with — a located error (file:line:col, the line,
// a caret, a note) and exit status 1. Wrong types, unknown keys and ops, values out of range,
// stages in an order that leaks, models that cannot take the data, a class too small for
// SMOTE, missing, empty, ragged, binary and wrongly delimited files, a target with one class,
// infinite values, text that is not UTF-8, an output directory that cannot be written. (The image loaders' errors are
// in cifar_test.cc and image_folder_test.cc; NaN during training in numerical_faults_test.cc.)
// Each case is the base pipeline and table below with one thing broken, in a folder of its
// own holding p.yaml and data.csv.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

namespace {

const std::string kCsv = R"~(a,b,c,y
1,2,3,0
2,3,4,1
3,4,5,0
4,5,6,1
5,6,7,0
6,7,8,1
7,8,9,0
8,9,10,1
9,10,11,0
10,11,12,1
11,12,13,0
12,13,14,1
)~";

const std::string kPipeline = R"~(data:
  - op: load_csv
    path: data.csv
    target: y
  - op: split
    test_size: 0.25
  - op: standardize
model:
  op: mlp
  hidden: [4]
loss:
  op: bce_with_logits
optimizer:
  op: adamw
train:
  epochs: 1
  batch_size: 3
)~";

using pipetest::replaced;
using pipetest::replaced_all;

struct Case {
  const char* name;
  const char* verb;  ///< validate, or run where only running finds it
  const char* args;
  std::optional<std::string> yaml;  ///< p.yaml; none: the case of a missing pipeline file
  std::string csv;                  ///< data.csv
  std::string out;                  ///< what pipe prints, stdout and stderr together
};

}  // namespace

TEST_CASE("malformed input: each case is a located error with exit status 1, never a crash") {
  const std::vector<Case> cases = {
      {"an empty pipeline file", "validate", "", R"~()~",
       kCsv,
       R"~(p.yaml: error: the pipeline file is empty
  note: a pipeline has at least 'data', 'model', 'loss', 'optimizer' and 'train' (see pipelines/heart.yaml)
1 error
)~"},
      {"a YAML syntax error", "validate", "", replaced(kPipeline, R"~(  hidden: [4])~", R"~(  hidden: [4)~"),
       kCsv,
       R"~(p.yaml:11:5: error: invalid YAML: end of sequence flow not found
  loss:
      ^
  note: a list opened with '[' is not closed with ']' before this
1 error
)~"},
      {"a list at the top", "validate", "", R"~(- op: load_csv
)~",
       kCsv,
       R"~(p.yaml:1:1: error: expected a mapping of sections (pipeline, data, model, ...), got a list
  - op: load_csv
  ^
  note: write each section as 'NAME:' at the start of a line; the data stages are a list under 'data:'
1 error
)~"},
      {"a misspelt section", "validate", "", replaced(kPipeline, R"~(optimizer:)~", R"~(optimiser:)~"),
       kCsv,
       R"~(p.yaml:13:1: error: unknown section 'optimiser' — did you mean 'optimizer'?
  optimiser:
  ^~~~~~~~~
  note: a pipeline has 'pipeline', 'description', 'seed', 'device', 'data', 'model', 'loss', 'optimizer', 'scheduler', 'train', 'evaluate', and 'variants'
1 error
)~"},
      {"an unknown data op", "validate", "", replaced(kPipeline, R"~(op: standardize)~", R"~(op: standardise)~"),
       kCsv,
       R"~(p.yaml:7:9: error: unknown data op 'standardise' — did you mean 'standardize'?
    - op: standardise
          ^~~~~~~~~~~
  note: expected 'load_csv', 'load_cifar10', 'load_images', 'split', 'kfold', 'impute', 'standardize', 'select_columns', 'one_hot_encode', 'ordinal_encode', 'min_max_scale', 'robust_scale', 'smote', 'borderline_smote', 'adasyn', 'smote_nc', 'random_over_sampler', 'random_under_sampler', 'tomek_links', 'edited_nearest_neighbours', 'smote_tomek', 'smote_enn', 'gaussian_noise', 'random_horizontal_flip', 'random_crop', 'scale_pixels', or 'normalize'
1 error
)~"},
      {"an unknown parameter", "validate", "", replaced(kPipeline, R"~(test_size: 0.25)~", R"~(test_sise: 0.25)~"),
       kCsv,
       R"~(p.yaml:6:5: error: unknown parameter 'test_sise' for 'split' — did you mean 'test_size'?
      test_sise: 0.25
      ^~~~~~~~~
  note: 'split' takes 'test_size', 'train_size', 'validation_size', 'stratify', 'shuffle', and 'seed'
1 error
)~"},
      {"a text where a number goes", "validate", "", replaced(kPipeline, R"~(test_size: 0.25)~", R"~(test_size: "big")~"),
       kCsv,
       R"~(p.yaml:6:16: error: expected a number for 'test_size', got 'big'
      test_size: "big"
                 ^~~~~
  note: test_size: a fraction in (0, 1) of the rows, or a whole number of rows; default 0.25
1 error
)~"},
      {"a value out of range", "validate", "", replaced(kPipeline, R"~(test_size: 0.25)~", R"~(test_size: -1)~"),
       kCsv,
       R"~(p.yaml:6:16: error: 'test_size' must be greater than 0, got '-1'
      test_size: -1
                 ^~
  note: test_size: a fraction in (0, 1) of the rows, or a whole number of rows; default 0.25
1 error
)~"},
      {"zero epochs", "validate", "", replaced(kPipeline, R"~(epochs: 1)~", R"~(epochs: 0)~"),
       kCsv,
       R"~(p.yaml:16:11: error: 'epochs' must be at least 1, got '0'
    epochs: 0
            ^
  note: epochs: passes over the training part; default 10
1 error
)~"},
      {"a batch size of zero", "validate", "", replaced(kPipeline, R"~(batch_size: 3)~", R"~(batch_size: 0)~"),
       kCsv,
       R"~(p.yaml:17:15: error: 'batch_size' must be at least 1, got '0'
    batch_size: 0
                ^
  note: batch_size: rows per optimizer step; default 32
1 error
)~"},
      {"no data section", "validate", "", kPipeline.substr(kPipeline.find("model:")),
       kCsv,
       R"~(p.yaml: error: the pipeline has no 'data' section
  note: start it with 'data:' and a list of stages beginning with '- op: load_csv'
1 error
)~"},
      {"no model section", "validate", "", replaced(kPipeline, R"~(model:
  op: mlp
  hidden: [4]
)~", R"~()~"),
       kCsv,
       R"~(p.yaml: error: the pipeline has no 'model' section
  note: add one, for example 'model: {op: mlp}'
1 error
)~"},
      {"an unknown model op", "validate", "", replaced(kPipeline, R"~(op: mlp)~", R"~(op: mpl)~"),
       kCsv,
       R"~(p.yaml:9:7: error: unknown model 'mpl' — did you mean 'mlp'?
    op: mpl
        ^~~
  note: expected 'mlp' or 'sequential'
1 error
)~"},
      {"a stage without an op", "validate", "", replaced(kPipeline, R"~(  - op: standardize
)~", R"~(  - with_mean: true
)~"),
       kCsv,
       R"~(p.yaml:7:5: error: the data stage needs 'op:' naming a data op
    - with_mean: true
      ^
  note: expected 'load_csv', 'load_cifar10', 'load_images', 'split', 'kfold', 'impute', 'standardize', 'select_columns', 'one_hot_encode', 'ordinal_encode', 'min_max_scale', 'robust_scale', 'smote', 'borderline_smote', 'adasyn', 'smote_nc', 'random_over_sampler', 'random_under_sampler', 'tomek_links', 'edited_nearest_neighbours', 'smote_tomek', 'smote_enn', 'gaussian_noise', 'random_horizontal_flip', 'random_crop', 'scale_pixels', or 'normalize'
1 error
)~"},
      {"a key given twice", "validate", "", replaced(kPipeline, R"~(  epochs: 1
)~", R"~(  epochs: 1
  epochs: 2
)~"),
       kCsv,
       R"~(p.yaml:17:3: error: parameter 'epochs' is given twice (first on line 16)
    epochs: 2
    ^~~~~~
  note: keep one of them
1 error
)~"},
      {"a list where a number goes", "validate", "", replaced(kPipeline, R"~(batch_size: 3)~", R"~(batch_size: [3])~"),
       kCsv,
       R"~(p.yaml:17:15: error: expected an integer for 'batch_size', got a list
    batch_size: [3]
                ^
  note: batch_size: rows per optimizer step; default 32
1 error
)~"},
      {"dropout probability above 1", "validate", "", replaced(kPipeline, R"~(  hidden: [4])~", R"~(  hidden: [4]
  dropout: 1.5)~"),
       kCsv,
       R"~(p.yaml:11:12: error: 'dropout' must be in [0, 1), got '1.5'
    dropout: 1.5
             ^~~
  note: dropout: dropout probability after each activation (0: none); default 0
1 error
)~"},
      {"an unknown activation", "validate", "", replaced(kPipeline, R"~(  hidden: [4])~", R"~(  hidden: [4]
  activation: relu6)~"),
       kCsv,
       R"~(p.yaml:11:15: error: unknown activation 'relu6' for 'mlp' — did you mean 'relu'?
    activation: relu6
                ^~~~~
  note: expected 'relu', 'leaky_relu', 'gelu', 'elu', 'tanh', or 'sigmoid'
1 error
)~"},
      {"a negative hidden size", "validate", "", replaced(kPipeline, R"~(hidden: [4])~", R"~(hidden: [-4])~"),
       kCsv,
       R"~(p.yaml:10:12: error: 'hidden' must be at least 1, got '-4'
    hidden: [-4]
             ^~
  note: hidden: width of each hidden block; default [128, 64]
1 error
)~"},
      {"a fitted stage before the split", "validate", "", replaced(kPipeline, R"~(  - op: split
    test_size: 0.25
  - op: standardize
)~", R"~(  - op: standardize
  - op: split
    test_size: 0.25
)~"),
       kCsv,
       R"~(p.yaml:5:9: error: 'standardize' before 'split' computes its mean and std from test rows too (leakage)
    - op: standardize
          ^~~~~~~~~~~
  note: move this stage after 'op: split'
1 error
)~"},
      {"smote before the split", "validate", "", replaced(kPipeline, R"~(  - op: split
)~", R"~(  - op: smote
  - op: split
)~"),
       kCsv,
       R"~(p.yaml:5:9: error: 'smote' before 'split' would put synthetic copies of test rows into training (leakage)
    - op: smote
          ^~~~~
  note: move this stage after 'op: split'
1 error
)~"},
      {"a scaler fitted on all rows", "validate", "", replaced(kPipeline, R"~(  - op: standardize
)~", R"~(  - op: standardize
    fit_on: all
)~"),
       kCsv,
       R"~(p.yaml:8:13: error: 'standardize' fitted on all rows learns from the test part (leakage)
      fit_on: all
              ^~~
  note: fit on the training part only: 'fit_on: train'
1 error
)~"},
      {"noise on the test part", "validate", "", replaced(kPipeline, R"~(  - op: standardize
)~", R"~(  - op: standardize
  - op: gaussian_noise
    part: test
)~"),
       kCsv,
       R"~(p.yaml:9:11: error: 'gaussian_noise' on the test part would score the model on rows that are not real data
      part: test
            ^~~~
  note: resampling and augmentation apply to the training part only: 'part: train'
1 error
)~"},
      {"no split at all", "validate", "", replaced(kPipeline, R"~(  - op: split
    test_size: 0.25
)~", R"~()~"),
       kCsv,
       R"~(p.yaml:5:9: error: the data is never split into a training and a test part
    - op: standardize
          ^~~~~~~~~~~
  note: add a stage '- op: split' before this one: fitted and resampling stages use the training part only
1 error
)~"},
      {"two splits", "validate", "", replaced(kPipeline, R"~(  - op: standardize
)~", R"~(  - op: split
  - op: standardize
)~"),
       kCsv,
       R"~(p.yaml:7:5: error: two data stages are called 'split' (the other is on line 5)
    - op: split
      ^
  note: give one of them an 'id:' of its own
1 error
)~"},
      {"a split after kfold", "validate", "", replaced(kPipeline, R"~(  - op: split
    test_size: 0.25
)~", R"~(  - op: kfold
    n_splits: 3
  - op: split
)~"),
       kCsv,
       R"~(p.yaml:7:9: error: 'split' after 'kfold': the folds are already the train and test parts
    - op: split
          ^~~~~
  note: use either 'split' (one train/test split) or 'kfold' (cross-validation), not both
1 error
)~"},
      {"noise before smote", "validate", "", replaced(kPipeline, R"~(  - op: standardize
)~", R"~(  - op: standardize
  - op: gaussian_noise
  - op: smote
)~"),
       kCsv,
       R"~(p.yaml:8:9: error: 'gaussian_noise' before 'smote' (line 9) makes the resampler interpolate between noisy copies
    - op: gaussian_noise
          ^~~~~~~~~~~~~~
  note: resample first, then add noise (move this stage after 'smote'), or set 'allow_before_resampling: true' to mean it
p.yaml:9:9: error: class '0' has 4 training rows, too few for k_neighbors 5 (the default): smote needs k_neighbors + 1 rows of each class it grows
    - op: smote
          ^~~~~
  note: set 'k_neighbors: 3' or lower
2 errors
)~"},
      {"the loader not first", "validate", "", replaced(kPipeline, R"~(  - op: load_csv
    path: data.csv
    target: y
  - op: split
    test_size: 0.25
)~", R"~(  - op: split
  - op: load_csv
    path: data.csv
    target: y
)~"),
       kCsv,
       R"~(p.yaml:3:9: error: 'load_csv' must be the first data stage
    - op: load_csv
          ^~~~~~~~
  note: one pipeline reads one table
1 error
)~"},
      {"cross_entropy on a number target", "validate", "", replaced_all(replaced(kPipeline, R"~(    target: y
)~", R"~(    target: y
    target_type: number
)~"), R"~(bce_with_logits)~", R"~(cross_entropy)~"),
       kCsv,
       R"~(p.yaml:13:7: error: 'cross_entropy' needs classes, but the target 'y' is a number (regression)
    op: cross_entropy
        ^~~~~~~~~~~~~
  note: use a regression loss: 'mse', 'l1', 'huber' or 'smooth_l1'
1 error
)~"},
      {"bce_with_logits for three classes", "validate", "", kPipeline,
       replaced_all(replaced_all(replaced_all(kCsv, R"~(12,13,14,1)~", R"~(12,13,14,2)~"), R"~(10,11,12,1)~", R"~(10,11,12,2)~"), R"~(8,9,10,1)~", R"~(8,9,10,2)~"),
       R"~(p.yaml:12:7: error: 'bce_with_logits' needs two classes, but 'y' has 3: 0, 1, 2
    op: bce_with_logits
        ^~~~~~~~~~~~~~~
  note: make the target binary with 'target_threshold' on load_csv (class 1 where 'y' is above it, for example 'target_threshold: 0'), use loss 'cross_entropy' for 3 classes, or predict the number: 'target_type: number' and loss 'mse'
1 error
)~"},
      {"a last layer of the wrong size", "validate", "", replaced(kPipeline, R"~(  op: mlp
  hidden: [4]
)~", R"~(  op: sequential
  layers:
    - {op: linear, out_features: 4}
    - {op: relu}
    - {op: linear, out_features: 3}
)~"),
       kCsv,
       R"~(p.yaml:13:12: error: the last layer gives [3], the loss needs [1] (bce_with_logits)
      - {op: linear, out_features: 3}
             ^~~~~~
  note: set 'out_features: 1' on the last linear
1 error
)~"},
      {"a conv2d on table rows", "validate", "", replaced(kPipeline, R"~(  op: mlp
  hidden: [4]
)~", R"~(  op: sequential
  layers:
    - {op: conv2d, out_channels: 4, kernel_size: 3}
    - {op: flatten}
    - {op: linear, out_features: 1}
)~"),
       kCsv,
       R"~(p.yaml:11:12: error: layer 0 'conv2d' needs an input of [C, H, W], got [3]
      - {op: conv2d, out_channels: 4, kernel_size: 3}
             ^~~~~~
  note: add '- op: unflatten' before it, with unflattened_size [1, 1, 3] (or another 3-value split of 3)
1 error
)~"},
      {"a kernel larger than the input", "validate", "", replaced(kPipeline, R"~(  op: mlp
  hidden: [4]
)~", R"~(  op: sequential
  layers:
    - {op: unflatten, dim: 1, unflattened_size: [1, 3]}
    - {op: conv1d, out_channels: 2, kernel_size: 5}
    - {op: flatten}
    - {op: linear, out_features: 1}
)~"),
       kCsv,
       R"~(p.yaml:12:50: error: layer 1 'conv1d': kernel_size 5 is larger than the padded input 3 (input [1, 3], padding 0)
      - {op: conv1d, out_channels: 2, kernel_size: 5}
                                                   ^
1 error
)~"},
      {"a regression loss on classes", "validate", "", replaced(kPipeline, R"~(op: bce_with_logits)~", R"~(op: mse)~"),
       kCsv,
       R"~(p.yaml:12:7: error: 'mse' is a regression loss, but 'y' holds classes
    op: mse
        ^~~
  note: predict the number with 'target_type: number' on load_csv, or use 'bce_with_logits' for two classes
1 error
)~"},
      {"a batch larger than the data with drop_last", "validate", "", replaced(kPipeline, R"~(  batch_size: 3
)~", R"~(  batch_size: 64
  drop_last: true
)~"),
       kCsv,
       R"~(p.yaml:17:15: error: 'batch_size' 64 is larger than the 9 training rows with drop_last
    batch_size: 64
                ^~
1 error
)~"},
      {"a class too small for smote's k", "validate", "", replaced(kPipeline, R"~(  - op: standardize
)~", R"~(  - op: standardize
  - op: smote
    k_neighbors: 5
)~"),
       kCsv,
       R"~(p.yaml:9:18: error: class '0' has 4 training rows, too few for k_neighbors 5: smote needs k_neighbors + 1 rows of each class it grows
      k_neighbors: 5
                   ^
  note: set 'k_neighbors: 3' or lower
1 error
)~"},
      {"an unknown column for select_columns", "validate", "", replaced(kPipeline, R"~(  - op: standardize
)~", R"~(  - op: select_columns
    keep: [a, d]
  - op: standardize
)~"),
       kCsv,
       R"~(p.yaml:8:15: error: no column 'd' in the data for 'keep'
      keep: [a, d]
                ^
  note: the columns are 'a', 'b', and 'c'
1 error
)~"},
      {"target_threshold on a number target", "validate", "", replaced(kPipeline, R"~(    target: y
)~", R"~(    target: y
    target_type: number
    target_threshold: 0
)~"),
       kCsv,
       R"~(p.yaml:6:23: error: 'target_threshold' makes classes, but 'target_type' is number (regression)
      target_threshold: 0
                        ^
  note: remove 'target_threshold' to predict the number, or 'target_type' to predict the classes
1 error
)~"},
      {"a step_lr with step_size 0", "validate", "", kPipeline + R"~(scheduler:
  op: step_lr
  step_size: 0
)~",
       kCsv,
       R"~(p.yaml:20:14: error: 'step_size' must be at least 1, got '0'
    step_size: 0
               ^
  note: step_size: epochs between decays
1 error
)~"},
      {"early stopping without a validation part", "validate", "", replaced(kPipeline, R"~(  batch_size: 3
)~", R"~(  batch_size: 3
  early_stopping:
    patience: 2
)~"),
       kCsv,
       R"~(p.yaml:19:5: error: 'early_stopping' monitors val_loss, and there is no validation part to compute it on
      patience: 2
      ^
  note: give 'split' a validation_size
1 error
)~"},
      {"an unknown monitored value", "validate", "", replaced_all(replaced(kPipeline, R"~(    test_size: 0.25
)~", R"~(    test_size: 0.25
    validation_size: 0.25
)~"), R"~(  batch_size: 3
)~", R"~(  batch_size: 3
  early_stopping:
    monitor: val_auc
)~"),
       kCsv,
       R"~(p.yaml:20:14: error: no stage produces 'val_auc' to monitor
      monitor: val_auc
               ^~~~~~~
  note: a classifier's validation gives 'val_loss' and 'val_accuracy'
1 error
)~"},
      {"both clip_grad_norm and clip_grad_value", "validate", "", replaced(kPipeline, R"~(  batch_size: 3
)~", R"~(  batch_size: 3
  clip_grad_norm: 1
  clip_grad_value: 1
)~"),
       kCsv,
       R"~(p.yaml:19:20: error: give one of 'clip_grad_norm' and 'clip_grad_value', not both
    clip_grad_value: 1
                     ^
  note: clip_grad_norm is set on line 18
1 error
)~"},
      {"mixed precision on the CPU", "validate", "", R"~(device: cpu
)~" + replaced(kPipeline, R"~(  batch_size: 3
)~", R"~(  batch_size: 3
  precision: bf16-mixed
)~"),
       kCsv,
       R"~(p.yaml:19:14: error: mixed precision 'bf16-mixed' runs on CUDA only, and this run's device is 'cpu'
    precision: bf16-mixed
               ^~~~~~~~~~
  note: use 'precision: 32' on the CPU, or 'device: cuda'
1 error
)~"},
      {"a threshold above 1", "validate", "", kPipeline + R"~(evaluate:
  threshold: 2
)~",
       kCsv,
       R"~(p.yaml:19:14: error: 'threshold' must be in [0, 1], got '2'
    threshold: 2
               ^
  note: threshold: predict class 1 where its probability is >= this; default 0.5
1 error
)~"},
      {"an unknown metric", "validate", "", kPipeline + R"~(evaluate:
  metrics: [accuracy, auc]
)~",
       kCsv,
       R"~(p.yaml:19:23: error: unknown metric 'auc'
    metrics: [accuracy, auc]
                        ^~~
  note: expected 'accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'average_precision', or 'log_loss'
1 error
)~"},
      {"--set of an unknown stage", "validate", "--set smote.k_neighbors=3", kPipeline,
       kCsv,
       R"~(--set smote.k_neighbors=3: error: no stage called 'smote'
  note: the stages are 'load_csv', 'split', 'standardize', 'model', 'loss', 'optimizer', 'scheduler', 'train', and 'evaluate'
1 error
)~"},
      {"--set without a value", "validate", "--set split.test_size", kPipeline,
       kCsv,
       R"~(--set split.test_size: error: expected STAGE.PARAM=VALUE, for example 'smote.k_neighbors=3'
1 error
)~"},
      {"--set with a bad value", "validate", "--set split.test_size=big", kPipeline,
       kCsv,
       R"~(--set split.test_size=big: error: expected a number for 'test_size', got 'big'
  note: test_size: a fraction in (0, 1) of the rows, or a whole number of rows; default 0.25
1 error
)~"},
      {"--device tpu", "validate", "--device tpu", kPipeline,
       kCsv,
       R"~(--device: error: unknown device 'tpu' — did you mean 'cpu'?
  note: expected 'auto', 'cpu', or 'cuda'
1 error
)~"},
      {"--seed below 0", "validate", "--seed -1", kPipeline,
       kCsv,
       R"~(--seed: error: 'seed' must be at least 0, got '-1'
  note: seed: seeds every random stage that sets none of its own; default 42
1 error
)~"},
      {"a pipeline file that does not exist", "validate", "", std::nullopt,
       kCsv,
       R"~(p.yaml: error: cannot read the pipeline file: no such file or directory
  note: check the path; pipelines live in pipelines/ and examples/
1 error
)~"},
      {"a data file that does not exist", "validate", "", replaced(kPipeline, R"~(path: data.csv)~", R"~(path: nothing.csv)~"),
       kCsv,
       R"~(p.yaml:3:11: error: cannot read the data file './nothing.csv': no such file or directory
      path: nothing.csv
            ^~~~~~~~~~~
  note: check the path (relative paths start at the pipeline file's folder) or change it with --set load_csv.path=FILE
1 error
)~"},
      {"a folder as the data file", "validate", "", replaced(kPipeline, R"~(path: data.csv)~", R"~(path: .)~"),
       kCsv,
       R"~(p.yaml:3:11: error: cannot read the data file './.': is a directory
      path: .
            ^
  note: check the path (relative paths start at the pipeline file's folder) or change it with --set load_csv.path=FILE
1 error
)~"},
      {"an empty data file", "validate", "", kPipeline,
       R"~()~",
       R"~(p.yaml:3:11: error: ./data.csv: the file is empty
      path: data.csv
            ^~~~~~~~
1 error
)~"},
      {"a header and no rows", "validate", "", kPipeline,
       R"~(a,b,c,y
)~",
       R"~(p.yaml:3:11: error: ./data.csv: no data rows after the header
      path: data.csv
            ^~~~~~~~
1 error
)~"},
      {"a ragged row", "validate", "", kPipeline,
       replaced_all(kCsv, R"~(3,4,5,0
)~", R"~(3,4,0
)~"),
       R"~(p.yaml:3:11: error: ./data.csv:4: expected 4 fields, got 3
      path: data.csv
            ^~~~~~~~
1 error
)~"},
      {"text in a numeric column", "validate", "", kPipeline,
       replaced_all(kCsv, R"~(3,4,5,0
)~", R"~(3,x4,5,0
)~"),
       R"~(p.yaml:3:11: error: ./data.csv:4: column 'b': 'x4' is not a number
      path: data.csv
            ^~~~~~~~
  note: to read 'b' as categories, list it in 'categorical' (a column whose first value is text is categorical by itself)
1 error
)~"},
      {"no target column", "validate", "", kPipeline,
       replaced_all(kCsv, R"~(a,b,c,y)~", R"~(a,b,c,z)~"),
       R"~(p.yaml:4:13: error: no column 'y' in the data for 'target'
      target: y
              ^
  note: the columns are 'a', 'b', 'c', and 'z'
1 error
)~"},
      {"a target with one class", "validate", "", kPipeline,
       R"~(a,b,c,y
0,0,0,1
1,1,1,1
2,2,2,1
3,3,3,1
4,4,4,1
5,5,5,1
6,6,6,1
7,7,7,1
8,8,8,1
9,9,9,1
10,10,10,1
11,11,11,1
)~",
       R"~(p.yaml:3:11: error: ./data.csv: target 'y' has a single class: every value is '1'
      path: data.csv
            ^~~~~~~~
1 error
)~"},
      {"the wrong delimiter", "validate", "", kPipeline,
       replaced_all(kCsv, R"~(,)~", R"~(;)~"),
       R"~(p.yaml:4:13: error: no column 'y' in the data for 'target'
      target: y
              ^
  note: the file seems to separate its fields with ';': set 'delimiter: ";"'
1 error
)~"},
      {"an infinite value", "validate", "", kPipeline,
       replaced_all(kCsv, R"~(3,4,5,0
)~", R"~(3,inf,5,0
)~"),
       R"~(p.yaml:3:11: error: ./data.csv:4: column 'b' is infinite ('inf', or a number beyond float32's range): the model cannot take it
      path: data.csv
            ^~~~~~~~
  note: correct the value, or make it a missing value with 'na_values'
1 error
)~"},
      {"a missing value that nothing imputes", "validate", "", kPipeline,
       replaced_all(kCsv, R"~(3,4,5,0
)~", R"~(3,,5,0
)~"),
       R"~(p.yaml:7:9: error: 'standardize' needs complete data, but 1 value is missing: 'b' (1)
    - op: standardize
          ^~~~~~~~~~~
  note: add 'op: impute' before it
1 error
)~"},
      {"two columns with one name", "validate", "", kPipeline,
       replaced_all(kCsv, R"~(a,b,c,y)~", R"~(a,a,c,y)~"),
       R"~(p.yaml:3:11: error: ./data.csv: column name 'a' appears twice
      path: data.csv
            ^~~~~~~~
1 error
)~"},
      {"bytes that are not text", "validate", "", kPipeline,
       std::string(""  "\x00"  "\x01"  "\x02"  "\xc3"  "\xbf"  "\xc3"  "\xbe\n"  "\x00"  "\x00,"  "\x01\n", 13),
       R"~(p.yaml:3:11: error: ./data.csv: a NUL byte in the first line: this is not a text file
      path: data.csv
            ^~~~~~~~
1 error
)~"},
      {"an output directory that cannot be written", "run", "--out /proc/pipe-run", kPipeline,
       kCsv,
       R"~(error: cannot create output directory '/proc/pipe-run': No such file or directory
)~"},
      {"a pipeline file that is not UTF-8", "validate", "", replaced(kPipeline, "path: data.csv", "path: d\xff.csv"),
       kCsv,
       "p.yaml:3:12: error: the file is not UTF-8: byte 0xff here begins no UTF-8 character\n"
       "      path: d\xff.csv\n"
       "             ^\n"
       "  note: save the pipeline file as UTF-8\n1 error\n"},
      {"a data file whose header is not UTF-8", "validate", "", kPipeline, replaced(kCsv, "a,b,c,y", "a,b\xff,c,y"),
       "p.yaml:3:11: error: ./data.csv: the first line is not UTF-8: save the file as UTF-8\n"
       "      path: data.csv\n"
       "            ^~~~~~~~\n1 error\n"},
      {"a category that is not UTF-8", "validate", "", kPipeline, replaced(kCsv, "1,2,3,0", "1,caf\xe9,3,0"),
       "p.yaml:3:11: error: ./data.csv: column 'b' has a value that is not UTF-8: save the file as UTF-8\n"
       "      path: data.csv\n"
       "            ^~~~~~~~\n1 error\n"},
  };
  CHECK(cases.size() >= 60);
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      pipetest::TempDir dir;
      if (c.yaml) pipetest::write_file(dir.path("p.yaml"), *c.yaml);
      pipetest::write_file(dir.path("data.csv"), c.csv);
      const auto r = pipetest::run_command("cd '" + dir.str() + "' && '" + PIPE_BINARY_DIR + "/pipe' " + c.verb + " p.yaml " +
                                           c.args + " 2>&1");
      CHECK(r.code == 1);
      CHECK(r.out == c.out);
    }
  }
}
