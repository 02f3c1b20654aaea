// Adam's and AdamW's device-side step (FlatOptimizer::step_on_device: the rate a tensor, the
// count on the device, as a CUDA graph replays it) against the host step, with and without
// amsgrad: shared by the CPU test of the capturable update and the GPU test of the fused
// kernel.
#pragma once
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <vector>

#include "runtime/exec/flat_optimizer.h"

namespace pipetest {

/// Six steps of both optimizers on the same gradients, the rate changed after three (as a
/// scheduler would), on tensors of `options`; with `fused`, the device one by
/// use_fused_step's kernel. Their parameters must agree to a few float32 roundings.
inline void check_device_steps_follow_host(const at::TensorOptions& options, bool fused) {
  for (const char* type : {"adam", "adamw"})
    for (const bool amsgrad : {false, true}) {
      CAPTURE(type, amsgrad);
      pipeml::OptimizerSpec spec;
      spec.type = type, spec.lr = 0.01, spec.weight_decay = 0.05, spec.amsgrad = amsgrad;
      at::manual_seed(1);
      const at::Tensor w0 = at::randn({4, 3}, options), b0 = at::randn({3}, options);
      std::vector<at::Tensor> host{w0.clone(), b0.clone()}, device{w0.clone(), b0.clone()};
      const auto host_opt = pipeml::make_flat_optimizer(host, spec);
      const auto device_opt = pipeml::make_flat_optimizer(device, spec);
      REQUIRE(device_opt->capturable());
      if (fused) REQUIRE(device_opt->use_fused_step());
      const at::Tensor lr = at::zeros({}, options);
      for (int step = 0; step < 6; ++step) {
        const at::Tensor g = at::randn({15}, options);
        const double rate = step < 3 ? 0.01 : 0.002;  // a scheduler's change between steps
        lr.fill_(rate);
        host_opt->flat_grad().copy_(g);
        device_opt->flat_grad().copy_(g);
        host_opt->step(rate);
        device_opt->step_on_device(lr);
      }
      INFO("max difference " << (host[0] - device[0]).abs().max().item<float>() << " at " << host[0].abs().max().item<float>());
      CHECK(at::allclose(host[0], device[0], 1e-5, 1e-6));  // a few float32 roundings apart
      CHECK(at::allclose(host[1], device[1], 1e-5, 1e-6));
      CHECK_FALSE(host[0].equal(w0));
      if (fused) {  // the kernel zeroes each gradient it read: zero_grad's fill can be left out, once
        const auto zeros = [&] { return at::count_nonzero(device_opt->flat_grad()).item<std::int64_t>() == 0; };
        CHECK(zeros());
        device_opt->zero_grad();
        device_opt->flat_grad().fill_(1);  // a backward's gradient, then the next zero_grad
        device_opt->zero_grad();
        CHECK(zeros());
      }
    }
}

}  // namespace pipetest
