// A `sequential` model's located errors, compared whole: unknown layers and parameters, shapes
// that do not fit the layer (naming it and both shapes), and a last layer the loss cannot take.
// Each case changes the heart pipeline's model (lines 20-23).
#include <catch2/catch.hpp>

#include "tests/dsl/error_helpers.h"

using pipetest::errors_of;
using pipetest::heart_yaml;
using pipetest::replaced;

namespace {

const std::string kMlp = "model:\n  op: mlp\n  hidden: [128, 64]\n  dropout: 0.3\n";

std::string with_layers(const std::string& layers) {
  return replaced(heart_yaml(), kMlp, "model:\n  op: sequential\n  layers:\n" + layers);
}

}  // namespace

TEST_CASE("an unknown layer, with its correction", "[layers]") {
  CHECK(errors_of(with_layers("    - {op: lienar, out_features: 8}\n")) ==
        "t.yaml:23:12: error: unknown layer 'lienar' \u2014 did you mean 'linear'?\n"
        "      - {op: lienar, out_features: 8}\n"
        "             ^~~~~~\n"
        "  note: expected 'linear', 'conv1d', 'conv2d', 'batch_norm1d', 'batch_norm2d', 'layer_norm', 'dropout', "
        "'relu', 'leaky_relu', 'gelu', 'elu', 'tanh', 'sigmoid', 'softmax', 'max_pool1d', 'max_pool2d', "
        "'avg_pool1d', 'avg_pool2d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'flatten', 'unflatten', or "
        "'residual'\n");
}

TEST_CASE("a layer's unknown parameter, and a value out of range", "[layers]") {
  CHECK(errors_of(with_layers("    - {op: linear, out_features: 1, bias_int: zeros}\n")) ==
        "t.yaml:23:37: error: unknown parameter 'bias_int' for 'linear' \u2014 did you mean 'bias_init'?\n"
        "      - {op: linear, out_features: 1, bias_int: zeros}\n"
        "                                      ^~~~~~~~\n"
        "  note: 'linear' takes 'out_features', 'bias', 'init', and 'bias_init'\n");
  CHECK(errors_of(with_layers("    - {op: dropout, p: 1.5}\n    - {op: linear, out_features: 1}\n")) ==
        "t.yaml:23:24: error: 'p' must be in [0, 1), got '1.5'\n"
        "      - {op: dropout, p: 1.5}\n"
        "                         ^~~\n"
        "  note: p: the probability of an element to be zeroed; default 0.5\n");
}

TEST_CASE("a layer in the model section, a model in the layers", "[layers]") {
  CHECK(errors_of(replaced(heart_yaml(), kMlp, "model:\n  op: linear\n  out_features: 1\n")) ==
        "t.yaml:21:7: error: 'linear' is a layer op, not a model op \u2014 it belongs in the 'layers:' list of a "
        "'sequential' model\n"
        "    op: linear\n"
        "        ^~~~~~\n"
        "  note: expected 'mlp' or 'sequential'\n");
}

TEST_CASE("a conv layer on the data's flat rows says how to unflatten them", "[layers]") {
  CHECK(errors_of(with_layers("    - {op: conv1d, out_channels: 4, kernel_size: 3}\n    - {op: flatten}\n"
                              "    - {op: linear, out_features: 1}\n")) ==
        "t.yaml:23:12: error: layer 0 'conv1d' needs an input of [C, L], got [13]\n"
        "      - {op: conv1d, out_channels: 4, kernel_size: 3}\n"
        "             ^~~~~~\n"
        "  note: add '- op: unflatten' before it, with unflattened_size [1, 13] (or another 2-value split of 13)\n");
}

TEST_CASE("a kernel larger than its padded input, a kernel of the wrong rank", "[layers]") {
  CHECK(errors_of(with_layers("    - {op: unflatten, unflattened_size: [13, 1]}\n"
                              "    - {op: conv1d, out_channels: 4, kernel_size: 3}\n    - {op: flatten}\n"
                              "    - {op: linear, out_features: 1}\n")) ==
        "t.yaml:24:50: error: layer 1 'conv1d': kernel_size 3 is larger than the padded input 1 (input [13, 1], padding 0)\n"
        "      - {op: conv1d, out_channels: 4, kernel_size: 3}\n"
        "                                                   ^\n");
  CHECK(errors_of(with_layers("    - {op: unflatten, unflattened_size: [1, 13]}\n"
                              "    - {op: max_pool1d, kernel_size: [2, 2]}\n    - {op: flatten}\n"
                              "    - {op: linear, out_features: 1}\n")) ==
        "t.yaml:24:37: error: 'kernel_size' takes 1 value for 'max_pool1d', got 2\n"
        "      - {op: max_pool1d, kernel_size: [2, 2]}\n"
        "                                      ^\n");
}

