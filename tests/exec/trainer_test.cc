// The training engine (runtime/exec): model layout, training, the fast CPU step against
// autograd, and model files against Python's (tests/fixtures/make_torch_fixtures.py).
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include "runtime/exec/cpu_dropout.h"
#include "runtime/exec/cpu_gemm.h"
#include "runtime/exec/cpu_mlp.h"
#include "runtime/exec/mlp.h"
#include "runtime/exec/model_io.h"
#include "runtime/exec/torch_compat.h"
#include "runtime/exec/trainer.h"
#include "runtime/user_error.h"
#include "tests/exec/tensor_fixtures.h"

using namespace pipeml;
using pipetest::first_difference;
using pipetest::get;
using pipetest::mm_sums_in_order;
using pipetest::names;
using pipetest::same_bits;
using pipetest::under;

namespace {

MlpSpec heart_mlp() {
  MlpSpec m;
  m.in_features = 13;
  m.hidden = {128, 64};
  m.batch_norm = true;
  m.dropout = 0.3;
  return m;
}

// rows x cols standard normals from a seeded generator; label 1 when a weighted sum of the
// features (the same weights for every table) plus `noise` times a normal is positive.
Table random_table(std::size_t rows, std::size_t cols, std::uint64_t seed, double noise = 0.5) {
  at::Generator rule = torch_compat::cpu_generator(1234), g = torch_compat::cpu_generator(seed);
  const at::Tensor w = at::randn({static_cast<std::int64_t>(cols)}, rule);
  const at::Tensor x = at::randn({static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)}, g);
  const at::Tensor s = x.matmul(w) + noise * at::randn({static_cast<std::int64_t>(rows)}, g);
  Table t;
  for (std::size_t c = 0; c < cols; ++c) t.columns.push_back("f" + std::to_string(c));
  t.class_names = {"0", "1"};
  t.rows = rows;
  t.x.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  for (std::size_t r = 0; r < rows; ++r) t.y.push_back(s[r].item<float>() > 0 ? 1 : 0);
  return t;
}

// Label 1 when x0 + x1 > 0, with the two classes pushed apart by a margin of 1.5 in x0 + x1.
Table separable_table(std::size_t rows, std::uint64_t seed) {
  Table t = random_table(rows, 4, seed);
  for (std::size_t r = 0; r < rows; ++r) {
    float* x = t.row(r);
    t.y[r] = x[0] + x[1] > 0 ? 1 : 0;
    const float push = t.y[r] ? 0.375f : -0.375f;
    x[0] += push, x[1] += push;
  }
  return t;
}

TrainSpec quick_spec(int epochs, std::uint64_t seed = 3) {
  TrainSpec s;
  s.epochs = epochs;
  s.batch_size = 32;
  s.seed = seed;
  s.device = "cpu";
  return s;
}

TrainResult train(const Table& tr, const Table* val, const Table& te, const MlpSpec& m, const LossSpec& l,
                  const OptimizerSpec& o, const TrainSpec& s, CpuStep step = CpuStep::fast) {
  return train_and_predict(tr, val, te, m, l, o, s, nullptr, nullptr, step);
}

}  // namespace

TEST_CASE("the heart MLP has Python's 10,497 parameters and layer names", "[exec]") {
  torch::nn::Sequential model = build_mlp(heart_mlp());
  CHECK(parameter_count(*model) == 10497);
  CHECK(names(state_dict(*model)) ==
        std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                 "1.num_batches_tracked", "4.weight", "4.bias", "5.weight", "5.bias",
                                 "5.running_mean", "5.running_var", "5.num_batches_tracked", "8.weight", "8.bias"});
}

