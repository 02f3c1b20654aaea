// pipe's CUDA kernels on the CPU, in this folder's emulation of CUDA and curand: see
// first_conv_emu.cc and augment_emu.cc.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
