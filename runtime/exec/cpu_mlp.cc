#include "runtime/exec/cpu_mlp.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "runtime/exec/cpu_dropout.h"
#include "runtime/exec/cpu_gemm.h"

namespace pipeml {

enum class Act { none, relu, leaky_relu, gelu, elu, tanh, sigmoid };

// Linear -> [BatchNorm1d] -> [activation] -> [Dropout], and what the backward pass needs.
struct CpuMlpStep::Layer {
  torch::nn::LinearImpl* linear = nullptr;
  torch::nn::BatchNorm1dImpl* bn = nullptr;
  Act act = Act::none;
  double slope = 0, alpha = 0;  // leaky_relu's negative_slope, elu's alpha
  std::string approximate;      // gelu's
  double dropout = 0;
  at::Tensor weight_t;  // W transposed, for cpu::gemm
  // Saved by the forward pass for the backward one.
  at::Tensor input, z, normed, save_mean, save_invstd, activated, noise;
};

namespace {

using Layer = CpuMlpStep::Layer;

const float* f(const at::Tensor& t) { return t.data_ptr<float>(); }
float* f(at::Tensor& t) { return t.data_ptr<float>(); }

// x W^T + b, summed as at::addmm sums it: each dot product first, then the bias.
at::Tensor linear_forward(Layer& l, const at::Tensor& x) {
  const at::Tensor& w = l.linear->weight;
  const std::int64_t rows = x.size(0), in = w.size(1), out = w.size(0);
  cpu::transpose(out, in, f(w), f(l.weight_t));
  at::Tensor z = at::empty({rows, out}, x.options());
  cpu::gemm(rows, out, in, f(x), in, 1, f(l.weight_t), out, f(z), out);
  float* zp = f(z);
  const float* b = f(l.linear->bias);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t o = 0; o < out; ++o) zp[r * out + o] = zp[r * out + o] + b[o];
  return z;
}

// Fills W.grad and b.grad from g = dLoss/dz; returns dLoss/dx unless `need_input_grad` is false.
at::Tensor linear_backward(Layer& l, const at::Tensor& g, bool need_input_grad) {
  const at::Tensor& w = l.linear->weight;
  const std::int64_t rows = g.size(0), in = w.size(1), out = w.size(0);
  at::Tensor gw = l.linear->weight.grad(), gb = l.linear->bias.grad();
  cpu::gemm(out, in, rows, f(g), 1, out, f(l.input), in, f(gw), in);  // g^T x
  at::sum_out(gb, g, {0});  // autograd reduces the broadcast bias's gradient with sum_to
  if (!need_input_grad) return {};
  at::Tensor gx = at::empty({rows, in}, g.options());
  cpu::gemm(rows, in, out, f(g), out, 1, f(w), in, f(gx), in);  // g W
  return gx;
}

// BatchNorm1dImpl::forward, minus the module dispatch: the same counter, factor and kernel.
at::Tensor batch_norm_forward(Layer& l, const at::Tensor& z, bool train) {
  auto& bn = *l.bn;
  double factor = bn.options.momentum().value_or(0.0);
  if (train && bn.options.track_running_stats() && bn.num_batches_tracked.defined()) {
    bn.num_batches_tracked.data_ptr<std::int64_t>()[0] += 1;
    if (!bn.options.momentum()) factor = 1.0 / static_cast<double>(bn.num_batches_tracked.item<std::int64_t>());
  }
  auto [y, mean, invstd] = at::native_batch_norm(z, bn.weight, bn.bias, bn.running_mean, bn.running_var,
                                                 train || !bn.options.track_running_stats(), factor, bn.options.eps());
  l.save_mean = mean;
  l.save_invstd = invstd;
  return y;
}

at::Tensor activate(const Layer& l, const at::Tensor& x) {
  switch (l.act) {
    case Act::none: return x;
    case Act::relu: return at::relu(x);
    case Act::leaky_relu: return at::leaky_relu(x, l.slope);
    case Act::gelu: return at::gelu(x, l.approximate);
    case Act::elu: return at::elu(x, l.alpha);
    case Act::tanh: return at::tanh(x);
    case Act::sigmoid: return at::sigmoid(x);
  }
  return x;
}

// The formulas of autograd's derivatives.yaml for each activation.
at::Tensor activation_backward(const Layer& l, const at::Tensor& g) {
  switch (l.act) {
    case Act::none: return g;
    case Act::relu: return at::threshold_backward(g, l.activated, 0);
    case Act::leaky_relu: return at::leaky_relu_backward(g, l.normed, l.slope, false);
    case Act::gelu: return at::gelu_backward(g, l.normed, l.approximate);
    case Act::elu: return at::elu_backward(g, l.alpha, 1, 1, false, l.normed);
    case Act::tanh: return at::tanh_backward(g, l.activated);
    case Act::sigmoid: return at::sigmoid_backward(g, l.activated);
  }
  return g;
}

// binary_cross_entropy_with_logits_backward with grad 1 (mean reduction, no weight).
at::Tensor bce_backward(const at::Tensor& logits, const at::Tensor& y, const c10::optional<at::Tensor>& pos_weight) {
  at::Tensor g = at::sigmoid(logits);
  if (pos_weight) {
    at::Tensor t = pos_weight->mul(y);
    g = t.add(1).sub_(y).mul_(g).sub_(t);
  } else {
    g.sub_(y);
  }
  return g.div_(logits.numel());
}

std::vector<std::unique_ptr<Layer>> parse(torch::nn::Sequential& model) {
  std::vector<std::unique_ptr<Layer>> layers;
  for (const auto& m : model->children()) {
    if (auto lin = std::dynamic_pointer_cast<torch::nn::LinearImpl>(m)) {
      layers.push_back(std::make_unique<Layer>());
      layers.back()->linear = lin.get();
      layers.back()->weight_t = at::empty({lin->weight.size(1), lin->weight.size(0)}, lin->weight.options());
      continue;
    }
    TORCH_CHECK(!layers.empty(), "cpu mlp: the model must start with a Linear layer");
    Layer& l = *layers.back();
    using namespace torch::nn;
    if (auto bn = std::dynamic_pointer_cast<BatchNorm1dImpl>(m)) {
      l.bn = bn.get();
    } else if (std::dynamic_pointer_cast<ReLUImpl>(m)) {
      l.act = Act::relu;
    } else if (auto leaky = std::dynamic_pointer_cast<LeakyReLUImpl>(m)) {
      l.act = Act::leaky_relu;
      l.slope = leaky->options.negative_slope();
    } else if (auto gelu = std::dynamic_pointer_cast<GELUImpl>(m)) {
      l.act = Act::gelu;
      l.approximate = gelu->options.approximate();
    } else if (auto elu = std::dynamic_pointer_cast<ELUImpl>(m)) {
      l.act = Act::elu;
      l.alpha = elu->options.alpha();
    } else if (std::dynamic_pointer_cast<TanhImpl>(m)) {
      l.act = Act::tanh;
    } else if (std::dynamic_pointer_cast<SigmoidImpl>(m)) {
      l.act = Act::sigmoid;
    } else if (auto dropout = std::dynamic_pointer_cast<DropoutImpl>(m)) {
      l.dropout = dropout->options.p();
    } else {
      TORCH_CHECK(false, "cpu mlp: unexpected module ", m->name());
    }
  }
  return layers;
}

}  // namespace

