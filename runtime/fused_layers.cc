#include "runtime/fused_layers.h"

#include <fmt/format.h>

#include "runtime/plan.h"

namespace pipeml {
namespace {

// "0-3", or "12" for one layer.
std::string layer_range(std::size_t first, std::size_t count) {
  return count == 1 ? std::to_string(first) : fmt::format("{}-{}", first, first + count - 1);
}

// "a", "a and b", "a, b and c"
std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

}  // namespace

std::vector<std::string> fused_step_parts(const Plan& plan, bool graphed) {
  const ModelSpec& model = plan.model;
  const TrainSpec& train = plan.train;
  const LossSpec& loss = plan.loss;
  std::vector<std::string> parts;
  if (!model.sequential()) return parts;
  const std::vector<LayerSpec>& layers = model.layers;
  const std::int64_t channels = model.image_shape.empty() ? 0 : model.image_shape[0];
  if (!train.image_transforms.empty() && augment_kernel_takes(train.image_transforms, channels)) {
    std::vector<std::string> ops;
    for (const ImageTransform& t : train.image_transforms) ops.push_back(t.op);
    parts.push_back("the transforms (" + listed(ops) + ") as one kernel");
  }

  // Each layer run as pipe's kernels, by description, in layer order.
  std::vector<std::pair<std::string, std::vector<std::string>>> runs;
  auto add = [&runs](const std::string& what, std::string where) {
    for (auto& r : runs)
      if (r.first == what) return r.second.push_back(std::move(where));
    runs.push_back({what, {std::move(where)}});
  };
  const bool float16 = train.precision == "16-mixed";
  const FusedLayers f = find_fused_layers(layers, float16);
  // A data-parallel run's SyncBatchNorm is no block's: the modules run those layers.
  const bool sync_batch_norm = train.sync_batch_norm && train.dist.active();
  bool channels_last = train.channels_last;  // the activation's memory format, as the layers hand it on
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    if (f.block[i] && !sync_batch_norm) {
      const bool first = f.first_conv[i];
      const bool conv_channels_last = first || channels_last;  // (pipe's kernel writes channels-last)
      const bool block = conv_channels_last && !float16 && l.out_shape.size() == 3 &&
                         bn_relu_pool_kernel_takes(l.out_shape[0], l.out_shape[1], l.out_shape[2]);
      if (first && block)
        add("a bias-free convolution (pipe's 3x3 kernel) and one BatchNorm-ReLU-MaxPool operation", layer_range(i, 4));
      else if (first)
        add("a convolution by pipe's 3x3 kernel", layer_range(i, 1));
      else if (block)
        add(f.weight_grad_beside[i] ? "a bias-free convolution (cuDNN's, its weight gradient beside the backward on a second "
                           "stream) and one BatchNorm-ReLU-MaxPool operation"
                         : "a bias-free convolution (cuDNN's) and one BatchNorm-ReLU-MaxPool operation",
            layer_range(i, 4));
      channels_last = conv_channels_last;
      i += 3;
      continue;
    }
    if (f.nhwc_head[i] && channels_last && l.in_shape.size() == 3 && l.in_shape[0] > 1 &&
        l.in_shape[1] * l.in_shape[2] > 1) {
      add(layers[i + 1].out <= 64 ? "flatten and linear in one kernel each way, without the flatten's copy"
                                  : "flatten and linear without the flatten's copy",
          layer_range(i, 2));
      channels_last = false;
      ++i;
      continue;
    }
    channels_last = channels_last && l.out_shape.size() == 3;  // elementwise layers and pooling keep it
  }
  for (const auto& [what, where] : runs)
    parts.push_back((where.size() == 1 && where[0].find('-') == std::string::npos ? "layer " : "layers ") + listed(where) +
                    " as " + what);
  if (loss.cross_entropy() && loss.weight.empty() && !loss.balanced && loss.label_smoothing == 0 && !float16)
    parts.push_back("the cross_entropy loss as one kernel each way");
  if (graphed) parts.push_back(plan.optimizer.type + "'s update as one kernel (torch's fused=True formula)");
  if (graphed && loss.cross_entropy() && !float16)
    parts.push_back("the batch's loss record and correct count beside the backward, on the second stream");
  return parts;
}

}  // namespace pipeml