TEST_CASE("without batch_norm and dropout the layers are numbered as Python numbers them", "[exec]") {
  MlpSpec m;
  m.in_features = 3;
  m.hidden = {4, 2};
  m.batch_norm = false;
  m.activation = "gelu";
  torch::nn::Sequential model = build_mlp(m);
  CHECK(names(state_dict(*model)) ==
        std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"});
  CHECK(parameter_count(*model) == (3 * 4 + 4) + (4 * 2 + 2) + (2 + 1));
}

TEST_CASE("impossible model specs are user errors", "[exec]") {
  MlpSpec m = heart_mlp();
  m.activation = "swish";
  CHECK_THROWS_WITH(build_mlp(m), Catch::Contains("unknown activation 'swish'"));
  m = heart_mlp();
  m.dropout = 1.0;
  CHECK_THROWS_AS(build_mlp(m), UserError);
  m = heart_mlp();
  m.hidden = {0};
  CHECK_THROWS_AS(build_mlp(m), UserError);
}

TEST_CASE("training on a separable table reaches accuracy 1", "[exec]") {
  const Table tr = separable_table(256, 1), val = separable_table(64, 2);
  MlpSpec m;
  m.in_features = 4;
  m.hidden = {16};
  m.dropout = 0.1;
  OptimizerSpec o;
  o.lr = 0.01;
  const TrainResult r = train(tr, &val, val, m, {}, o, quick_spec(30));
  REQUIRE(r.history.size() == 30);
  CHECK(r.history.back().train_loss < r.history.front().train_loss);
  CHECK(r.history.back().val_metric == 1.0);
  REQUIRE(r.test_outputs.size() == val.rows);
  REQUIRE(r.val_outputs == r.test_outputs);
  for (std::size_t i = 0; i < val.rows; ++i) CHECK((r.test_outputs[i] >= 0.5) == (val.y[i] == 1));
}

TEST_CASE("the same seed gives the same bits twice, another seed other ones", "[exec]") {
  const Table tr = random_table(200, 6, 3), te = random_table(50, 6, 4);
  MlpSpec m = heart_mlp();
  m.in_features = 6;
  const TrainResult a = train(tr, nullptr, te, m, {}, {}, quick_spec(3));
  const TrainResult b = train(tr, nullptr, te, m, {}, {}, quick_spec(3));
  const TrainResult c = train(tr, nullptr, te, m, {}, {}, quick_spec(3, 4));
  CHECK(a.test_outputs == b.test_outputs);
  CHECK(a.history[2].train_loss == b.history[2].train_loss);
  CHECK(a.test_outputs != c.test_outputs);
}

TEST_CASE("the schedule gives the learning rate of each step: 0 leaves the weights as initialised", "[exec]") {
  const Table tr = random_table(100, 5, 5), te = random_table(10, 5, 6);
  MlpSpec m = heart_mlp();
  m.in_features = 5;
  TrainSpec s = quick_spec(2);
  std::vector<int> asked;
  s.schedule = std::make_shared<EpochFunctionSchedule>([&](int epoch) {
    if (asked.empty() || asked.back() != epoch) asked.push_back(epoch);
    return 0.0;
  });
  const TrainResult r = train(tr, nullptr, te, m, {}, {}, s);
  CHECK(asked == std::vector<int>{0, 1});
  CHECK(r.history[1].lr == 0.0);
  at::manual_seed(s.seed);
  torch::nn::Sequential fresh = build_mlp(m);
  const auto trained = r.model->named_parameters(), initial = fresh->named_parameters();
  for (const auto& p : initial) CHECK(at::equal(p.value(), trained[p.key()]));
  // ...while the batch statistics still moved, as they do in Python's train mode.
  CHECK_FALSE(at::equal(fresh->named_buffers()["1.running_mean"], r.model->named_buffers()["1.running_mean"]));
}

TEST_CASE("the train metric is the epoch's running accuracy or MAE of its training-mode outputs", "[exec]") {
  // With the rate 0 and neither dropout nor batch_norm, training mode computes what eval
  // mode does, so every epoch's train metric is the metric of the final outputs on the
  // training rows (given as the test part here).
  const Table tr = random_table(100, 5, 5);
  MlpSpec m;
  m.in_features = 5;
  m.hidden = {8};
  m.batch_norm = false;
  TrainSpec s = quick_spec(2);
  s.schedule = std::make_shared<EpochFunctionSchedule>([](int) { return 0.0; });
  const TrainResult r = train(tr, nullptr, tr, m, {}, {}, s);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < tr.rows; ++i) correct += (r.test_outputs[i] >= 0.5) == (tr.y[i] == 1);
  const double accuracy = static_cast<double>(correct) / static_cast<double>(tr.rows);
  REQUIRE(r.history.size() == 2);
  CHECK(r.history[0].train_metric == accuracy);
  CHECK(r.history[1].train_metric == accuracy);
  CHECK(accuracy > 0.2);
  CHECK(accuracy < 0.8);  // an untrained model: neither 0 nor 1, so the check can fail

  Table reg = tr;
  reg.regression = true;
  for (std::size_t i = 0; i < reg.rows; ++i) reg.target.push_back(reg.row(i)[0] * 2.0 + 1.0);
  LossSpec mse;
  mse.type = "mse";
  const TrainResult q = train(reg, nullptr, reg, m, mse, {}, s);
  double abs_error = 0;
  for (std::size_t i = 0; i < reg.rows; ++i)
    abs_error += std::abs(q.test_outputs[i] - static_cast<double>(static_cast<float>(reg.target[i])));
  CHECK(q.history[0].train_metric == Approx(abs_error / static_cast<double>(reg.rows)).epsilon(1e-6));
  CHECK(q.history[0].train_metric > 0.1);

  // drop_last without shuffling: the rows of the three full batches only, the first 96.
  s.drop_last = true;
  s.shuffle = false;
  const TrainResult d = train(tr, nullptr, tr, m, {}, {}, s);
  std::size_t correct_96 = 0;
  for (std::size_t i = 0; i < 96; ++i) correct_96 += (d.test_outputs[i] >= 0.5) == (tr.y[i] == 1);
  CHECK(d.history[0].train_metric == static_cast<double>(correct_96) / 96.0);
}

