// What the resampler tests share: reading tests/fixtures/resample/ (written by
// make_resample_fixtures.py), the tables and strategies its cases describe, and comparing
// rows with imbalanced-learn's.
#pragma once
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <utility>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/sampling_strategy.h"
#include "runtime/numpy_random.h"
#include "runtime/table.h"
#include "runtime/user_error.h"
#include "tests/message_of.h"

namespace pipetest {

inline nlohmann::json read_resample_fixture(const std::string& name, const std::string& folder = "resample") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/" + folder + "/" + name);
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

/// A sampling_strategy as the fixtures write it: {"name": ...}, {"ratio": ...},
/// {"targets": {label: rows}} or {"classes": [labels]}.
inline pipeml::sampling::Strategy strategy_from(const nlohmann::json& s) {
  using pipeml::sampling::Strategy;
  if (s.contains("name")) return Strategy::named(s.at("name"));
  if (s.contains("ratio")) return Strategy::ratio_of(s.at("ratio"));
  if (s.contains("classes")) return Strategy::classes_of(s.at("classes").get<std::vector<int>>());
  std::map<int, std::int64_t> targets;
  for (const auto& [label, rows] : s.at("targets").items()) targets[std::stoi(label)] = rows.get<std::int64_t>();
  return Strategy::targets_of(targets);
}

/// A case's sampling_strategy ("strategy"); 'auto' when the case has none.
inline pipeml::sampling::Strategy strategy_of(const nlohmann::json& c) {
  return c.contains("strategy") ? strategy_from(c.at("strategy")) : pipeml::sampling::Strategy::named("auto");
}

/// A table of these rows and labels; features f0, f1, ...; classes c0, c1, ...
inline pipeml::Table table_of(const std::vector<std::vector<double>>& rows, const std::vector<int>& y) {
  pipeml::Table t;
  for (std::size_t f = 0; f < rows.at(0).size(); ++f) t.columns.push_back("f" + std::to_string(f));
  const int k = *std::max_element(y.begin(), y.end()) + 1;
  for (int c = 0; c < k; ++c) t.class_names.push_back("c" + std::to_string(c));
  t.rows = rows.size();
  for (const auto& r : rows)
    for (double v : r) t.x.push_back(static_cast<float>(v));
  t.y = y;
  return t;
}

/// The case's input table ("x", "y").
inline pipeml::Table input_of(const nlohmann::json& c) { return table_of(c.at("x"), c.at("y")); }

/// The table the fixture script generated: NumpyRandomState(data_seed).random_sample((n, d))
/// * 10 - 5 as float32, row by row; labels cycle[i % len(cycle)].
inline pipeml::Table generated_table(const nlohmann::json& c) {
  const std::size_t n = c.at("n"), d = c.at("d");
  const auto cycle = c.at("cycle").get<std::vector<int>>();
  pipeml::NumpyRandomState rs(c.at("data_seed").get<std::uint64_t>());
  std::vector<std::vector<double>> rows(n, std::vector<double>(d));
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (auto& v : rows[i]) v = static_cast<float>(rs.random_sample() * 10.0 - 5.0);
    y[i] = cycle[i % cycle.size()];
  }
  return table_of(rows, y);
}

/// pipe stores float32; imblearn's float64 result rounded to float32 is what it should hold:
/// exactly, or (`exact` false) to float32 precision.
inline bool same_row(const float* got, const std::vector<double>& want, bool exact = false) {
  for (std::size_t f = 0; f < want.size(); ++f) {
    if (exact ? got[f] != static_cast<float>(want[f]) : !(std::abs(got[f] - want[f]) <= 1e-6 + 1e-6 * std::abs(want[f])))
      return false;
  }
  return true;
}

/// Checks `out` against the case's expected output: the labels, and the rows either as the
/// input rows at "indices" (exactly) or as "x_out" rounded to float32 (exactly, or to
/// float32 precision).
inline void check_output(const nlohmann::json& c, const pipeml::Table& in, const pipeml::Table& out,
                         bool exact = false) {
  const auto want_y = c.at("y_out").get<std::vector<int>>();
  REQUIRE(out.rows == want_y.size());
  REQUIRE(out.x.size() == out.rows * in.cols());
  CHECK(out.columns == in.columns);
  CHECK(out.class_names == in.class_names);
  CHECK(out.y == want_y);
  if (c.contains("indices")) {
    const auto idx = c.at("indices").get<std::vector<std::size_t>>();
    CHECK(out.x == in.take(idx).x);
    return;
  }
  const auto want_x = c.at("x_out").get<std::vector<std::vector<double>>>();
  std::size_t wrong = 0;
  for (std::size_t r = 0; r < want_x.size(); ++r)
    if (!same_row(out.row(r), want_x[r], exact)) {
      if (wrong++ < 5) UNSCOPED_INFO("row " << r << " differs");
    }
  CHECK(wrong == 0);
}

