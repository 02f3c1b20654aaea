#include "runtime/report/html_parts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace pipeml::report::html {
namespace {

std::string base64(const std::string& bytes) {
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    unsigned v = 0;
    for (std::size_t k = 0; k < 3; ++k) v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kDigits[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

}  // namespace

using nlohmann::json;

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(const json& v) {
  if (v.is_null()) return "–";
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isnan(d)) return "nan";
    return std::abs(d) >= 1e5 || (d != 0 && std::abs(d) < 1e-3) ? fmt::format("{:.4g}", d) : fmt::format("{:.4f}", d);
  }
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string param_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "none";
  if (v.is_number_float()) return fmt::format("{:g}", v.get<double>());
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + param_text(v[i]);
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, x] : v.items()) {
      out += (first ? "" : ", ") + k + ": " + param_text(x);
      first = false;
    }
    return out + "}";
  }
  return v.dump();
}

std::string note(const std::string& text) { return "<p class=\"note\">" + esc(text) + "</p>\n"; }

const char* const kNoCairo = "charts are not drawn: this pipe was built without cairo (cmake -DPIPE_CAIRO=OFF)";

std::string fold_name(const TrainingFiles& t) { return t.fold ? fmt::format("fold {}", t.fold) : std::string(); }

void Figures::add(const std::string& png, int width, int height, const std::string& alt, const std::string& caption) {
  html_ += fmt::format("<figure><img class=\"plot\" width=\"{}\" height=\"{}\" alt=\"{}\" src=\"data:image/png;base64,{}\">",
                       width, height, esc(alt), base64(png));
  if (!caption.empty()) html_ += "<figcaption>" + esc(caption) + "</figcaption>";
  html_ += "</figure>\n";
}

void Figures::line(const LineChart& c, const std::string& caption) { add(line_chart_png(c), c.width, c.height, c.title, caption); }

std::string Figures::html() const { return html_.empty() ? "" : "<div class=\"figures\">\n" + html_ + "</div>\n"; }

}  // namespace pipeml::report::html
