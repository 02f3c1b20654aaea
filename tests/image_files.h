// PNG and JPEG files written by the tests themselves, with libpng and libjpeg (the libraries
// load_images reads them with), so that the tests need no image data in the repository.
#pragma once
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <png.h>

namespace pipetest {

/// Writes a PNG of `color_type` (PNG_COLOR_TYPE_GRAY, _RGB, _RGBA, _PALETTE, ...) and
/// `bit_depth`; `rows` holds the rows' bytes as the format stores them (16-bit samples
/// big-endian), height rows of equal size. `palette`: RGB triples for a palette image.
inline void write_png(const std::string& path, int width, int height, int color_type, int bit_depth,
                      const std::vector<std::uint8_t>& rows, bool interlaced = false,
                      const std::vector<std::uint8_t>& palette = {}) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_set_IHDR(png, info, width, height, bit_depth, color_type, interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  std::vector<png_color> colors;
  for (std::size_t i = 0; i + 2 < palette.size(); i += 3) colors.push_back({palette[i], palette[i + 1], palette[i + 2]});
  if (!colors.empty()) png_set_PLTE(png, info, colors.data(), static_cast<int>(colors.size()));
  png_write_info(png, info);
  const std::size_t stride = rows.size() / static_cast<std::size_t>(height);
  std::vector<png_bytep> pointers;
  for (int y = 0; y < height; ++y) pointers.push_back(const_cast<png_bytep>(rows.data() + y * stride));
  png_write_image(png, pointers.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(f);
}

/// An 8-bit PNG of `samples` interleaved samples per pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
inline void write_png(const std::string& path, int width, int height, int samples, const std::vector<std::uint8_t>& pixels) {
  const int types[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  write_png(path, width, height, types[samples - 1], 8, pixels);
}

/// A baseline JPEG of 1 (grayscale) or 3 (RGB) interleaved samples per pixel.
inline void write_jpeg(const std::string& path, int width, int height, int samples, const std::vector<std::uint8_t>& pixels,
                       int quality = 100) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, f);
  c.image_width = width;
  c.image_height = height;
  c.input_components = samples;
  c.in_color_space = samples == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(pixels.data() + c.next_scanline * width * samples);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::fclose(f);
}

/// Pixel (c, y, x) of image i in a test's pattern: different in every channel, row, column and image.
inline std::uint8_t pattern(int i, int c, int y, int x) { return static_cast<std::uint8_t>(17 * i + 60 * c + 9 * y + 2 * x); }

/// Image i of the pattern, interleaved (as PNG stores it): `samples` per pixel.
inline std::vector<std::uint8_t> pattern_pixels(int i, int width, int height, int samples) {
  std::vector<std::uint8_t> v;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < samples; ++c) v.push_back(pattern(i, c, y, x));
  return v;
}

/// A flat colour, interleaved: JPEG keeps it nearly exactly (every 8x8 block is one DC value).
inline std::vector<std::uint8_t> flat_pixels(int width, int height, std::vector<std::uint8_t> color) {
  std::vector<std::uint8_t> v;
  for (int p = 0; p < width * height; ++p) v.insert(v.end(), color.begin(), color.end());
  return v;
}

}  // namespace pipetest
