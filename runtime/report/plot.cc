#include "runtime/report/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#ifdef PIPE_HAVE_CAIRO
#include <cairo.h>
#endif

namespace pipeml::report {

Rgb series_colour(std::size_t i) {
  static const Rgb kTab10[] = {{0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
                               {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                               {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
                               {0.090, 0.745, 0.812}};
  return kTab10[i % 10];
}

Rgb heat_colour(double fraction) {
  // matplotlib's Blues at 0, 0.5 and 1 (#f7fbff, #6baed6, #08306b), linear between them.
  static const Rgb kStops[] = {{247 / 255.0, 251 / 255.0, 1.0}, {107 / 255.0, 174 / 255.0, 214 / 255.0},
                               {8 / 255.0, 48 / 255.0, 107 / 255.0}};
  const double f = std::clamp(std::isnan(fraction) ? 0.0 : fraction, 0.0, 1.0);
  const int i = f < 0.5 ? 0 : 1;
  const double t = (f - 0.5 * i) / 0.5;
  Rgb out;
  for (int k = 0; k < 3; ++k) out[k] = kStops[i][k] + t * (kStops[i + 1][k] - kStops[i][k]);
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target, bool integers) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {  // one value: a range around it
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target - 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power * 10;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  if (integers) step = std::max(1.0, std::ceil(step));
  const double first = std::floor(lo / step + 1e-9) * step, last = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (int i = 0; first + i * step <= last + step * 1e-6; ++i) {
    const double v = first + i * step;
    ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);  // no "-0"
  }
  return ticks;
}

HeatMapLayout heat_map_layout(const HeatMap& map) {
  // Room for the title above, the class names and axis labels at the left and below.
  constexpr double kLeft = 92, kTop = 40, kRight = 16, kBottom = 64;
  const std::size_t rows = std::max<std::size_t>(1, map.row_labels.size()), cols = std::max<std::size_t>(1, map.col_labels.size());
  HeatMapLayout l;
  l.cell = std::min((map.width - kLeft - kRight) / cols, (map.height - kTop - kBottom) / rows);
  l.left = kLeft + ((map.width - kLeft - kRight) - l.cell * cols) / 2;
  l.top = kTop;
  return l;
}

#ifndef PIPE_HAVE_CAIRO

bool plots_available() { return false; }
std::string line_chart_png(const LineChart&) { throw std::runtime_error("pipe was built without cairo"); }
std::string heat_map_png(const HeatMap&) { throw std::runtime_error("pipe was built without cairo"); }
std::string error_bar_chart_png(const ErrorBarChart&) { throw std::runtime_error("pipe was built without cairo"); }

#else

bool plots_available() { return true; }

namespace {

constexpr const char* kFont = "DejaVu Sans";
const Rgb kInk{0.15, 0.15, 0.18}, kGrid{0.90, 0.90, 0.92}, kAxis{0.55, 0.55, 0.58};

void set_colour(cairo_t* cr, const Rgb& c, double alpha = 1) { cairo_set_source_rgba(cr, c[0], c[1], c[2], alpha); }

void font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  return e.x_advance;
}

// Text anchored at (x, y): `ax` 0 left, 0.5 centre, 1 right; `ay` 0 the baseline, 0.5 the
// middle of capital letters (labels centre on tick marks), 1 their top.
void text(cairo_t* cr, const std::string& s, double x, double y, double ax, double ay) {
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  const double cap = fe.ascent * 0.72;
  cairo_move_to(cr, x - ax * text_width(cr, s), y + ay * cap);
  cairo_show_text(cr, s.c_str());
}

// `s` shortened with an ellipsis to at most `width` (a long class name under a narrow cell).
std::string fit(cairo_t* cr, const std::string& s, double width) {
  if (text_width(cr, s) <= width) return s;
  std::string t = s;
  while (!t.empty() && text_width(cr, t + "\u2026") > width) {
    t.pop_back();
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80) t.pop_back();  // whole UTF-8 characters
    if (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0xC0) t.pop_back();
  }
  return t + "\u2026";
}

void vertical_text(cairo_t* cr, const std::string& s, double x, double y) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -M_PI / 2);
  text(cr, s, 0, 0, 0.5, 0);
  cairo_restore(cr);
}

