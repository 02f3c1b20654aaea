#include "runtime/exec/sync_batch_norm.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <numeric>
#include <vector>

#include "runtime/exec/process_group.h"

namespace pipeml {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Every dimension but the channels' (1): what the statistics are taken over.
std::vector<std::int64_t> reduced_dims(const at::Tensor& x) {
  std::vector<std::int64_t> dims(static_cast<std::size_t>(x.dim()));
  std::iota(dims.begin(), dims.end(), 0);
  dims.erase(dims.begin() + 1);
  return dims;
}

// The shape that broadcasts a per-channel vector over x: {1, C, 1, ...}.
std::vector<std::int64_t> channel_shape(const at::Tensor& x) {
  std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
  shape[1] = x.size(1);
  return shape;
}

// The forward and backward of SyncBatchNorm's training mode, as torch.nn.SyncBatchNorm's
// functions compute them: the mean and variance over all processes' rows (sums and counts
// all-reduced in float64), and in backward the per-channel sums of dy and dy * (x - mean)
// all-reduced, so that dx is what one BatchNorm over the whole batch would give (before
// DDP's averaging). The weight's and bias's gradients are the process's own, which the
// gradient all-reduce then averages, as in PyTorch.
struct SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                            at::Tensor running_mean, at::Tensor running_var, double eps, double momentum,
                            std::int64_t group_address) {
    auto* group = reinterpret_cast<ProcessGroup*>(static_cast<std::intptr_t>(group_address));
    const auto dims = reduced_dims(x);
    const at::Tensor xd = x.to(at::kDouble);
    const double local_count = static_cast<double>(x.numel() / x.size(1));
    at::Tensor stats = at::cat({xd.sum(dims), (xd * xd).sum(dims), at::full({1}, local_count, xd.options())});
    group->sum(stats, "the SyncBatchNorm statistics");
    const std::int64_t c = x.size(1);
    const at::Tensor count = stats.narrow(0, 2 * c, 1);
    const at::Tensor mean = stats.narrow(0, 0, c) / count;
    const at::Tensor var = (stats.narrow(0, c, c) / count - mean * mean).clamp_min(0);
    const at::Tensor invstd = (var + eps).rsqrt();
    {  // running statistics: the unbiased variance over all rows, as BatchNorm keeps it
      at::NoGradGuard no_grad;
      const double n = stats[2 * c].item<double>();
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.scalar_type()), momentum);
      running_var.mul_(1 - momentum).add_((var * (n / std::max(n - 1, 1.0))).to(running_var.scalar_type()), momentum);
    }
    const auto shape = channel_shape(x);
    const at::Tensor mean_f = mean.to(x.scalar_type()).view(shape), invstd_f = invstd.to(x.scalar_type()).view(shape);
    ctx->save_for_backward({x, weight, mean_f, invstd_f});
    ctx->saved_data["group"] = group_address;
    ctx->saved_data["count"] = stats[2 * c].item<double>();
    return (x - mean_f) * invstd_f * weight.view(shape) + bias.view(shape);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
    auto* group = reinterpret_cast<ProcessGroup*>(static_cast<std::intptr_t>(ctx->saved_data["group"].toInt()));
    const double count = ctx->saved_data["count"].toDouble();
    const at::Tensor dy = grads[0].contiguous();
    const auto dims = reduced_dims(x);
    const auto shape = channel_shape(x);
    const at::Tensor xmu = x - mean;
    const at::Tensor sum_dy = dy.sum(dims), sum_dy_xmu = (dy * xmu).sum(dims);
    const at::Tensor grad_weight = sum_dy_xmu * invstd.view({-1}), grad_bias = sum_dy;
    at::Tensor both = at::cat({sum_dy, sum_dy_xmu}).to(at::kDouble);
    group->sum(both, "the SyncBatchNorm gradient sums");
    const std::int64_t c = x.size(1);
    const at::Tensor mean_dy = (both.narrow(0, 0, c) / count).to(x.scalar_type()).view(shape);
    const at::Tensor mean_dy_xmu = (both.narrow(0, c, c) / count).to(x.scalar_type()).view(shape);
    const at::Tensor dx = (dy - mean_dy - xmu * invstd * invstd * mean_dy_xmu) * invstd * weight.view(shape);
    return {dx, grad_weight, grad_bias, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

SyncBatchNormImpl::SyncBatchNormImpl(std::int64_t features, double eps, double momentum, ProcessGroup* group)
    : features_(features), eps_(eps), momentum_(momentum), group_(group) {
  reset();
}

// BatchNorm's names and order (weight, bias, running_mean, running_var, num_batches_tracked)
// and initial values, so that state dicts are interchangeable.
void SyncBatchNormImpl::reset() {
  weight = register_parameter("weight", at::ones({features_}));
  bias = register_parameter("bias", at::zeros({features_}));
  running_mean = register_buffer("running_mean", at::zeros({features_}));
  running_var = register_buffer("running_var", at::ones({features_}));
  num_batches_tracked = register_buffer("num_batches_tracked", at::zeros({}, at::kLong));
}

at::Tensor SyncBatchNormImpl::forward(const at::Tensor& x) {
  if (!is_training())
    return at::batch_norm(x, weight, bias, running_mean, running_var, false, momentum_, eps_, at::globalContext().userEnabledCuDNN());
  {
    at::NoGradGuard no_grad;
    num_batches_tracked.add_(1);
  }
  return SyncBatchNormFunction::apply(x, weight, bias, running_mean, running_var, eps_, momentum_,
                                      static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(group_)));
}

}  // namespace pipeml