namespace {

struct Variant {
  std::string activation;
  bool batch_norm;
  double dropout, pos_weight;
  bool amsgrad, drop_last, shuffle;
};

const std::vector<Variant> kVariants = {
    {"relu", true, 0.3, 1.0, false, false, true},     {"leaky_relu", false, 0.0, 2.5, true, true, true},
    {"gelu", true, 0.2, 1.0, false, false, false},    {"elu", true, 0.0, 0.7, false, false, true},
    {"tanh", false, 0.5, 1.0, false, false, true},    {"sigmoid", true, 0.1, 1.0, true, false, true}};

MlpSpec variant_mlp(const Variant& v) {
  MlpSpec m;
  m.in_features = 6;
  m.hidden = {16, 8};
  m.activation = v.activation;
  m.batch_norm = v.batch_norm;
  m.dropout = v.dropout;
  return m;
}

bool close_or_same(const at::Tensor& a, const at::Tensor& b, bool exact) {
  return exact ? at::equal(a, b) : at::allclose(a, b, 1e-4, 1e-6);
}

}  // namespace

TEST_CASE("one fast CPU step gives autograd's loss, gradients and running statistics", "[exec]") {
  // Bit for bit where this LibTorch's matrix products sum in order (Debian's); elsewhere
  // within rounding.
  const bool exact = mm_sums_in_order();
  const Table t = random_table(37, 6, 13);
  const at::Tensor x = at::from_blob(const_cast<float*>(t.x.data()), {37, 6}).clone();
  at::Tensor y = at::empty({37, 1});
  for (int r = 0; r < 37; ++r) y[r][0] = static_cast<float>(t.y[r]);
  for (const Variant& v : kVariants) {
    INFO("activation " << v.activation);
    c10::optional<at::Tensor> pos_weight;
    if (v.pos_weight != 1.0) pos_weight = at::full({1}, v.pos_weight);
    at::manual_seed(3);
    torch::nn::Sequential fast = build_mlp(variant_mlp(v));
    at::manual_seed(3);
    torch::nn::Sequential ref = build_mlp(variant_mlp(v));
    for (auto& p : fast->parameters()) p.mutable_grad() = at::zeros_like(p);
    at::manual_seed(11);  // the same dropout masks for both
    const at::Tensor fast_loss = CpuMlpStep(fast, pos_weight).train_batch(x, y);
    at::manual_seed(11);
    ref->train();
    const at::Tensor ref_loss =
        at::binary_cross_entropy_with_logits(ref->forward(x), y, {}, pos_weight, at::Reduction::Mean);
    ref_loss.backward();
    CHECK(close_or_same(fast_loss, ref_loss.detach(), exact));
    const auto fp = fast->named_parameters(), rp = ref->named_parameters();
    for (const auto& p : rp) {
      INFO("gradient of " << p.key());
      CHECK(close_or_same(fp[p.key()].grad(), p.value().grad(), exact));
    }
    const auto fb = fast->named_buffers(), rb = ref->named_buffers();
    for (const auto& b : rb) {
      INFO("buffer " << b.key());
      CHECK(close_or_same(fb[b.key()], b.value(), exact));
    }
  }
}

