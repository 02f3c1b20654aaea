#include "runtime/exec/resume_state.h"

#include <ATen/ATen.h>

#include <array>

#include "runtime/exec/model_io.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

// The file is one flat dict: groups of tensors under a prefix, numbers as small tensors.
constexpr std::int64_t kFormat = 1;
constexpr int kRecordFields = 7;

// The state's dicts of tensors and their prefixes in the file (State: const or not).
template <class State>
auto groups(State& s) {
  using Dict = decltype(&s.model);
  return std::array<std::pair<const char*, Dict>, 5>{
      {{"model/", &s.model}, {"best/", &s.best}, {"last_good/", &s.last_good}, {"optimizer/", &s.optimizer}, {"scaler/", &s.scaler}}};
}

at::Tensor cpu_copy(const at::Tensor& t) { return t.detach().to(at::kCPU).clone(); }

}  // namespace

void save_resume_state(const ResumeState& s, const std::string& path) {
  TensorDict out;
  out.emplace_back("format", at::full({1}, kFormat, at::kLong));
  out.emplace_back("position", at::tensor(std::vector<std::int64_t>{s.epoch, s.batch, s.batches, s.rows, s.graph_replays}));
  auto history = at::empty({static_cast<std::int64_t>(s.history.size()), kRecordFields}, at::kDouble);
  double* h = history.data_ptr<double>();
  for (const EpochRecord& r : s.history)
    for (double v : {static_cast<double>(r.epoch), r.train_loss, r.train_metric, r.val_loss, r.val_metric, r.lr, r.seconds})
      *h++ = v;
  out.emplace_back("history", history);
  out.emplace_back("controls", at::tensor(s.controls, at::kDouble));
  out.emplace_back("epoch/numbers", at::tensor(std::vector<double>{s.epoch_metric, s.epoch_seconds}, at::kDouble));
  out.emplace_back("epoch/losses", s.epoch_losses.defined() ? cpu_copy(s.epoch_losses) : at::empty({0}, at::kFloat));
  for (const auto& [name, t] : {std::pair<const char*, const at::Tensor&>{"rng/cpu", s.rng_cpu},
                                {"rng/cpu_epoch", s.rng_cpu_epoch},
                                {"rng/noise_epoch", s.rng_noise_epoch},
                                {"rng/cuda", s.rng_cuda}})
    if (t.defined()) out.emplace_back(name, cpu_copy(t));
  for (const auto& [prefix, dict] : groups(s))
    for (const auto& [name, t] : *dict) out.emplace_back(prefix + name, cpu_copy(t));
  save_tensor_dict(out, path);
}

ResumeState read_resume_state(const std::string& path) {
  const TensorDict in = read_tensor_dict(path);
  auto bad = [&](const std::string& why) { throw UserError("'" + path + "' is not a checkpoint pipe can resume from: " + why); };
  auto get = [&](const std::string& name) -> at::Tensor {
    for (const auto& [n, t] : in)
      if (n == name) return t;
    return {};
  };
  const at::Tensor format = get("format");
  if (!format.defined() || format.numel() != 1 || format.item<std::int64_t>() != kFormat) bad("no format 1 marker");
  ResumeState s;
  const at::Tensor position = get("position"), history = get("history"), numbers = get("epoch/numbers");
  if (!position.defined() || position.numel() != 5 || !history.defined() || history.dim() != 2 ||
      history.size(1) != kRecordFields || !numbers.defined() || numbers.numel() != 2)
    bad("its position, history or epoch numbers are missing");
  const at::Tensor p = position.to(at::kLong);
  s.epoch = static_cast<int>(p[0].item<std::int64_t>());
  s.batch = p[1].item<std::int64_t>();
  s.batches = p[2].item<std::int64_t>();
  s.rows = p[3].item<std::int64_t>();
  s.graph_replays = static_cast<long>(p[4].item<std::int64_t>());
  const at::Tensor hd = history.to(at::kDouble).contiguous();
  for (std::int64_t i = 0; i < hd.size(0); ++i) {
    const double* r = hd.data_ptr<double>() + i * kRecordFields;
    s.history.push_back(EpochRecord{static_cast<int>(r[0]), r[1], r[2], r[3], r[4], r[5], r[6]});
  }
  const at::Tensor controls = get("controls").to(at::kDouble).contiguous();
  s.controls.assign(controls.data_ptr<double>(), controls.data_ptr<double>() + controls.numel());
  s.epoch_metric = numbers[0].item<double>();
  s.epoch_seconds = numbers[1].item<double>();
  s.epoch_losses = get("epoch/losses");
  if (!s.epoch_losses.defined() || s.epoch_losses.numel() != s.batch) bad("the interrupted epoch's losses are missing");
  s.rng_cpu = get("rng/cpu");
  s.rng_cpu_epoch = get("rng/cpu_epoch");
  s.rng_noise_epoch = get("rng/noise_epoch");
  s.rng_cuda = get("rng/cuda");
  if (!s.rng_cpu.defined() || !s.rng_cpu_epoch.defined()) bad("the random generators' states are missing");
  for (const auto& [name, t] : in)
    for (const auto& [prefix, dict] : groups(s))
      if (name.rfind(prefix, 0) == 0) dict->emplace_back(name.substr(std::string(prefix).size()), t);
  if (s.model.empty()) bad("it holds no model");
  return s;
}

}  // namespace pipeml