std::string tick_text(double v, double step) {
  // As many decimals as the step needs: 0, 0.2, 0.25; large values without exponent noise.
  int decimals = 0;
  while (decimals < 6 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  if (std::abs(v) >= 1e5 || (v != 0 && std::abs(v) < 1e-4)) return fmt::format("{:.2g}", v);
  return fmt::format("{:.{}f}", v, decimals);
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// A white canvas of width x height CSS pixels at `scale`; `draw` paints it; the PNG bytes.
template <typename Draw>
std::string render_png(int width, int height, int scale, Draw draw) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width * scale, height * scale);
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, scale, scale);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  draw(cr);
  std::string png;
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_write_to_png_stream(surface, append_bytes, &png);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(status));
  return png;
}

struct Range {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
  bool log = false;  ///< positions by log10 of the value
  /// Where v lies between lo (0) and hi (1).
  double at(double v) const {
    return log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
  }
};

// A decade per tick (1, 2 and 5 times each when they span two decades or fewer).
Range log_range(double lo, double hi) {
  Range r;
  r.log = true;
  const int first = static_cast<int>(std::floor(std::log10(lo))), last = static_cast<int>(std::ceil(std::log10(hi)));
  r.lo = std::pow(10.0, first);
  r.hi = std::pow(10.0, last);
  for (int e = first; e <= last; ++e)
    for (double m : {1.0, 2.0, 5.0})
      if ((m == 1 || last - first <= 2) && m * std::pow(10.0, e) <= r.hi) r.ticks.push_back(m * std::pow(10.0, e));
  return r;
}

Range data_range(const std::vector<const std::vector<double>*>& columns, bool integers, double extra = NAN) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* col : columns)
    for (double v : *col)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (std::isfinite(extra)) {
    lo = std::min(lo, extra);
    hi = std::max(hi, extra);
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  Range r;
  r.ticks = nice_ticks(lo, hi, 6, integers);
  r.lo = r.ticks.front();
  r.hi = r.ticks.back();
  return r;
}

Range fixed_range(double lo, double hi) {
  Range r{lo, hi, {}};
  for (double t : nice_ticks(lo, hi, 6))
    if (t >= lo - 1e-9 && t <= hi + 1e-9) r.ticks.push_back(t);
  return r;
}

constexpr double kLegendRow = 16, kSwatch = 22, kLegendPad = 7, kLegendFont = 10.5;

std::vector<const Series*> legend_entries(const LineChart& c) {
  std::vector<const Series*> listed;
  for (const auto& s : c.series)
    if (!s.name.empty()) listed.push_back(&s);
  return listed;
}

double entry_width(cairo_t* cr, const Series& s) { return kSwatch + 6 + text_width(cr, s.name) + 18; }

// A legend below the plot: entries left to right, wrapping at `width`. Returns its rows.
int legend_rows_below(cairo_t* cr, const LineChart& c, double width) {
  font(cr, kLegendFont);
  int rows = 0;
  double x = width;
  for (const Series* s : legend_entries(c)) {
    const double w = entry_width(cr, *s);
    if (x + w > width) ++rows, x = 0;
    x += w;
  }
  return rows;
}

void swatch(cairo_t* cr, const Series& s, double x, double cy) {
  set_colour(cr, series_colour(s.colour));
  if (s.points) {
    cairo_arc(cr, x + kSwatch / 2, cy, 3, 0, 2 * M_PI);
    cairo_fill(cr);
    return;
  }
  const double dash[] = {5, 3};
  cairo_set_dash(cr, dash, s.dashed ? 2 : 0, 0);
  cairo_set_line_width(cr, 2);
  cairo_move_to(cr, x, cy);
  cairo_line_to(cr, x + kSwatch, cy);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
}

