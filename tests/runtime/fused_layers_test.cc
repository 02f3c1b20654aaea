// fused_step_parts: what `pipe plan` says pipe's CUDA kernels run, from the rules the run
// follows (runtime/fused_layers.h): the blocks, the first convolution, the head, where the
// activation's memory format and shapes allow them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/fused_layers.h"
#include "runtime/plan.h"

using namespace pipeml;

namespace {

LayerSpec conv(std::int64_t in, std::int64_t out, std::int64_t size, std::int64_t k = 3, std::int64_t pad = 1) {
  LayerSpec l;
  l.op = "conv2d", l.in = in, l.out = out, l.kernel_size = {k, k}, l.stride = {1, 1}, l.padding = {pad, pad},
  l.dilation = {1, 1}, l.in_shape = {in, size, size}, l.out_shape = {out, size + 2 * pad - k + 1, size + 2 * pad - k + 1};
  l.params = out * in * k * k + out;
  return l;
}

LayerSpec same_shape(const std::string& op, const std::vector<std::int64_t>& shape, std::int64_t params = 0) {
  LayerSpec l;
  l.op = op, l.in_shape = l.out_shape = shape, l.params = params, l.in = l.out = shape[0];
  return l;
}

LayerSpec pool(const std::vector<std::int64_t>& in) {
  LayerSpec l;
  l.op = "max_pool2d", l.kernel_size = l.stride = {2, 2}, l.padding = {0, 0}, l.in_shape = in,
  l.out_shape = {in[0], in[1] / 2, in[2] / 2};
  return l;
}

// conv2d → batch_norm2d → relu → max_pool2d(2) appended to `layers`, from the last shape.
void block(std::vector<LayerSpec>& layers, std::int64_t out, std::int64_t k = 3, std::int64_t pad = 1) {
  const std::vector<std::int64_t> in = layers.empty() ? std::vector<std::int64_t>{3, 32, 32} : layers.back().out_shape;
  layers.push_back(conv(in[0], out, in[1], k, pad));
  const std::vector<std::int64_t> y = layers.back().out_shape;
  layers.push_back(same_shape("batch_norm2d", y, 2 * out));
  layers.push_back(same_shape("relu", y));
  layers.push_back(pool(y));
}

void head(std::vector<LayerSpec>& layers, std::int64_t outputs) {
  const std::vector<std::int64_t> in = layers.back().out_shape;
  LayerSpec flatten = same_shape("flatten", in);
  flatten.out_shape = {in[0] * in[1] * in[2]};
  layers.push_back(flatten);
  LayerSpec linear;
  linear.op = "linear", linear.in = flatten.out_shape[0], linear.out = outputs, linear.in_shape = flatten.out_shape;
  linear.out_shape = {outputs}, linear.params = linear.in * outputs + outputs;
  layers.push_back(linear);
}

Plan cnn_plan(std::vector<LayerSpec> layers) {
  Plan p;
  p.model.op = "sequential", p.model.layers = std::move(layers), p.model.image_shape = {3, 32, 32};
  p.loss.type = "cross_entropy";
  p.optimizer.type = "adam";
  for (const char* op : {"random_horizontal_flip", "random_crop", "scale_pixels", "normalize"}) {
    ImageTransform t;
    t.op = op;
    p.train.image_transforms.push_back(t);
  }
  return p;
}

Plan simple_cnn() {
  std::vector<LayerSpec> layers;
  block(layers, 32), block(layers, 64), block(layers, 128);
  head(layers, 10);
  return cnn_plan(layers);
}

const std::string kTransforms = "the transforms (random_horizontal_flip, random_crop, scale_pixels and normalize) as one kernel";
const std::string kLoss = "the cross_entropy loss as one kernel each way";

}  // namespace

TEST_CASE("fused_step_parts: the SimpleCNN's blocks, first convolution and head, as the run takes them", "[fused]") {
  Plan p = simple_cnn();
  const std::vector<std::string> all{
      kTransforms,
      "layers 0-3 as a bias-free convolution (pipe's 3x3 kernel) and one BatchNorm-ReLU-MaxPool operation",
      "layers 4-7 and 8-11 as a bias-free convolution (cuDNN's, its weight gradient beside the backward on a second stream) and one BatchNorm-ReLU-MaxPool operation",
      "layers 12-13 as flatten and linear in one kernel each way, without the flatten's copy",
      kLoss,
      "adam's update as one kernel (torch's fused=True formula)",
      "the batch's loss record and correct count beside the backward, on the second stream"};
  CHECK(fused_step_parts(p, true) == all);
  // Eager steps: the update is the multi-kernel one, and the loss is read where it is made.
  CHECK(fused_step_parts(p, false) == std::vector<std::string>(all.begin(), all.end() - 2));
  p.train.precision = "bf16-mixed", p.train.channels_last = true;
  CHECK(fused_step_parts(p, true) == all);
  // float16 is left to autocast and cuDNN: its activations and logits are not the kernels' types.
  p.train.precision = "16-mixed";
  CHECK(fused_step_parts(p, false) == std::vector<std::string>{kTransforms});
}