TEST_CASE("training with the fast CPU step is training with autograd, bit for bit", "[exec]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, so the two round differently");
    return;
  }
  const Table tr = random_table(200, 6, 7), val = random_table(40, 6, 8), te = random_table(30, 6, 9);
  for (const Variant& v : kVariants) {
    INFO("activation " << v.activation);
    LossSpec l;
    l.pos_weight = v.pos_weight;
    OptimizerSpec o;
    o.amsgrad = v.amsgrad;
    o.weight_decay = 0.05;
    TrainSpec s = quick_spec(4);
    s.drop_last = v.drop_last;
    s.shuffle = v.shuffle;
    s.schedule = std::make_shared<EpochFunctionSchedule>([](int e) { return 0.01 / (1 + e); });
    const TrainResult fast = train(tr, &val, te, variant_mlp(v), l, o, s, CpuStep::fast);
    const TrainResult slow = train(tr, &val, te, variant_mlp(v), l, o, s, CpuStep::autograd);
    CHECK(fast.test_outputs == slow.test_outputs);
    CHECK(fast.val_outputs == slow.val_outputs);
    REQUIRE(fast.history.size() == slow.history.size());
    for (std::size_t e = 0; e < fast.history.size(); ++e) {
      CHECK(fast.history[e].train_loss == slow.history[e].train_loss);
      CHECK(fast.history[e].val_loss == slow.history[e].val_loss);
      CHECK(fast.history[e].val_metric == slow.history[e].val_metric);
      CHECK(fast.history[e].train_metric == slow.history[e].train_metric);
    }
    CHECK(same_bits(state_dict(*fast.model), state_dict(*slow.model)));
  }
}

TEST_CASE("dropout noise is at::dropout's, from the same generator state", "[exec]") {
  for (double p : {0.1, 0.3, 0.5, 0.9}) {
    for (std::int64_t n : {1, 7, 311, 312, 1000, 5000}) {
      at::Generator a = torch_compat::cpu_generator(99), b = torch_compat::cpu_generator(99);
      at::Tensor expected = at::empty({n}).bernoulli_(1 - p, a).div_(1 - p);
      at::Tensor mine = at::empty({n});
      cpu::dropout_noise(mine, p, b);
      INFO("p " << p << " n " << n);
      CHECK(at::equal(expected, mine));
      CHECK(at::equal(at::empty({8}, at::kLong).random_(a), at::empty({8}, at::kLong).random_(b)));
    }
  }
}

