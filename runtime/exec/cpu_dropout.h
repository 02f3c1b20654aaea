// Dropout masks for the CPU training engine, drawn as ATen draws them but without ATen's
// per-element overhead, which made the masks a sixth of the heart recipe's training time.
#pragma once
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

namespace pipeml::cpu {

/// Fills the contiguous float tensor `noise` with what
/// `at::empty_like(noise).bernoulli_(1 - p, gen).div_(1 - p)` (at::dropout's noise on the CPU)
/// leaves in it, and advances `gen` just as far: the same numbers from the same state.
/// Where this LibTorch's CPU bernoulli_ draws differently (an MKL build), it calls bernoulli_
/// itself; bernoulli_matches_aten() tells which.
void dropout_noise(at::Tensor& noise, double p, const at::Generator& gen);

/// Whether this LibTorch's bernoulli_ on CPU floats is the mt19937 one dropout_noise
/// reproduces (checked once, on private generators).
bool bernoulli_matches_aten();

}  // namespace pipeml::cpu