TEST_CASE("fused_step_parts: the activation's memory format decides the blocks", "[fused]") {
  std::vector<LayerSpec> layers;
  block(layers, 12), block(layers, 64);  // 12 channels: not the first-convolution kernel's
  head(layers, 10);
  Plan p = cnn_plan(layers);
  // Nothing writes channels-last, so no block and no head is taken.
  CHECK(fused_step_parts(p, false) == std::vector<std::string>{kTransforms, kLoss});
  // With channels_last the second block is (12 channels is not a multiple of 8 for the first);
  // the first block, not listed (cuDNN's convolution, then the modules), waits in its backward
  // for the second's weight gradient.
  p.train.channels_last = true;
  CHECK(fused_step_parts(p, false) ==
        std::vector<std::string>{kTransforms, "layers 4-7 as a bias-free convolution (cuDNN's, its weight gradient beside the backward on a second stream) and one BatchNorm-ReLU-MaxPool operation",
                                 "layers 8-9 as flatten and linear in one kernel each way, without the flatten's copy", kLoss});
}

TEST_CASE("fused_step_parts: the first convolution alone, a trainable layer before it, a 1x1 head", "[fused]") {
  SECTION("an odd height: the first convolution's kernel, but not the BatchNorm-ReLU-pool one") {
    std::vector<LayerSpec> layers;
    block(layers, 32, 2, 0);  // 2x2 without padding: 31x31
    block(layers, 32);        // 3x3 on 15x15 after the modules' pool
    CHECK(fused_step_parts(cnn_plan(layers), false) ==
          std::vector<std::string>{kTransforms, kLoss});  // a 2x2 convolution is no 3x3 one: nothing
    std::vector<LayerSpec> odd;
    odd.push_back(conv(3, 32, 33, 3, 1));  // 33x33 stays odd
    odd.push_back(same_shape("batch_norm2d", odd.back().out_shape, 64));
    odd.push_back(same_shape("relu", odd.back().out_shape));
    odd.push_back(pool(odd.back().out_shape));
    Plan p = cnn_plan(odd);
    p.model.image_shape = {3, 33, 33};
    CHECK(fused_step_parts(p, false) == std::vector<std::string>{kTransforms, "layer 0 as a convolution by pipe's 3x3 kernel", kLoss});
  }
  SECTION("a trainable layer before the first block: its input needs a gradient, cuDNN convolves") {
    std::vector<LayerSpec> layers;
    layers.push_back(same_shape("batch_norm2d", {3, 32, 32}, 6));
    block(layers, 32);
    CHECK(fused_step_parts(cnn_plan(layers), false) == std::vector<std::string>{kTransforms, kLoss});
  }
  SECTION("a head on a 1x1 activation: channels-last is the plain order there, the modules run it") {
    std::vector<LayerSpec> layers;
    block(layers, 32), block(layers, 32), block(layers, 32), block(layers, 32), block(layers, 32);  // 32 → 1
    head(layers, 10);
    const std::vector<std::string> parts = fused_step_parts(cnn_plan(layers), false);
    REQUIRE(parts.size() == 4);
    CHECK(parts[2] == "layers 4-7, 8-11, 12-15 and 16-19 as a bias-free convolution (cuDNN's, its weight gradient beside the backward on a second stream) and one BatchNorm-ReLU-MaxPool operation");
    CHECK(parts[3] == kLoss);
  }
  SECTION("a head of more than 64 outputs: without the copy, but not the one-kernel head") {
    std::vector<LayerSpec> layers;
    block(layers, 32);
    head(layers, 100);
    CHECK(fused_step_parts(cnn_plan(layers), false).at(2) == "layers 4-5 as flatten and linear without the flatten's copy");
  }
}

TEST_CASE("fused_step_parts: a data-parallel run's SyncBatchNorm, class weights and other transforms", "[fused]") {
  Plan p = simple_cnn();
  p.train.sync_batch_norm = true;  // one process: torch's BatchNorm2d still
  CHECK(fused_step_parts(p, false).size() == 5);
  p.train.dist.world_size = 2;
  CHECK(fused_step_parts(p, false) == std::vector<std::string>{kTransforms, kLoss});
  p = simple_cnn();
  p.loss.label_smoothing = 0.1;
  CHECK(fused_step_parts(p, false).back() != kLoss);
  p = simple_cnn();
  p.train.image_transforms.push_back(p.train.image_transforms.front());  // two flips: the separate kernels
  CHECK(fused_step_parts(p, false).front() != kTransforms);
  CHECK_FALSE(augment_kernel_takes(p.train.image_transforms, 3));
  CHECK(augment_kernel_takes(simple_cnn().train.image_transforms, 4));
  CHECK_FALSE(augment_kernel_takes(simple_cnn().train.image_transforms, 5));
}