TEST_CASE("cpu::gemm sums each element in order of k, from 0, without FMA", "[exec]") {
  at::Generator g = torch_compat::cpu_generator(21);
  for (auto [M, N, K] : {std::tuple<int, int, int>{1, 1, 1}, {9, 17, 5}, {32, 128, 13}, {13, 3, 64}, {8, 16, 0}}) {
    const at::Tensor a = at::randn({M, K}, g), b = at::randn({K, N}, g);
    at::Tensor c = at::full({M, N}, 42.0f), at_ = a.t().contiguous();
    cpu::gemm(M, N, K, at_.data_ptr<float>(), 1, M, b.data_ptr<float>(), N, c.data_ptr<float>(), N);  // strided A
    const float *pa = a.data_ptr<float>(), *pb = b.data_ptr<float>(), *pc = c.data_ptr<float>();
    int wrong = 0;
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        volatile float acc = 0;  // volatile: each step rounded to float, never contracted
        for (int k = 0; k < K; ++k) {
          volatile float prod = pa[m * K + k] * pb[k * N + n];
          acc = acc + prod;
        }
        wrong += acc != pc[m * N + n];
      }
    CHECK(wrong == 0);
  }
}

TEST_CASE("Python's state dict loads into the C++ model and gives Python's logits", "[exec]") {
  const TensorDict fixture = read_tensor_dict(std::string(PIPE_TEST_DIR) + "/fixtures/torch_mlp.pt");
  MlpSpec m;
  m.in_features = 5;
  m.hidden = {8, 4};
  m.dropout = 0.25;
  at::manual_seed(7);
  torch::nn::Sequential model = build_mlp(m);
  // LibTorch's default initialisation draws what Python's does, in the same order.
  CHECK(same_bits(state_dict(*model), under(fixture, "init/")));
  load_state_dict(*model, under(fixture, "state/"));
  model->eval();
  const at::Tensor x = get(fixture, "input"), expected = get(fixture, "logits");
  CHECK(at::allclose(model->forward(x), expected, 0, 1e-6));
  CHECK(at::allclose(CpuMlpStep(model, {}).eval_logits(x), expected, 0, 1e-6));
}

TEST_CASE("training reproduces Python's DataLoader + AdamW + StepLR loop bit for bit", "[exec]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, unlike the fixture's");
    return;
  }
  const TensorDict f = read_tensor_dict(std::string(PIPE_TEST_DIR) + "/fixtures/torch_train.pt");
  const auto table = pipetest::binary_table;
  const Table tr = table(get(f, "x"), get(f, "y")), te = table(get(f, "x_test"), {});
  const at::Tensor lrs = get(f, "lrs"), losses = get(f, "losses"), probs = get(f, "probs");
  MlpSpec m;
  m.in_features = 5;
  m.hidden = {8, 4};
  m.dropout = 0.25;
  LossSpec l;
  l.pos_weight = 1.5;
  OptimizerSpec o;
  o.lr = 0.01;
  o.weight_decay = 0.05;
  TrainSpec s = quick_spec(5, 3);
  s.batch_size = 8;
  s.schedule = std::make_shared<EpochFunctionSchedule>([&](int e) { return lrs[e].item<double>(); });
  const TrainResult r = train(tr, nullptr, te, m, l, o, s);
  for (int e = 0; e < 5; ++e) CHECK(r.history[e].train_loss == losses[e].item<double>());
  REQUIRE(r.test_outputs.size() == 7);
  for (int i = 0; i < 7; ++i) CHECK(r.test_outputs[i] == static_cast<double>(probs[i].item<float>()));
  CHECK(same_bits(state_dict(*r.model), under(f, "state/")));
}

