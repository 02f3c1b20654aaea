// The value that flows between data stages: a dense numeric table plus class labels.
// (pipe's namespace is pipeml, not pipe: <unistd.h> declares a function called pipe.)
// Plain C++ on purpose: data stages run (and are planned) without LibTorch.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pipeml {

/// What a column holds. A categorical column keeps its values as codes 0..k-1 into its
/// categories, in the same float matrix as the numbers (NaN: missing, as for numbers).
enum class ColumnKind { numeric, categorical };

/// Row-major float32 features (NaN marks a missing value) with, per row, an integer class
/// label (classification: `y`, 0..k-1, `class_names` keeping what each label meant in the
/// source) or a number (regression: `target`, float64 as read, and `y` stays empty).
struct Table {
  std::vector<std::string> columns;      ///< feature names, in order
  std::vector<std::string> class_names;  ///< label i was written as class_names[i]
  std::size_t rows = 0;
  std::vector<float> x;  ///< rows * cols() values
  std::vector<int> y;    ///< rows labels; empty when the table has no class target
  std::vector<double> target;  ///< rows values when `regression`; else empty
  bool regression = false;     ///< the target is a number (regression), not a class
  /// Per column, or empty when every column is numeric.
  std::vector<ColumnKind> kinds;
  /// Per column when `kinds` is set: a categorical column's categories, code i being
  /// categories[i] (sorted as sklearn's encoders sort them); empty for a numeric column.
  std::vector<std::vector<std::string>> categories;
  /// Images (load_cifar10): every row is one image of `image_shape` {channels, height,
  /// width}, its bytes in `pixels` as torch's [C, H, W] (and CIFAR's binary) lay them out:
  /// channel planes, each row-major. `columns` and `x` stay empty; the transforms that
  /// make floats of them run in the trainer, per batch, on the training device.
  std::vector<std::int64_t> image_shape;
  std::vector<std::uint8_t> pixels;

  bool images() const { return !image_shape.empty(); }
  /// Bytes per image (0 for a table of columns).
  std::size_t image_bytes() const {
    if (image_shape.empty()) return 0;
    std::size_t n = 1;
    for (auto d : image_shape) n *= static_cast<std::size_t>(d);
    return n;
  }
  std::size_t cols() const { return columns.size(); }
  float* row(std::size_t i) { return x.data() + i * cols(); }
  const float* row(std::size_t i) const { return x.data() + i * cols(); }
  bool is_categorical(std::size_t c) const { return c < kinds.size() && kinds[c] == ColumnKind::categorical; }
  bool has_categorical() const {
    return std::find(kinds.begin(), kinds.end(), ColumnKind::categorical) != kinds.end();
  }
  /// A table with the same columns (names, kinds, categories) and classes, and no rows:
  /// what a stage that makes new rows starts from.
  Table like() const {
    Table t;
    t.columns = columns;
    t.class_names = class_names;
    t.kinds = kinds;
    t.categories = categories;
    t.regression = regression;
    t.image_shape = image_shape;
    return t;
  }
  /// Number of rows of each label 0..num_classes-1.
  std::vector<std::size_t> class_counts() const {
    std::vector<std::size_t> c(class_names.size(), 0);
    for (int v : y) {
      if (v >= 0 && static_cast<std::size_t>(v) >= c.size()) c.resize(v + 1, 0);
      if (v >= 0) ++c[v];
    }
    return c;
  }
  /// What split and kfold stratify on: the labels, or one stratum of every row for a
  /// regression target (never stratified; the splitters only count its rows).
  std::vector<int> strata() const { return regression ? std::vector<int>(rows, 0) : y; }
  /// A new table holding the given rows, in that order.
  Table take(const std::vector<std::size_t>& idx) const {
    Table t = like();
    t.rows = idx.size();
    t.x.resize(idx.size() * cols());
    if (!y.empty()) t.y.resize(idx.size());
    if (!target.empty()) t.target.resize(idx.size());
    const std::size_t bytes = image_bytes();
    t.pixels.resize(idx.size() * bytes);
    for (std::size_t r = 0; r < idx.size(); ++r) {
      const float* src = row(idx[r]);
      std::copy(src, src + cols(), t.x.data() + r * cols());
      if (!y.empty()) t.y[r] = y[idx[r]];
      if (!target.empty()) t.target[r] = target[idx[r]];
      if (bytes) std::copy_n(pixels.data() + idx[r] * bytes, bytes, t.pixels.data() + r * bytes);
    }
    return t;
  }
};

}  // namespace pipeml