TEST_CASE("unflatten sizes that do not multiply to the dim", "[layers]") {
  CHECK(errors_of(with_layers("    - {op: unflatten, unflattened_size: [4, 3]}\n    - {op: flatten}\n"
                              "    - {op: linear, out_features: 1}\n")) ==
        "t.yaml:23:41: error: layer 0 'unflatten': unflattened_size [4, 3] holds 12 values, but dim 1 of its input "
        "[13] has 13\n"
        "      - {op: unflatten, unflattened_size: [4, 3]}\n"
        "                                          ^\n"
        "  note: the sizes must multiply to the dim's size\n");
}

TEST_CASE("a residual block must keep the shape; its layers are named by their state_dict prefix", "[layers]") {
  CHECK(errors_of(with_layers("    - op: residual\n      layers:\n        - {op: linear, out_features: 8}\n"
                              "    - {op: linear, out_features: 1}\n")) ==
        "t.yaml:23:11: error: layer 0 'residual' gives [8] from its input [13]: x + f(x) needs its layers to keep the "
        "shape\n"
        "      - op: residual\n"
        "            ^~~~~~~~\n"
        "  note: end its layers with an output of [13]\n");
  CHECK(errors_of(with_layers("    - {op: linear, out_features: 8}\n    - op: residual\n      layers:\n"
                              "        - {op: batch_norm2d}\n    - {op: linear, out_features: 1}\n")) ==
        "t.yaml:26:16: error: layer 1.body.0 'batch_norm2d' needs an input of [C, H, W], got [8]\n"
        "          - {op: batch_norm2d}\n"
        "                 ^~~~~~~~~~~~\n"
        "  note: use batch_norm1d for [C] or [C, L]\n");
}

TEST_CASE("the last layer must give what the loss needs", "[layers]") {
  CHECK(errors_of(with_layers("    - {op: linear, out_features: 8}\n")) ==
        "t.yaml:23:12: error: the last layer gives [8], the loss needs [1] (bce_with_logits)\n"
        "      - {op: linear, out_features: 8}\n"
        "             ^~~~~~\n"
        "  note: set 'out_features: 1' on the last linear\n");
  CHECK(errors_of(with_layers("    - {op: linear, out_features: 8}\n    - {op: relu}\n")) ==
        "t.yaml:24:12: error: the last layer gives [8], the loss needs [1] (bce_with_logits)\n"
        "      - {op: relu}\n"
        "             ^~~~\n"
        "  note: end with '- op: linear' and 'out_features: 1'\n");
  // Five grades of num with cross_entropy.
  std::string multi = replaced(with_layers("    - {op: linear, out_features: 1}\n"), "    target_threshold: 0\n", "");
  multi = replaced(replaced(multi, "op: bce_with_logits", "op: cross_entropy"), "  - op: smote\n    seed: 42\n", "");
  CHECK(errors_of(multi) ==
        "t.yaml:20:12: error: the last layer gives [1], the loss needs [5] (cross_entropy for 5 classes)\n"
        "      - {op: linear, out_features: 1}\n"
        "             ^~~~~~\n"
        "  note: set 'out_features: 5' on the last linear\n");
}

TEST_CASE("a valid layer list plans every shape and parameter count", "[layers]") {
  using namespace pipeml;
  dsl::Diagnostics diags;
  auto p = dsl::parse_pipeline("t.yaml",
                               with_layers("    - {op: unflatten, unflattened_size: [1, 13]}\n"
                                           "    - {op: conv1d, out_channels: 4, kernel_size: 3, padding: 1}\n"
                                           "    - {op: max_pool1d, kernel_size: 2}\n"
                                           "    - {op: flatten}\n"
                                           "    - op: residual\n      layers:\n"
                                           "        - {op: linear, out_features: 24}\n        - {op: layer_norm}\n"
                                           "    - {op: linear, out_features: 1}\n"),
                               Registry::builtin(), {}, diags);
  REQUIRE(p);
  const auto plan = make_plan(std::move(*p), {}, Registry::builtin(), diags);
  REQUIRE(diags.str() == "");
  std::vector<std::string> rows;
  for (const auto& l : plan->layers) rows.push_back(l.name + " " + l.type + " " + std::to_string(l.params));
  CHECK(rows == std::vector<std::string>{"0 Unflatten(1, (1, 13)) 0", "1 Conv1d(1, 4, kernel_size=3, padding=1) 16",
                                         "2 MaxPool1d(kernel_size=2) 0", "3 Flatten 0", "4 Residual 648",
                                         "4.body.0 Linear(24, 24) 600", "4.body.1 LayerNorm(24) 48",
                                         "5 Linear(24, 1) 25"});
  CHECK(plan->layers[1].out_shape == std::vector<std::int64_t>{4, 13});
  CHECK(plan->total_params == 16 + 648 + 25);
  CHECK(plan->model.out_features() == 1);
}
