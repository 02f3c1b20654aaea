#include "ops/gaussian_noise.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "runtime/rng.h"
#include "runtime/user_error.h"

namespace pipeml::noise {
namespace {

std::string text_of(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

Table augment(const Table& t, double noise_std, int num_augments, std::uint64_t seed) {
  if (!(noise_std >= 0.0) || std::isinf(noise_std))
    throw UserError("expected a finite 'noise_std' >= 0, got '" + text_of(noise_std) + "'");
  if (num_augments < 0) throw UserError("expected 'num_augments' >= 0, got '" + std::to_string(num_augments) + "'");
  const std::size_t copies = static_cast<std::size_t>(num_augments);
  const std::size_t width = t.cols();
  Table out;
  out.columns = t.columns;
  out.class_names = t.class_names;
  out.regression = t.regression;
  out.rows = t.rows * (1 + copies);
  out.x.resize(out.rows * width);
  std::copy(t.x.begin(), t.x.begin() + t.rows * width, out.x.begin());
  if (!t.y.empty()) {
    out.y.resize(out.rows);
    std::copy(t.y.begin(), t.y.begin() + t.rows, out.y.begin());
  }
  if (!t.target.empty()) {
    out.target.resize(out.rows);
    std::copy(t.target.begin(), t.target.begin() + t.rows, out.target.begin());
  }
  Rng rng(seed);
  std::size_t next = t.rows;
  for (std::size_t i = 0; i < t.rows; ++i) {
    for (std::size_t a = 0; a < copies; ++a, ++next) {
      const float* source = t.row(i);
      float* copy = out.row(next);
      for (std::size_t c = 0; c < width; ++c) copy[c] = static_cast<float>(source[c] + noise_std * rng.normal());
      if (!t.y.empty()) out.y[next] = t.y[i];
      if (!t.target.empty()) out.target[next] = t.target[i];
    }
  }
  return out;
}

}  // namespace pipeml::noise
