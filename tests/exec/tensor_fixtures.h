// What the tests that compare pipe with PyTorch fixtures share: reading entries of a
// torch.save'd dict, comparing state dicts to the bit, and whether this LibTorch's matrix
// product sums as the fixtures' did. Include after ATen and before nothing that defines CHECK.
#pragma once
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/exec/cpu_gemm.h"
#include "runtime/exec/model_io.h"
#include "runtime/exec/torch_compat.h"
#include "runtime/table.h"

namespace pipetest {

using pipeml::TensorDict;

inline std::vector<std::string> names(const TensorDict& d) {
  std::vector<std::string> out;
  for (const auto& [name, t] : d) out.push_back(name);
  return out;
}

inline at::Tensor get(const TensorDict& d, const std::string& name) {
  for (const auto& [n, t] : d)
    if (n == name) return t;
  FAIL("no tensor '" << name << "'");
  return {};
}

/// The entries of `d` under `prefix`, with the prefix taken off.
inline TensorDict under(const TensorDict& d, const std::string& prefix) {
  TensorDict out;
  for (const auto& [n, t] : d)
    if (n.rfind(prefix, 0) == 0) out.emplace_back(n.substr(prefix.size()), t);
  return out;
}

/// The name of the first entry that differs, "the names differ", or "" when all are bit-equal.
inline std::string first_difference(const TensorDict& a, const TensorDict& b) {
  if (names(a) != names(b)) return "the names differ";
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!at::equal(a[i].second.cpu(), b[i].second.cpu())) return a[i].first;
  return "";
}

inline bool same_bits(const TensorDict& a, const TensorDict& b) { return first_difference(a, b).empty(); }

/// Whether this LibTorch's at::mm sums each element in order of k, as cpu::gemm does (the
/// reference BLAS of Debian's LibTorch does; MKL and OpenBLAS block the sums differently):
/// the fixtures' bit-for-bit training comparisons hold only then.
inline bool mm_sums_in_order() {
  at::Generator g = pipeml::torch_compat::cpu_generator(5);
  const at::Tensor a = at::randn({9, 70}, g), b = at::randn({70, 33}, g);
  at::Tensor c = at::empty({9, 33});
  pipeml::cpu::gemm(9, 33, 70, a.data_ptr<float>(), 70, 1, b.data_ptr<float>(), 33, c.data_ptr<float>(), 33);
  return at::equal(c, at::mm(a, b));
}

/// A fixture's features as a Table (columns f0, f1, ...), without labels.
inline pipeml::Table features_table(const at::Tensor& x) {
  pipeml::Table t;
  for (int c = 0; c < x.size(1); ++c) t.columns.push_back("f" + std::to_string(c));
  t.rows = x.size(0);
  t.x.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  return t;
}

/// The same with binary labels: 1 where y > 0.5. An undefined y (a test part) gives none.
inline pipeml::Table binary_table(const at::Tensor& x, const at::Tensor& y) {
  pipeml::Table t = features_table(x);
  for (std::int64_t r = 0; y.defined() && r < y.numel(); ++r) t.y.push_back(y[r].item<float>() > 0.5f ? 1 : 0);
  return t;
}

/// binary_table with the class names "0" and "1", as a planned classifier's parts have them.
inline pipeml::Table classifier_table(const at::Tensor& x, const at::Tensor& y) {
  pipeml::Table t = binary_table(x, y);
  t.class_names = {"0", "1"};
  return t;
}

/// The controls fixture's data (tests/fixtures/torch_controls.pt, make_controls_fixtures.py):
/// 45 training rows of 5 features, a validation part and 7 test rows, and the fixture's tensors.
struct ControlsData {
  TensorDict f = pipeml::read_tensor_dict(std::string(PIPE_TEST_DIR) + "/fixtures/torch_controls.pt");
  pipeml::Table train = classifier_table(get(f, "x"), get(f, "y")), val = classifier_table(get(f, "x_val"), get(f, "y_val")),
                test = classifier_table(get(f, "x_test"), {});
};

}  // namespace pipetest