void draw_legend(cairo_t* cr, const LineChart& c, double px0, double py0, double px1, double py1, double below_y) {
  const std::vector<const Series*> listed = legend_entries(c);
  if (listed.empty()) return;
  font(cr, kLegendFont);
  if (c.legend == Corner::kBelow) {
    double x = px1, y = below_y - kLegendRow;
    for (const Series* s : listed) {
      const double w = entry_width(cr, *s);
      if (x + w > px1) x = px0, y += kLegendRow;
      swatch(cr, *s, x, y);
      set_colour(cr, kInk);
      text(cr, s->name, x + kSwatch + 6, y, 0, 0.5);
      x += w;
    }
    return;
  }
  double w = 0;
  for (const auto* s : listed) w = std::max(w, text_width(cr, s->name));
  const double bw = kLegendPad * 2 + kSwatch + 6 + w, bh = kLegendPad * 2 + kLegendRow * listed.size() - 4;
  const bool right = c.legend == Corner::kTopRight || c.legend == Corner::kBottomRight;
  const bool top = c.legend == Corner::kTopRight || c.legend == Corner::kTopLeft;
  const double x = right ? px1 - bw - 8 : px0 + 8, y = top ? py0 + 8 : py1 - bh - 8;
  cairo_rectangle(cr, x, y, bw, bh);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
  cairo_fill_preserve(cr);
  set_colour(cr, kGrid);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const double cy = y + kLegendPad + 6 + i * kLegendRow;
    swatch(cr, *listed[i], x + kLegendPad, cy);
    set_colour(cr, kInk);
    text(cr, listed[i]->name, x + kLegendPad + kSwatch + 6, cy, 0, 0.5);
  }
}

}  // namespace

std::string line_chart_png(const LineChart& c) {
  return render_png(c.width, c.height, c.scale, [&](cairo_t* cr) {
    std::vector<const std::vector<double>*> xs, ys;
    for (const auto& s : c.series) {
      xs.push_back(&s.x);
      ys.push_back(&s.y);
    }
    const double marker = c.marker_label.empty() ? NAN : c.marker_x;
    Range rx, ry;
    if (c.fixed_range) {
      rx = fixed_range(c.x_min, c.x_max);
      ry = fixed_range(c.y_min, c.y_max);
    } else if (c.same_xy_range) {
      std::vector<const std::vector<double>*> both = xs;
      both.insert(both.end(), ys.begin(), ys.end());
      rx = ry = data_range(both, false);
    } else {
      rx = data_range(xs, c.integer_x, marker);
      ry = data_range(ys, false);
      double lo = INFINITY, hi = 0;
      for (const auto* col : ys)
        for (double v : *col)
          if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      if (c.log_y_when_wide && lo > 0 && hi / lo > 50) ry = log_range(lo, hi);
    }

    // The plot area: room for the title, the y tick labels and both axis labels.
    font(cr, 10.5);
    double label_w = 0;
    auto y_tick_text = [&](double t) {
      return ry.log ? fmt::format("{:g}", t) : tick_text(t, ry.ticks.size() > 1 ? ry.ticks[1] - ry.ticks[0] : 1);
    };
    for (double t : ry.ticks) label_w = std::max(label_w, text_width(cr, y_tick_text(t)));
    const double px0 = 30 + label_w + 8, px1 = c.width - 18, py0 = 38;
    const int legend_rows = c.legend == Corner::kBelow ? legend_rows_below(cr, c, px1 - px0) : 0;
    const double py1 = c.height - 46 - legend_rows * kLegendRow;
    auto X = [&](double v) { return px0 + rx.at(v) * (px1 - px0); };
    auto Y = [&](double v) { return py1 - ry.at(v) * (py1 - py0); };

    // Grid and ticks.
    cairo_set_line_width(cr, 1);
    const double xstep = rx.ticks.size() > 1 ? rx.ticks[1] - rx.ticks[0] : 1;
    for (double t : rx.ticks) {
      set_colour(cr, kGrid);
      cairo_move_to(cr, std::round(X(t)) + 0.5, py0);
      cairo_line_to(cr, std::round(X(t)) + 0.5, py1);
      cairo_stroke(cr);
      set_colour(cr, kInk);
      text(cr, tick_text(t, xstep), X(t), py1 + 7, 0.5, 1);
    }
    for (double t : ry.ticks) {
      set_colour(cr, kGrid);
      cairo_move_to(cr, px0, std::round(Y(t)) + 0.5);
      cairo_line_to(cr, px1, std::round(Y(t)) + 0.5);
      cairo_stroke(cr);
      set_colour(cr, kInk);
      text(cr, y_tick_text(t), px0 - 6, Y(t), 1, 0.5);
    }
    set_colour(cr, kAxis);
    cairo_rectangle(cr, px0 + 0.5, py0 + 0.5, px1 - px0, py1 - py0);
    cairo_stroke(cr);

    // Titles.
    set_colour(cr, kInk);
    font(cr, 13, true);
    text(cr, c.title, (px0 + px1) / 2, 14, 0.5, 1);
    font(cr, 11.5);
    text(cr, c.x_label, (px0 + px1) / 2, py1 + 34, 0.5, 0);
    vertical_text(cr, c.y_label, 16, (py0 + py1) / 2);

    // The data, clipped to the plot area.
    cairo_save(cr);
    cairo_rectangle(cr, px0, py0, px1 - px0, py1 - py0);
    cairo_clip(cr);
    const double dash[] = {5, 3}, dots[] = {2, 3};
    if (c.identity) {
      const double lo = std::max(rx.lo, ry.lo), hi = std::min(rx.hi, ry.hi);
      set_colour(cr, kAxis);
      cairo_set_dash(cr, dash, 2, 0);
      cairo_set_line_width(cr, 1.2);
      cairo_move_to(cr, X(lo), Y(lo));
      cairo_line_to(cr, X(hi), Y(hi));
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    if (std::isfinite(marker)) {
      set_colour(cr, kAxis);
      cairo_set_dash(cr, dots, 2, 0);
      cairo_move_to(cr, X(marker), py0);
      cairo_line_to(cr, X(marker), py1);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
      font(cr, 10);
      text(cr, c.marker_label, X(marker) + 4, py0 + 4, 0, 1);
    }
    for (const auto& s : c.series) {
      set_colour(cr, series_colour(s.colour), s.points ? 0.7 : 1);
      const std::size_t n = std::min(s.x.size(), s.y.size());
      if (s.points) {
        for (std::size_t i = 0; i < n; ++i)
          if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
            cairo_arc(cr, X(s.x[i]), Y(s.y[i]), 2.6, 0, 2 * M_PI);
            cairo_fill(cr);
          }
        continue;
      }
      cairo_set_line_width(cr, 2);
      cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_dash(cr, dash, s.dashed ? 2 : 0, 0);
      bool pen_down = false;
      double last_y = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {  // a gap (an epoch without validation)
          pen_down = false;
          continue;
        }
        if (!pen_down) cairo_move_to(cr, X(s.x[i]), Y(s.y[i]));
        else {
          if (s.steps) cairo_line_to(cr, X(s.x[i]), Y(last_y));
          cairo_line_to(cr, X(s.x[i]), Y(s.y[i]));
        }
        pen_down = true;
        last_y = s.y[i];
      }
      cairo_stroke(cr);
      if (s.markers)
        for (std::size_t i = 0; i < n; ++i)
          if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
            cairo_arc(cr, X(s.x[i]), Y(s.y[i]), 2.4, 0, 2 * M_PI);
            cairo_fill(cr);
          }
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    cairo_restore(cr);
    draw_legend(cr, c, px0, py0, px1, py1, py1 + 44 + kLegendRow / 2);
  });
}