TEST_CASE("regression training reproduces PyTorch's loop for every regression loss", "[exec][regression]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, unlike the fixture's");
    return;
  }
  const TensorDict f = read_tensor_dict(std::string(PIPE_TEST_DIR) + "/fixtures/torch_regression.pt");
  auto table = [](const at::Tensor& x, const at::Tensor& y) {
    Table t = pipetest::features_table(x);
    t.regression = true;
    if (y.defined()) t.target.assign(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
    return t;
  };
  const Table tr = table(get(f, "x"), get(f, "y")), te = table(get(f, "x_test"), {});
  MlpSpec m;
  m.in_features = 5;
  m.hidden = {8};
  m.batch_norm = false;
  OptimizerSpec o;
  o.lr = 0.05;
  for (const std::string loss : {"mse", "l1", "huber", "smooth_l1"}) {
    INFO("loss " << loss);
    LossSpec l;
    l.type = loss;
    l.delta = 2.0;
    l.beta = 0.5;
    TrainSpec s = quick_spec(4, 4);
    s.batch_size = 8;
    const TrainResult r = train(tr, nullptr, te, m, l, o, s);
    const at::Tensor losses = get(f, loss + "/losses"), outputs = get(f, loss + "/outputs");
    for (int e = 0; e < 4; ++e) CHECK(r.history[e].train_loss == losses[e].item<double>());
    REQUIRE(r.test_outputs.size() == 7);
    for (int i = 0; i < 7; ++i) CHECK(r.test_outputs[i] == static_cast<double>(outputs[i].item<float>()));
    CHECK(same_bits(state_dict(*r.model), under(f, loss + "/state/")));
  }
}

TEST_CASE("cross_entropy training reproduces PyTorch's loop: class weights, label smoothing, balanced", "[exec][multiclass]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, unlike the fixture's");
    return;
  }
  const TensorDict f = read_tensor_dict(std::string(PIPE_TEST_DIR) + "/fixtures/torch_multiclass.pt");
  auto table = [](const at::Tensor& x, const at::Tensor& y) {
    Table t = pipetest::features_table(x);
    t.class_names = {"a", "b", "c"};
    if (y.defined()) t.y.assign(y.data_ptr<std::int64_t>(), y.data_ptr<std::int64_t>() + y.numel());
    return t;
  };
  const Table tr = table(get(f, "x"), get(f, "y")), te = table(get(f, "x_test"), {});
  MlpSpec m;
  m.in_features = 5;
  m.hidden = {8, 4};
  m.dropout = 0.25;
  m.out_features = 3;
  OptimizerSpec o;
  o.lr = 0.01;
  for (const std::string name : {"weighted", "balanced"}) {
    INFO("case " << name);
    LossSpec l;
    l.type = "cross_entropy";
    if (name == "weighted") l.weight = {0.5, 2.0, 1.25}, l.label_smoothing = 0.1;
    else l.balanced = true;
    TrainSpec s = quick_spec(4, 6);
    s.batch_size = 8;
    for (const CpuStep step : {CpuStep::fast, CpuStep::autograd}) {
      const TrainResult r = train(tr, nullptr, te, m, l, o, s, step);
      const at::Tensor losses = get(f, name + "/losses"), probs = get(f, name + "/probs").reshape({-1});
      for (int e = 0; e < 4; ++e) CHECK(r.history[e].train_loss == losses[e].item<double>());
      REQUIRE(r.test_outputs.size() == 21);
      for (int i = 0; i < 21; ++i) CHECK(r.test_outputs[i] == static_cast<double>(probs[i].item<float>()));
      CHECK(same_bits(state_dict(*r.model), under(f, name + "/state/")));
    }
  }
}

TEST_CASE("regression training refuses a table without target values", "[exec][regression]") {
  Table tr = random_table(20, 3, 1);
  Table te = tr;
  MlpSpec m;
  m.in_features = 3;
  m.hidden = {4};
  LossSpec l;
  l.type = "mse";
  CHECK_THROWS_WITH(train(tr, nullptr, te, m, l, {}, quick_spec(1)), "the train part has no target values");
}

