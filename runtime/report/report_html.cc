#include "runtime/report/report_html.h"

#include <fmt/format.h>

#include <regex>
#include <vector>

#include "runtime/artifacts.h"
#include "runtime/report/html_parts.h"
#include "runtime/user_error.h"

namespace pipeml::report {
namespace {

using nlohmann::json;
using namespace html;

const char* kStyle = R"(
:root { --ink: #26262e; --muted: #6b6b76; --line: #e3e3e8; --accent: #1f77b4; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 18px 32px 10px; }
header h1 { margin: 0; font-size: 22px; }
header .meta { margin: 4px 0 8px; }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; font-size: 13px; }
main { padding: 8px 32px 40px; max-width: 1200px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 20px 16px; margin-top: 18px; }
h2 { font-size: 17px; margin: 10px 0 8px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.meta, .note, figcaption, .stage-note, .section-name { color: var(--muted); }
.note { font-style: italic; }
.warning { color: #a3461a; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #cfcfd6; font-weight: 600; }
tbody th { font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.metrics td.num { min-width: 90px; }
table.plan td { font-size: 13px; }
.param { display: inline-block; background: #eef3f9; border-radius: 3px; padding: 0 5px; margin: 1px 2px 1px 0; }
.param.default { background: #f3f3f5; color: var(--muted); }
.section-name, .stage-note, .fold { font-size: 12px; }
.fold { color: var(--muted); margin-top: 2px; }
td.rows { white-space: nowrap; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 4px 0; }
figure img { display: block; border: 1px solid var(--line); border-radius: 4px; }
figcaption { font-size: 12px; margin-top: 4px; max-width: 480px; }
details { margin: 10px 0 6px; }
summary { cursor: pointer; color: var(--muted); }
)";

// Counts the charts that rendered (a broken PNG has no natural width), for the headless
// browser test and for anyone checking a page by script.
const char* kCheckScript = R"(
window.addEventListener('load', function () {
  var plots = document.querySelectorAll('img.plot'), rendered = 0;
  plots.forEach(function (img) { if (img.complete && img.naturalWidth > 0) rendered++; });
  document.body.setAttribute('data-plots', plots.length);
  document.body.setAttribute('data-plots-rendered', rendered);
});
)";

std::string header_html(const RunArtifacts& run) {
  const json& m = run.metrics;
  const std::string name = m.value("pipeline", run.plan.value("pipeline", json::object()).value("name", std::string("run")));
  std::vector<std::string> facts{"run directory " + run.dir};
  if (m.contains("device")) facts.push_back("device " + number(m["device"]));
  if (m.contains("torch_version")) facts.push_back("LibTorch " + number(m["torch_version"]));
  if (m.contains("seed")) facts.push_back("seed " + number(m["seed"]));
  if (run.cross_validated()) facts.push_back(fmt::format("{} folds", m["folds"].size()));
  else if (m.contains("train_rows")) facts.push_back(number(m["train_rows"]) + " training rows");
  const json seconds = m.value("seconds", json::object());
  if (seconds.contains("total")) facts.push_back(fmt::format("{:.1f} s", seconds["total"].get<double>()));
  std::string meta;
  for (std::size_t i = 0; i < facts.size(); ++i) meta += (i ? " · " : "") + esc(facts[i]);
  return fmt::format("<header><h1>{}</h1><p class=\"meta\">{}</p>\n", esc(name), meta);
}

// Links to the sections the page has, by their headings.
std::string nav_html(const std::string& sections) {
  std::string nav = "<nav>";
  const std::regex heading("<section id=\"([a-z]+)\"><h2>([^<]+)</h2>");
  for (auto it = std::sregex_iterator(sections.begin(), sections.end(), heading); it != std::sregex_iterator(); ++it)
    nav += fmt::format("<a href=\"#{}\">{}</a>", (*it)[1].str(), (*it)[2].str());
  return nav + "</nav></header>\n";
}

}  // namespace

std::string report_html(const RunArtifacts& run) {
  const std::string title = run.metrics.value("pipeline", std::string("run"));
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + esc(title) + " — pipe report</title>\n<style>" + kStyle + "</style>\n";
  h += "<script>" + std::string(kCheckScript) + "</script>\n</head>\n<body>\n";
  const std::string sections = metrics_section(run) + confusion_section(run) + predictions_section(run) +
                               learning_section(run) + plan_section(run.plan);
  h += header_html(run) + nav_html(sections) + "<main>\n" + sections + "</main>\n</body></html>\n";
  return h;
}

std::string write_report(const std::string& run_dir, const std::string& out) {
  std::string page;
  try {
    page = report_html(read_run(run_dir));
  } catch (const nlohmann::json::exception& e) {  // valid JSON, but not what pipe run writes
    throw UserError(fmt::format("'{}' holds a plan.json or metrics.json that pipe run did not write: {}", run_dir, e.what()));
  }
  const std::string path = out.empty() ? run_dir + "/report.html" : out;
  write_atomic(path, page);
  return path;
}

}  // namespace pipeml::report