/// For a case with a summary (generated input, rows appended): the input rows come first,
/// untouched; the appended rows have the expected labels, every row's sum and some rows.
inline void check_summary(const nlohmann::json& c, const pipeml::Table& in, const pipeml::Table& out) {
  const auto sums = c.at("row_sums").get<std::vector<double>>();
  REQUIRE(out.rows == in.rows + sums.size());
  CHECK(std::vector<float>(out.x.begin(), out.x.begin() + in.x.size()) == in.x);
  CHECK(std::vector<int>(out.y.begin(), out.y.begin() + in.rows) == in.y);
  std::vector<std::size_t> counts(c.at("y_counts").size(), 0);
  for (std::size_t i = in.rows; i < out.rows; ++i) ++counts.at(out.y[i]);
  CHECK(counts == c.at("y_counts").get<std::vector<std::size_t>>());
  std::size_t wrong = 0;
  for (std::size_t s = 0; s < sums.size(); ++s) {
    double sum = 0.0;
    for (std::size_t f = 0; f < in.cols(); ++f) sum += out.row(in.rows + s)[f];
    if (std::abs(sum - sums[s]) > 2e-3) ++wrong;
  }
  CHECK(wrong == 0);
  for (const auto& row : c.at("sampled_rows")) {
    const std::size_t s = row.at(0);
    const auto values = row.get<std::vector<double>>();
    INFO("appended row " << s);
    CHECK(same_row(out.row(in.rows + s), std::vector<double>(values.begin() + 1, values.end())));
  }
}

/// How far `s` is from the segment [a, b], and where along it (0 at a, 1 at b) it is nearest.
inline std::pair<double, double> segment_distance(const float* s, const float* a, const float* b, std::size_t d) {
  double ab = 0.0, as = 0.0;
  for (std::size_t f = 0; f < d; ++f) {
    ab += (double(b[f]) - a[f]) * (double(b[f]) - a[f]);
    as += (double(s[f]) - a[f]) * (double(b[f]) - a[f]);
  }
  const double u = ab > 0 ? as / ab : 0.0;
  double off = 0.0;
  for (std::size_t f = 0; f < d; ++f) {
    const double p = a[f] + u * (double(b[f]) - a[f]);
    off = std::max(off, std::abs(s[f] - p));
  }
  return {off, u};
}

/// The rows of `t` of class `label` (table rows), and for each its k nearest same-class
/// rows by a plain exact search (table rows).
inline std::vector<std::vector<std::size_t>> class_neighbours(const pipeml::Table& t, int label, std::size_t k,
                                                              std::vector<std::size_t>& rows) {
  rows.clear();
  for (std::size_t i = 0; i < t.rows; ++i)
    if (t.y[i] == label) rows.push_back(i);
  std::vector<std::vector<std::size_t>> nn;
  for (auto i : rows) {
    std::vector<std::pair<double, std::size_t>> all;
    for (auto j : rows) {
      if (j == i) continue;
      double s = 0.0;
      for (std::size_t f = 0; f < t.cols(); ++f) s += (double(t.row(i)[f]) - t.row(j)[f]) * (double(t.row(i)[f]) - t.row(j)[f]);
      all.emplace_back(s, j);
    }
    std::sort(all.begin(), all.end());
    std::vector<std::size_t> near;
    for (std::size_t m = 0; m < k && m < all.size(); ++m) near.push_back(all[m].second);
    nn.push_back(near);
  }
  return nn;
}

/// How many rows of `out` from `first` on do not lie on a segment between a row of `in` of
/// their class and one of its k nearest same-class rows (within float tolerance), looking
/// at the columns in `cols` only (all when empty).
inline std::size_t off_segment_rows(const pipeml::Table& in, const pipeml::Table& out, std::size_t first, std::size_t k,
                                    const std::vector<std::size_t>& cols = {}) {
  std::vector<std::size_t> use = cols;
  if (use.empty())
    for (std::size_t f = 0; f < in.cols(); ++f) use.push_back(f);
  auto pick = [&](const float* r) {
    std::vector<float> v;
    for (auto f : use) v.push_back(r[f]);
    return v;
  };
  std::map<int, std::pair<std::vector<std::size_t>, std::vector<std::vector<std::size_t>>>> by_class;
  std::size_t off = 0;
  for (std::size_t r = first; r < out.rows; ++r) {
    auto it = by_class.find(out.y[r]);
    if (it == by_class.end()) {
      std::vector<std::size_t> rows;
      auto nn = class_neighbours(in, out.y[r], k, rows);
      it = by_class.emplace(out.y[r], std::make_pair(rows, nn)).first;
    }
    const auto s = pick(out.row(r));
    bool found = false;
    for (std::size_t q = 0; q < it->second.first.size() && !found; ++q) {
      const auto a = pick(in.row(it->second.first[q]));
      for (auto j : it->second.second[q]) {
        const auto b = pick(in.row(j));
        const auto [dist, u] = segment_distance(s.data(), a.data(), b.data(), use.size());
        if (dist < 1e-5 && u > -1e-6 && u < 1 + 1e-6) {
          found = true;
          break;
        }
      }
    }
    off += !found;
  }
  return off;
}


}  // namespace pipetest
