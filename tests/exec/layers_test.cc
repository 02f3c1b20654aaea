// A `sequential` model's layers in LibTorch against PyTorch's (tests/fixtures/make_layer_fixtures.py):
// the module layout and state_dict names, each init choice's draws, and training bit for bit.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "runtime/exec/cpu_gemm.h"
#include "runtime/exec/layers.h"
#include "runtime/exec/mlp.h"
#include "runtime/exec/model_io.h"
#include "runtime/exec/torch_compat.h"
#include "runtime/exec/trainer.h"
#include "tests/exec/tensor_fixtures.h"

using namespace pipeml;
using pipetest::first_difference;
using pipetest::get;
using pipetest::mm_sums_in_order;
using pipetest::names;
using pipetest::same_bits;
using pipetest::under;

namespace {

using Shape = std::vector<std::int64_t>;

LayerSpec layer(const std::string& op, Shape out_shape) {
  LayerSpec l;
  l.op = op;
  l.out_shape = std::move(out_shape);
  return l;
}
LayerSpec linear(std::int64_t in, std::int64_t out) {
  LayerSpec l = layer("linear", {out});
  l.in = in, l.out = out;
  return l;
}
LayerSpec conv(const std::string& op, std::int64_t in, std::int64_t out, Shape k, Shape pad, Shape out_shape) {
  LayerSpec l = layer(op, std::move(out_shape));
  l.in = in, l.out = out, l.kernel_size = k, l.padding = pad;
  l.stride.assign(k.size(), 1);
  l.dilation.assign(k.size(), 1);
  return l;
}
LayerSpec unflatten(std::int64_t dim, Shape sizes, Shape out_shape) {
  LayerSpec l = layer("unflatten", std::move(out_shape));
  l.dim = dim, l.sizes = std::move(sizes);
  return l;
}
LayerSpec pool(const std::string& op, std::int64_t k, Shape out_shape) {
  LayerSpec l = layer(op, std::move(out_shape));
  l.kernel_size = l.stride = {k};
  l.padding = {0};
  return l;
}

// make_layer_fixtures.py's init_model(), input [12].
ModelSpec init_model(const std::string& init, const std::string& bias_init) {
  ModelSpec m;
  m.op = "sequential";
  m.layers_in = 12;
  LayerSpec bn1 = layer("batch_norm1d", {4, 6});
  bn1.in = 4;
  LayerSpec bn2 = layer("batch_norm2d", {3, 1, 2});
  bn2.in = 3;
  LayerSpec ln = layer("layer_norm", {8});
  ln.sizes = {8};
  LayerSpec res = layer("residual", {8});
  res.body = {linear(8, 8), layer("gelu", {8})};
  m.layers = {unflatten(1, {2, 6}, {2, 6}),
              conv("conv1d", 2, 4, {3}, {1}, {4, 6}),
              bn1,
              layer("relu", {4, 6}),
              pool("max_pool1d", 2, {4, 3}),
              unflatten(1, {2, 2}, {2, 2, 3}),
              conv("conv2d", 2, 3, {2, 2}, {0, 0}, {3, 1, 2}),
              bn2,
              layer("flatten", {6}),
              linear(6, 8),
              ln,
              res,
              linear(8, 1)};
  std::function<void(std::vector<LayerSpec>&)> set = [&](std::vector<LayerSpec>& ls) {
    for (auto& l : ls) l.init = init, l.bias_init = bias_init, set(l.body);
  };
  set(m.layers);
  return m;
}

}  // namespace

TEST_CASE("a layer list is Python's nn.Sequential: names, shapes and parameter count", "[exec][layers]") {
  at::manual_seed(7);
  torch::nn::Sequential model = build_model(init_model("default", "default"));
  CHECK(parameter_count(*model) == 2 * 4 * 3 + 4 + 8 + 2 * 3 * 4 + 3 + 6 + 6 * 8 + 8 + 16 + 8 * 8 + 8 + 8 + 1);
  const TensorDict sd = state_dict(*model);
  CHECK(names(sd)[0] == "1.weight");
  CHECK(get(sd, "11.body.0.weight").sizes() == at::IntArrayRef{8, 8});
  model->eval();
  CHECK(model->forward(at::randn({5, 12})).sizes() == at::IntArrayRef{5, 1});
}

