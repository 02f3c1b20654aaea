// Gaussian-noise copies made by the trainer (TrainSpec::noise): drawn once before the
// weights, or afresh every epoch; from the training generator or one of their own.
// LibTorch's headers first: c10 defines a CHECK macro that catch.hpp must override.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include "runtime/exec/torch_compat.h"
#include "runtime/exec/trainer.h"

using namespace pipeml;

namespace {

Table small_table(std::size_t rows) {
  at::Generator g = torch_compat::cpu_generator(5);
  const at::Tensor x = at::randn({static_cast<std::int64_t>(rows), 4}, g);
  Table t;
  t.columns = {"a", "b", "c", "d"};
  t.class_names = {"0", "1"};
  t.rows = rows;
  t.x.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  for (std::size_t r = 0; r < rows; ++r) t.y.push_back(t.x[r * 4] + t.x[r * 4 + 1] > 0 ? 1 : 0);
  return t;
}

std::vector<double> losses(const NoiseSpec& noise, int epochs = 3) {
  const Table t = small_table(100);
  MlpSpec m;
  m.in_features = 4;
  m.hidden = {8};
  TrainSpec s;
  s.epochs = epochs;
  s.batch_size = 16;
  s.seed = 9;
  s.noise = noise;
  int batches = 0;
  const auto r = train_and_predict(t, nullptr, t, m, LossSpec{}, OptimizerSpec{}, s, nullptr,
                                   [&](int epoch, int, int n) { batches = epoch == 1 ? n : batches; });
  std::vector<double> l;
  for (const auto& h : r.history) l.push_back(h.train_loss);
  l.push_back(batches);  // the batch count shows how many rows an epoch trained on
  return l;
}

NoiseSpec noise(int copies, bool per_epoch, bool own_seed = false, std::uint64_t seed = 0) {
  NoiseSpec n;
  n.copies = copies, n.std = 0.1, n.per_epoch = per_epoch, n.own_seed = own_seed, n.seed = seed;
  return n;
}

}  // namespace

TEST_CASE("the trainer's noisy copies multiply the rows an epoch trains on", "[noise]") {
  CHECK(losses(noise(0, false)).back() == 7);   // 100 rows, batches of 16
  CHECK(losses(noise(1, false)).back() == 13);  // 200
  CHECK(losses(noise(2, true)).back() == 19);   // 300, every epoch
}

TEST_CASE("noise drawn once differs from noise drawn every epoch; an own seed is reproducible", "[noise]") {
  const auto once = losses(noise(1, false)), fresh = losses(noise(1, true));
  CHECK(once != fresh);
  CHECK(losses(noise(1, false)) == once);  // deterministic for a seed
  CHECK(losses(noise(1, false, true, 4)) == losses(noise(1, false, true, 4)));
  CHECK(losses(noise(1, false, true, 4)) != losses(noise(1, false, true, 5)));
  CHECK(losses(noise(1, false, true, 4)) != once);
}
