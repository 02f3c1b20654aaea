// What the page's sections share (runtime/report/report_html.cc assembles them): HTML
// escaping, number formats, a note in place of a chart, a row of charts; and the sections,
// each made from the run directory's files alone.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/report/plot.h"
#include "runtime/report/run_artifacts.h"

namespace pipeml::report::html {

std::string esc(const std::string& s);
/// A metric's value: 4 decimals; whole numbers (rows, counts) as they are.
std::string number(const nlohmann::json& v);
/// A parameter's value as the YAML would say it: strings unquoted, lists and maps compact.
std::string param_text(const nlohmann::json& v);
/// What a page section says instead of a chart it cannot draw.
std::string note(const std::string& text);
/// "fold 3"; empty for a run without kfold.
std::string fold_name(const TrainingFiles& t);

extern const char* const kNoCairo;

/// The charts of one section, side by side: each an <img class="plot"> with its PNG inline.
class Figures {
 public:
  void add(const std::string& png, int width, int height, const std::string& alt, const std::string& caption = "");
  void line(const LineChart& c, const std::string& caption = "");
  std::string html() const;

 private:
  std::string html_;
};

// The sections, in the page's order; each "" when the run has nothing for it.
std::string metrics_section(const RunArtifacts& run);    // sections_tables.cc
std::string confusion_section(const RunArtifacts& run);  // sections_charts.cc
std::string predictions_section(const RunArtifacts& run);
std::string learning_section(const RunArtifacts& run);
std::string plan_section(const nlohmann::json& plan);    // sections_tables.cc

}  // namespace pipeml::report::html
