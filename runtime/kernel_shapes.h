// The shapes pipe's CUDA kernels take, in one place for both sides: the rules that the plan
// and the run follow (runtime/fused_layers.h) and the kernels' own launchers
// (runtime/exec/cuda/kernels.cu, compiled by nvcc), which refuse anything else. Plain C++.
#pragma once
#include <cstdint>

namespace pipeml {

/// The first-convolution kernel's largest input and output channel counts (its shared memory
/// holds that many weights).
constexpr int kFirstConvMaxIn = 4, kFirstConvMaxOut = 64;

/// The first-convolution kernel's shapes: a 3x3 convolution (stride, padding and dilation 1,
/// one group) from at most 4 channels to a multiple of 8 up to 64.
constexpr bool first_conv_kernel_takes(std::int64_t in_channels, std::int64_t out_channels) {
  return in_channels >= 1 && in_channels <= kFirstConvMaxIn && out_channels % 8 == 0 && out_channels >= 8 &&
         out_channels <= kFirstConvMaxOut;
}

/// The BatchNorm-ReLU-MaxPool kernels' shapes: a multiple of 8 channels up to 1024, an even
/// height and width.
constexpr bool bn_relu_pool_kernel_takes(std::int64_t channels, std::int64_t height, std::int64_t width) {
  return channels % 8 == 0 && channels >= 8 && channels <= 1024 && height % 2 == 0 && width % 2 == 0 && height >= 2 &&
         width >= 2;
}

}  // namespace pipeml