TEST_CASE("a saved state dict reads back whole, and a failed write leaves nothing", "[exec]") {
  const std::string path = "/tmp/pipe_trainer_test_" + std::to_string(::getpid()) + ".pt";
  at::manual_seed(1);
  torch::nn::Sequential model = build_mlp(heart_mlp());
  save_state_dict(*model, path);
  CHECK(same_bits(read_tensor_dict(path), state_dict(*model)));
  CHECK_FALSE(std::ifstream(path + ".tmp." + std::to_string(::getpid())).good());
  std::remove(path.c_str());
  CHECK_THROWS_WITH(save_state_dict(*model, "/nonexistent-dir/model.pt"),
                    Catch::StartsWith("cannot write model file '/nonexistent-dir/model.pt'"));
  CHECK_THROWS_WITH(read_tensor_dict("/nonexistent-dir/model.pt"), Catch::StartsWith("cannot read model file"));
  std::ofstream(path) << "not a zip";
  CHECK_THROWS_WITH(read_tensor_dict(path),
                    Catch::Contains("save one with torch.save(dict(model.state_dict()), path)"));
  std::remove(path.c_str());
}

TEST_CASE("load_state_dict names what does not fit", "[exec]") {
  at::manual_seed(1);
  torch::nn::Sequential model = build_mlp(heart_mlp());
  TensorDict d = state_dict(*model);
  d.pop_back();
  CHECK_THROWS_WITH(load_state_dict(*model, d), "the state dict has no '8.bias'");
  d = state_dict(*model);
  d[0].second = at::zeros({2, 2});
  CHECK_THROWS_WITH(load_state_dict(*model, d), Catch::StartsWith("'0.weight' has shape [2, 2]"));
  d = state_dict(*model);
  d.emplace_back("9.weight", at::zeros({1}));
  CHECK_THROWS_WITH(load_state_dict(*model, d), "the state dict has '9.weight', which the model does not");
}

TEST_CASE("what the trainer cannot train is a user error", "[exec]") {
  Table tr = random_table(64, 3, 10), te = random_table(8, 3, 11);
  MlpSpec m;
  m.in_features = 3;
  m.hidden = {4};
  CHECK_NOTHROW(train(tr, nullptr, te, m, {}, {}, quick_spec(1)));
  MlpSpec wide = m;
  wide.out_features = 3;
  CHECK_THROWS_WITH(train(tr, nullptr, te, wide, {}, {}, quick_spec(1)), "binary training needs out_features 1");
  LossSpec ce;
  ce.type = "cross_entropy";
  CHECK_THROWS_WITH(train(tr, nullptr, te, m, ce, {}, quick_spec(1)),
                    "cross_entropy needs a logit per class (out_features 2 or more)");
  LossSpec nll;
  nll.type = "nll";
  CHECK_THROWS_WITH(train(tr, nullptr, te, m, nll, {}, quick_spec(1)), Catch::Contains("loss 'nll' is not supported"));
  Table three = tr;
  three.y[5] = 3;
  CHECK_THROWS_WITH(train(three, nullptr, te, wide, ce, {}, quick_spec(1)),
                    "the train part has label 3 at row 6; training for 3 classes needs labels 0 to 2");
  OptimizerSpec lion;
  lion.type = "lion";
  CHECK_THROWS_WITH(train(tr, nullptr, te, m, {}, lion, quick_spec(1)), Catch::Contains("optimizer 'lion'"));
  Table two = tr;
  two.y[5] = 2;
  CHECK_THROWS_WITH(train(two, nullptr, te, m, {}, {}, quick_spec(1)),
                    "the train part has label 2 at row 6; binary training needs labels 0 and 1");
  Table nan = te;
  nan.x[4] = std::nanf("");
  CHECK_THROWS_WITH(train(tr, nullptr, nan, m, {}, {}, quick_spec(1)),
                    "the test part has a missing value in 'f1' at row 2; impute it before training");
  Table odd = random_table(65, 3, 12);  // 65 = 2 x 32 + 1: a last batch of one row
  CHECK_THROWS_WITH(train(odd, nullptr, te, m, {}, {}, quick_spec(1)), Catch::Contains("a batch of 1 row"));
  TrainSpec drop = quick_spec(1);
  drop.drop_last = true;
  CHECK_NOTHROW(train(odd, nullptr, te, m, {}, {}, drop));
}
