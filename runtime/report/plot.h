// The report's charts, drawn with cairo into PNG bytes: a line chart (learning curves,
// ROC and precision-recall curves, a predicted-vs-true scatter) and a heat map (the
// confusion matrix). Plain C++ and cairo: no LibTorch, so `pipe report` starts at once.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace pipeml::report {

using Rgb = std::array<double, 3>;  ///< red, green, blue in [0, 1]

/// The i-th colour of the palette series are drawn in (matplotlib's tab10), cycling.
Rgb series_colour(std::size_t i);

/// One line (or cloud of points) of a line chart.
struct Series {
  std::string name;  ///< in the legend; empty: not listed there
  std::vector<double> x, y;
  std::size_t colour = 0;  ///< index into series_colour
  bool dashed = false;     ///< e.g. the training side beside a solid validation line
  bool steps = false;      ///< matplotlib's drawstyle "steps-post" (precision-recall curves)
  bool points = false;     ///< dots only, no line (a scatter)
  bool markers = false;    ///< a dot on each point of the line too (a few epochs)
};

/// Where the legend goes: a corner inside the plot area, or in rows below it (for many
/// series, or curves that fill every corner).
enum class Corner { kTopRight, kTopLeft, kBottomRight, kBottomLeft, kBelow };

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  /// Fixed axis ranges (ROC and PR curves live in [0, 1]); otherwise from the data,
  /// widened to round tick values.
  bool fixed_range = false;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  bool integer_x = false;   ///< epochs: whole-number ticks only
  /// A logarithmic y axis when every value is positive and they span more than 50 times
  /// (a regression's squared-error loss, which falls by orders of magnitude).
  bool log_y_when_wide = false;
  bool identity = false;    ///< a dashed grey y = x line: ROC's chance line, a perfect regression
  bool same_xy_range = false;  ///< x and y share one range (predicted vs true)
  double marker_x = 0;      ///< a dotted vertical line here (the best epoch) when marker_label is set
  std::string marker_label;
  Corner legend = Corner::kTopRight;
  int width = 480, height = 340;  ///< CSS pixels; the PNG has scale times as many
  int scale = 2;                  ///< sharp on high-density screens
};

struct HeatMap {
  std::string title, x_label, y_label;
  std::vector<std::string> row_labels, col_labels;
  std::vector<std::vector<double>> values;  ///< values[row][col]; each cell prints its value
  int width = 420, height = 380;
  int scale = 2;
};

/// A sweep's result: one row per variant, its mean as a dot with a bar of ± one standard
/// deviation, each seed's value as a faint dot; rows listed top to bottom.
struct ErrorBarChart {
  std::string title, x_label;
  std::vector<std::string> labels;
  std::vector<double> mean, std;
  std::vector<std::vector<double>> values;  ///< [row][seed]
  int highlight = -1;                       ///< the row drawn in the second colour (the best)
  int width = 560;                          ///< CSS pixels; the height follows the rows
  int scale = 2;
};

/// Where a heat map's cells are, in CSS pixels: cell (r, c) spans
/// [left + c * cell, left + (c + 1) * cell) x [top + r * cell, top + (r + 1) * cell).
struct HeatMapLayout {
  double left = 0, top = 0, cell = 0;
};
HeatMapLayout heat_map_layout(const HeatMap& map);

/// A cell's colour: `fraction` 0 (the smallest value) is near white, 1 (the largest) dark
/// blue, as matplotlib's "Blues" colour map that scikit-learn's ConfusionMatrixDisplay uses.
Rgb heat_colour(double fraction);

/// False when pipe was built without cairo (-DPIPE_CAIRO=OFF): the functions below throw.
bool plots_available();

/// The chart as PNG bytes. Throws std::runtime_error if cairo fails.
std::string line_chart_png(const LineChart& chart);
std::string heat_map_png(const HeatMap& map);
std::string error_bar_chart_png(const ErrorBarChart& chart);

/// Round tick values covering [lo, hi] (about `target` of them), as matplotlib's
/// MaxNLocator picks steps of 1, 2, 2.5 or 5 times a power of ten.
std::vector<double> nice_ticks(double lo, double hi, int target = 5, bool integers = false);

}  // namespace pipeml::report