std::string heat_map_png(const HeatMap& m) {
  return render_png(m.width, m.height, m.scale, [&](cairo_t* cr) {
    const HeatMapLayout l = heat_map_layout(m);
    const std::size_t rows = m.row_labels.size(), cols = m.col_labels.size();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& row : m.values)
      for (double v : row) lo = std::min(lo, v), hi = std::max(hi, v);
    const double font_size = std::clamp(l.cell * 0.28, 8.0, 15.0);
    for (std::size_t r = 0; r < rows && r < m.values.size(); ++r)
      for (std::size_t c = 0; c < cols && c < m.values[r].size(); ++c) {
        const double v = m.values[r][c];
        const double f = hi > lo ? (v - lo) / (hi - lo) : 0;
        const double x = l.left + c * l.cell, y = l.top + r * l.cell;
        set_colour(cr, heat_colour(f));
        cairo_rectangle(cr, x, y, l.cell, l.cell);
        cairo_fill(cr);
        // Dark text on light cells, white on dark ones (the colour map's midpoint).
        if (f > 0.5) cairo_set_source_rgb(cr, 1, 1, 1);
        else set_colour(cr, kInk);
        font(cr, font_size, true);
        text(cr, fmt::format("{:g}", v), x + l.cell / 2, y + l.cell / 2, 0.5, 0.5);
      }
    set_colour(cr, kAxis);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, l.left + 0.5, l.top + 0.5, l.cell * cols, l.cell * rows);
    cairo_stroke(cr);

    set_colour(cr, kInk);
    font(cr, std::clamp(l.cell * 0.22, 8.0, 11.5));
    for (std::size_t r = 0; r < rows; ++r)
      text(cr, fit(cr, m.row_labels[r], l.left - 34), l.left - 6, l.top + (r + 0.5) * l.cell, 1, 0.5);
    for (std::size_t c = 0; c < cols; ++c)
      text(cr, fit(cr, m.col_labels[c], l.cell - 4), l.left + (c + 0.5) * l.cell, l.top + rows * l.cell + 7, 0.5, 1);
    font(cr, 13, true);
    text(cr, m.title, m.width / 2.0, 14, 0.5, 1);
    font(cr, 11.5);
    text(cr, m.x_label, l.left + cols * l.cell / 2, l.top + rows * l.cell + 36, 0.5, 0.5);
    vertical_text(cr, m.y_label, 18, l.top + rows * l.cell / 2);
  });
}

