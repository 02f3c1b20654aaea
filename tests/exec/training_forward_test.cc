// TrainingForward's parts that are ATen alone, so they run here on the CPU: nhwc_linear (a
// Flatten → Linear on a channels-last activation without the flatten's copy) against the
// modules, forward and backward, with its gradients returned to autograd and added into an
// existing .grad.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include "runtime/exec/training_forward.h"

namespace {

double relative_error(const at::Tensor& got, const at::Tensor& want) {
  return (got.to(at::kDouble) - want.to(at::kDouble)).norm().item<double>() / want.to(at::kDouble).norm().item<double>();
}

}  // namespace

TEST_CASE("nhwc_linear is Flatten then Linear, forward and backward", "[layers]") {
  at::manual_seed(9);
  const at::Tensor x0 = at::randn({5, 6, 3, 4}).contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor w0 = at::randn({7, 72}), b0 = at::randn({7}), g = at::randn({5, 7});
  for (const bool preset : {false, true}) {
    CAPTURE(preset);
    const at::Tensor x = x0.clone().requires_grad_(true), w = w0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
    if (preset) w.mutable_grad() = at::ones_like(w), b.mutable_grad() = at::ones_like(b);  // as the optimizer's flat gradient
    const at::Tensor out = pipeml::nhwc_linear(x, w, b, false);
    out.backward(g);
    const at::Tensor xr = x0.clone().requires_grad_(true), wr = w0.clone().requires_grad_(true), br = b0.clone().requires_grad_(true);
    const at::Tensor want = at::linear(xr.flatten(1), wr, br);
    want.backward(g);
    CHECK(relative_error(out, want) < 1e-6);
    CHECK(relative_error(x.grad(), xr.grad()) < 1e-6);
    CHECK(x.grad().is_contiguous(at::MemoryFormat::ChannelsLast));  // no copy back to NCHW
    CHECK(relative_error(w.grad() - (preset ? 1 : 0), wr.grad()) < 1e-6);
    CHECK(relative_error(b.grad() - (preset ? 1 : 0), br.grad()) < 1e-6);
  }
  CHECK_THROWS_AS(pipeml::nhwc_linear(x0, at::randn({7, 70}), b0, false), std::logic_error);
}
