// The report's cairo charts: real PNG files of the promised size, heat-map cells in the
// colour of their value, round tick values.
#include <catch2/catch.hpp>

#ifdef PIPE_HAVE_CAIRO  // a build without cairo (-DPIPE_CAIRO=OFF) has no charts to test
#include <cairo.h>

#include <cstdint>
#include <cstring>

#include "runtime/report/plot.h"

using namespace pipeml::report;

namespace {

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);

struct Reader {
  const std::string* bytes;
  std::size_t at = 0;
};

cairo_status_t read_bytes(void* closure, unsigned char* data, unsigned int length) {
  auto* r = static_cast<Reader*>(closure);
  if (r->at + length > r->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, r->bytes->data() + r->at, length);
  r->at += length;
  return CAIRO_STATUS_SUCCESS;
}

// The PNG decoded back by cairo's own reader: its size, and a pixel's colour (0-255).
struct Decoded {
  int width = 0, height = 0;
  std::vector<std::uint32_t> argb;
  std::array<int, 3> rgb(int x, int y) const {
    const std::uint32_t p = argb[static_cast<std::size_t>(y) * width + x];
    return {static_cast<int>(p >> 16 & 255), static_cast<int>(p >> 8 & 255), static_cast<int>(p & 255)};
  }
};

Decoded decode(const std::string& png) {
  Reader r{&png};
  cairo_surface_t* s = cairo_image_surface_create_from_png_stream(read_bytes, &r);
  REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
  Decoded d;
  d.width = cairo_image_surface_get_width(s);
  d.height = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  for (int y = 0; y < d.height; ++y)
    for (int x = 0; x < d.width; ++x) {
      std::uint32_t p;
      std::memcpy(&p, data + static_cast<std::size_t>(y) * stride + x * 4, 4);
      d.argb.push_back(p);
    }
  cairo_surface_destroy(s);
  return d;
}

std::array<int, 3> bytes_of(const Rgb& c) {
  return {static_cast<int>(c[0] * 255 + 0.5), static_cast<int>(c[1] * 255 + 0.5), static_cast<int>(c[2] * 255 + 0.5)};
}

bool near(const std::array<int, 3>& a, const std::array<int, 3>& b) {
  for (int k = 0; k < 3; ++k)
    if (std::abs(a[k] - b[k]) > 1) return false;
  return true;
}

}  // namespace

TEST_CASE("tick values are round and cover the data", "[report]") {
  CHECK_THAT(nice_ticks(0, 1, 6), Catch::Matchers::Approx(std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  CHECK_THAT(nice_ticks(0.3, 0.72, 6), Catch::Matchers::Approx(std::vector<double>{0.3, 0.4, 0.5, 0.6, 0.7, 0.8}));
  CHECK(nice_ticks(1, 3, 6, true) == std::vector<double>{1, 2, 3});  // epochs: no 1.5
  CHECK(nice_ticks(1, 50, 6, true) == std::vector<double>{0, 10, 20, 30, 40, 50});
  CHECK(nice_ticks(-0.5, 0.5, 5) == std::vector<double>{-0.5, -0.25, 0, 0.25, 0.5});
  CHECK(nice_ticks(2, 2, 5).front() < 2);  // one value: a range around it
  CHECK(nice_ticks(2, 2, 5).back() > 2);
}

TEST_CASE("a line chart is a PNG of its size times its scale", "[report]") {
  REQUIRE(plots_available());
  LineChart c;
  c.title = "Loss";
  c.x_label = "epoch";
  c.y_label = "loss";
  c.integer_x = true;
  c.series.push_back({"train", {1, 2, 3}, {0.7, 0.5, 0.4}, 0, true});
  c.series.push_back({"validation", {1, 2, 3}, {0.72, 0.6, 0.55}, 1});
  c.width = 300;
  c.height = 200;
  c.scale = 2;
  const std::string png = line_chart_png(c);
  CHECK(png.compare(0, 8, kPngSignature) == 0);
  const Decoded d = decode(png);
  CHECK(d.width == 600);
  CHECK(d.height == 400);
  CHECK(d.rgb(1, 1) == std::array<int, 3>{255, 255, 255});  // the white background
  // The series' colours are on the canvas.
  int blue = 0, orange = 0;
  for (int y = 0; y < d.height; ++y)
    for (int x = 0; x < d.width; ++x) {
      blue += near(d.rgb(x, y), bytes_of(series_colour(0)));
      orange += near(d.rgb(x, y), bytes_of(series_colour(1)));
    }
  CHECK(blue > 50);
  CHECK(orange > 50);
}

TEST_CASE("a heat map colours each cell by its value", "[report]") {
  REQUIRE(plots_available());
  HeatMap m;
  m.title = "Confusion matrix";
  m.row_labels = m.col_labels = {"no", "yes"};
  m.values = {{30, 0}, {5, 10}};
  const std::string png = heat_map_png(m);
  CHECK(png.compare(0, 8, kPngSignature) == 0);
  const Decoded d = decode(png);
  REQUIRE(d.width == m.width * m.scale);
  REQUIRE(d.height == m.height * m.scale);
  const HeatMapLayout l = heat_map_layout(m);
  // A point near each cell's top-left corner, clear of the number printed in its middle.
  auto corner = [&](int r, int c) {
    return d.rgb(static_cast<int>((l.left + c * l.cell + 4) * m.scale), static_cast<int>((l.top + r * l.cell + 4) * m.scale));
  };
  CHECK(near(corner(0, 0), bytes_of(heat_colour(1.0))));  // 30, the largest: dark blue
  CHECK(near(corner(0, 1), bytes_of(heat_colour(0.0))));  // 0, the smallest: near white
  CHECK(near(corner(1, 0), bytes_of(heat_colour(5.0 / 30))));
  CHECK(near(corner(1, 1), bytes_of(heat_colour(10.0 / 30))));
  CHECK(corner(0, 0) == std::array<int, 3>{8, 48, 107});  // matplotlib's Blues at 1: #08306b
}

#endif  // PIPE_HAVE_CAIRO