std::string error_bar_chart_png(const ErrorBarChart& c) {
  constexpr double kRow = 26;
  const int height = static_cast<int>(38 + 46 + kRow * std::max<std::size_t>(1, c.labels.size()));
  return render_png(c.width, height, c.scale, [&](cairo_t* cr) {
    std::vector<double> ends;
    for (std::size_t i = 0; i < c.mean.size(); ++i) {
      ends.push_back(c.mean[i] - c.std[i]);
      ends.push_back(c.mean[i] + c.std[i]);
    }
    std::vector<const std::vector<double>*> columns = {&ends};
    for (const auto& v : c.values) columns.push_back(&v);
    const Range rx = data_range(columns, false);
    font(cr, 10.5, true);  // the best row's label is bold: measure them all so
    double label_w = 0;
    for (const auto& l : c.labels) label_w = std::max(label_w, text_width(cr, l));
    const double px0 = 18 + std::min(label_w, c.width * 0.4) + 10, px1 = c.width - 18, py0 = 38, py1 = height - 46.0;
    auto X = [&](double v) { return px0 + rx.at(v) * (px1 - px0); };
    auto Y = [&](std::size_t row) { return py0 + kRow * (row + 0.5); };
    set_colour(cr, kInk);
    font(cr, 13, true);
    text(cr, c.title, c.width / 2.0, 22, 0.5, 0);
    font(cr, 10.5);
    const double step = rx.ticks.size() > 1 ? rx.ticks[1] - rx.ticks[0] : 1;
    cairo_set_line_width(cr, 1);
    for (double t : rx.ticks) {  // vertical grid lines with their values below
      set_colour(cr, kGrid);
      cairo_move_to(cr, X(t), py0);
      cairo_line_to(cr, X(t), py1);
      cairo_stroke(cr);
      set_colour(cr, kInk);
      text(cr, tick_text(t, step), X(t), py1 + 14, 0.5, 0.5);
    }
    text(cr, c.x_label, (px0 + px1) / 2, py1 + 34, 0.5, 0.5);
    set_colour(cr, kAxis);
    cairo_rectangle(cr, px0, py0, px1 - px0, py1 - py0);
    cairo_stroke(cr);
    for (std::size_t i = 0; i < c.labels.size(); ++i) {
      const Rgb colour = series_colour(static_cast<int>(i) == c.highlight ? 1 : 0);
      set_colour(cr, kInk);
      font(cr, 10.5, static_cast<int>(i) == c.highlight);
      text(cr, fit(cr, c.labels[i], px0 - 28), px0 - 10, Y(i), 1, 0.5);
      if (i < c.values.size())
        for (double v : c.values[i]) {
          set_colour(cr, colour, 0.3);
          cairo_arc(cr, X(v), Y(i), 2.5, 0, 2 * M_PI);
          cairo_fill(cr);
        }
      if (i >= c.mean.size() || !std::isfinite(c.mean[i])) continue;
      set_colour(cr, colour);
      cairo_set_line_width(cr, 2);
      const double lo = X(c.mean[i] - c.std[i]), hi = X(c.mean[i] + c.std[i]);
      cairo_move_to(cr, lo, Y(i));
      cairo_line_to(cr, hi, Y(i));
      for (double x : {lo, hi}) {  // the caps
        cairo_move_to(cr, x, Y(i) - 5);
        cairo_line_to(cr, x, Y(i) + 5);
      }
      cairo_stroke(cr);
      cairo_arc(cr, X(c.mean[i]), Y(i), 4.5, 0, 2 * M_PI);
      cairo_fill(cr);
    }
  });
}

#endif  // PIPE_HAVE_CAIRO

}  // namespace pipeml::report