TEST_CASE("every init choice draws what torch.nn.init draws after construction", "[exec][layers]") {
  const TensorDict f = read_tensor_dict(std::string(PIPE_TEST_DIR) + "/fixtures/torch_layer_init.pt");
  for (const auto& [init, bias] : std::vector<std::pair<std::string, std::string>>{
           {"default", "default"},
           {"default", "zeros"},
           {"xavier_uniform", "zeros"},
           {"xavier_normal", "zeros"},
           {"kaiming_uniform", "zeros"},
           {"kaiming_normal", "zeros"},
           {"orthogonal", "zeros"},
           {"orthogonal", "default"}}) {
    INFO(init << "-" << bias);
    at::manual_seed(7);
    torch::nn::Sequential model = build_model(init_model(init, bias));
    const TensorDict expected = under(f, init + "-" + bias + "/");
    REQUIRE(!expected.empty());
    if (init != "orthogonal" || mm_sums_in_order()) {
      CHECK(first_difference(state_dict(*model), expected) == "");
    } else {  // QR by another LAPACK than Debian's reference one: the same matrix, rounded its way
      const TensorDict got = state_dict(*model);
      REQUIRE(names(got) == names(expected));
      for (std::size_t i = 0; i < got.size(); ++i) CHECK(at::allclose(got[i].second, expected[i].second, 1e-5, 1e-6));
    }
  }
}

TEST_CASE("an MLP takes init and bias_init too", "[exec][layers]") {
  MlpSpec mlp;
  mlp.in_features = 5;
  mlp.hidden = {8};
  ModelSpec m(mlp);
  m.bias_init = "zeros";
  m.init = "xavier_normal";
  at::manual_seed(1);
  torch::nn::Sequential model = build_model(m);
  const TensorDict sd = state_dict(*model);
  CHECK(at::equal(get(sd, "0.bias"), at::zeros({8})));
  CHECK(at::equal(get(sd, "3.bias"), at::zeros({1})));  // Linear, BatchNorm1d, ReLU, Linear
  CHECK(!at::equal(get(sd, "3.weight"), at::zeros({1, 8})));
}

TEST_CASE("a layer list with conv1d, a residual block and layer_norm trains as PyTorch's loop, bit for bit",
          "[exec][layers]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, unlike the fixture's");
    return;
  }
  const TensorDict f = read_tensor_dict(std::string(PIPE_TEST_DIR) + "/fixtures/torch_layer_train.pt");
  {
    // The fixture's conv1d probe: another machine's convolution kernels may round otherwise.
    const at::Tensor w = get(f, "probe/w").clone().requires_grad_();
    const at::Tensor out = at::conv1d(get(f, "probe/x"), w);
    (out * at::linspace(-1, 1, out.numel()).view(out.sizes())).sum().backward();
    if (!at::equal(out.detach(), get(f, "probe/out")) || !at::equal(w.grad(), get(f, "probe/wgrad"))) {
      WARN("skipped: this machine's conv1d does not round as the fixture's machine did");
      return;
    }
  }
  const auto table = pipetest::binary_table;
  const Table tr = table(get(f, "x"), get(f, "y")), te = table(get(f, "x_test"), {});
  const at::Tensor lrs = get(f, "lrs"), losses = get(f, "losses"), probs = get(f, "probs");
  ModelSpec m;
  m.op = "sequential";
  m.layers_in = 6;
  LayerSpec ln = layer("layer_norm", {8});
  ln.sizes = {8};
  LayerSpec drop = layer("dropout", {8});
  drop.p = 0.2;
  LayerSpec res = layer("residual", {8});
  res.body = {linear(8, 8), layer("tanh", {8}), drop};
  m.layers = {unflatten(1, {1, 6}, {1, 6}), conv("conv1d", 1, 4, {3}, {1}, {4, 6}), layer("relu", {4, 6}),
              pool("avg_pool1d", 2, {4, 3}), layer("flatten", {12}), linear(12, 8), ln, res, linear(8, 1)};
  std::function<void(std::vector<LayerSpec>&)> set = [&](std::vector<LayerSpec>& ls) {
    for (auto& l : ls) l.init = "kaiming_uniform", l.bias_init = "zeros", set(l.body);
  };
  set(m.layers);
  LossSpec l;
  l.pos_weight = 1.5;
  OptimizerSpec o;
  o.lr = 0.01;
  o.weight_decay = 0.05;
  TrainSpec s;
  s.epochs = 5;
  s.batch_size = 8;
  s.seed = 3;
  s.device = "cpu";
  s.schedule = std::make_shared<EpochFunctionSchedule>([&](int e) { return lrs[e].item<double>(); });
  const TrainResult r = train_and_predict(tr, nullptr, te, m, l, o, s, nullptr, nullptr);
  for (int e = 0; e < 5; ++e) CHECK(r.history[e].train_loss == losses[e].item<double>());
  REQUIRE(r.test_outputs.size() == 7);
  for (int i = 0; i < 7; ++i) CHECK(r.test_outputs[i] == static_cast<double>(probs[i].item<float>()));
  CHECK(first_difference(state_dict(*r.model), under(f, "state/")) == "");
}