CpuMlpStep::CpuMlpStep(torch::nn::Sequential& model, c10::optional<at::Tensor> pos_weight)
    : layers_(parse(model)), pos_weight_(std::move(pos_weight)) {}

CpuMlpStep::~CpuMlpStep() = default;

at::Tensor CpuMlpStep::forward(const at::Tensor& x, bool train) {
  TORCH_CHECK(x.device().is_cpu() && x.scalar_type() == at::kFloat, "cpu mlp: needs float32 CPU input");
  at::Tensor h = x.contiguous();  // cpu::gemm reads rows by pointer
  for (auto& lp : layers_) {
    Layer& l = *lp;
    l.input = h;
    l.z = linear_forward(l, h);
    l.normed = l.bn ? batch_norm_forward(l, l.z, train) : l.z;
    l.activated = activate(l, l.normed);
    h = l.activated;
    if (train && l.dropout > 0) {
      l.noise = at::empty_like(h);
      cpu::dropout_noise(l.noise, l.dropout, at::detail::getDefaultCPUGenerator());
      h = h.mul(l.noise);
    }
  }
  return h;
}

at::Tensor CpuMlpStep::train_batch(const at::Tensor& x, const at::Tensor& y, at::Tensor* logits_out) {
  // Below autograd: nothing here is recorded, and the kernels skip its dispatch entirely.
  c10::InferenceMode guard;
  const at::Tensor logits = forward(x, /*train=*/true);
  if (logits_out) *logits_out = logits;
  at::Tensor loss = at::binary_cross_entropy_with_logits(logits, y, {}, pos_weight_, at::Reduction::Mean);
  at::Tensor g = bce_backward(logits, y, pos_weight_);
  for (std::size_t i = layers_.size(); i-- > 0;) {
    Layer& l = *layers_[i];
    if (l.dropout > 0) g = g.mul(l.noise);  // at::dropout's backward: grad * noise
    g = activation_backward(l, g);
    if (l.bn) {
      auto [gz, gw, gb] = at::native_batch_norm_backward(g, l.z, l.bn->weight, l.bn->running_mean, l.bn->running_var,
                                                         l.save_mean, l.save_invstd, true, l.bn->options.eps(),
                                                         {true, true, true});
      l.bn->weight.grad().copy_(gw);
      l.bn->bias.grad().copy_(gb);
      g = gz;
    }
    g = linear_backward(l, g, /*need_input_grad=*/i > 0);
  }
  return loss;
}

at::Tensor CpuMlpStep::eval_logits(const at::Tensor& x) {
  c10::InferenceMode guard;
  return forward(x, /*train=*/false);
}

}  // namespace pipeml
