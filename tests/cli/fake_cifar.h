// A small CIFAR-10 dataset in the binary format, written by the tests themselves: the five
// training files and the test file, `per_file` records each, labels 0-9 in turn and pixels
// from a fixed pattern (so every run of the tests reads the same bytes).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ops/cifar10.h"

namespace pipetest {

inline void write_fake_cifar(const std::string& dir, int per_file = 40) {
  std::uint32_t state = 12345;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                           "data_batch_5.bin", "test_batch.bin"}) {
    std::vector<int> labels;
    std::vector<std::uint8_t> pixels;
    for (int i = 0; i < per_file; ++i) {
      labels.push_back(i % 10);
      // A brighter red plane for even labels: something a model can learn from.
      for (std::size_t p = 0; p < pipeml::cifar::kPixels; ++p)
        pixels.push_back(static_cast<std::uint8_t>((next() >> 24) / 2 + (p < 1024 && i % 2 == 0 ? 120 : 0)));
    }
    pipeml::cifar::write_records(dir + "/" + name, labels, pixels);
  }
}

}  // namespace pipetest
