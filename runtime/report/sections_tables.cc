// The page's tables: the test metrics (every number and object metrics.json holds; mean ±
// std and each fold's value for kfold) and the plan (stages, parameters, rows after each,
// the layer table).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "runtime/report/html_parts.h"

namespace pipeml::report::html {
namespace {

using nlohmann::json;

// "train 242 = {0: 131, 1: 111}", as `pipe plan` prints a part.
std::string part_text(const json& part, const json& classes) {
  std::string out = fmt::format("{} {}", part.value("name", std::string("?")), part.value("rows", 0));
  const json counts = part.value("class_counts", json::array());
  if (counts.empty() || !classes.is_array() || classes.empty()) return out + " rows";
  out += " = {";
  for (std::size_t i = 0; i < counts.size(); ++i)
    out += fmt::format("{}{}: {}", i ? ", " : "", i < classes.size() ? classes[i].get<std::string>() : std::to_string(i), counts[i].dump());
  return out + "}";
}

std::string parts_html(const json& parts, const json& classes) {
  std::string out;
  for (const auto& p : parts) out += "<div>" + esc(part_text(p, classes)) + "</div>";
  return out;
}

// Keys that other sections show (the heat map) or that describe the part, not a score.
bool shown_elsewhere(const std::string& key) {
  return key == "confusion_matrix" || key == "classes" || key == "rows" || key == "threshold" || key == "average" ||
         key == "target";
}

// The evaluate stage's metrics first, in its order, then every other number by name.
std::vector<std::string> metric_order(const json& plan, const json& values) {
  std::vector<std::string> order;
  for (const auto& st : plan.value("stages", json::array()))
    if (st.value("op", std::string()) == "evaluate")
      for (const auto& m : st["params"].value("metrics", json::array()))
        if (values.contains(m.get<std::string>())) order.push_back(m.get<std::string>());
  for (const auto& [key, v] : values.items())
    if ((v.is_number() || v.is_null()) && !shown_elsewhere(key) && std::find(order.begin(), order.end(), key) == order.end())
      order.push_back(key);
  return order;
}

// `keys` with those of `first` that it holds in front, in first's order.
std::vector<std::string> ordered(const std::vector<std::string>& keys, const std::vector<std::string>& first) {
  std::vector<std::string> out;
  for (const auto& k : first)
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) out.push_back(k);
  for (const auto& k : keys)
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  return out;
}

// Any JSON value as HTML: a table for an object of objects (classification_report: a row
// per class, first in `first_rows`' order, with sklearn's columns first; a number among
// the rows, its "accuracy", sits under f1-score as sklearn prints it), a key/value table
// for an object, a list for an array. Numbers as metrics (4 decimals), or as settings
// (clip_grad_norm 1, l2 0.0001) when `settings`.
std::string json_html(const json& v, bool settings = false, const std::vector<std::string>& first_rows = {}) {
  if (v.is_object()) {
    std::size_t objects = 0;
    std::vector<std::string> columns, rows;
    for (const auto& [k, x] : v.items()) {
      rows.push_back(k);
      if (x.is_object()) ++objects;
      else if (x.is_structured()) objects = v.size() + 1;  // a list among the rows: no table of rows
      if (x.is_object())
        for (const auto& [c, y] : x.items())
          if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
    }
    std::string h = "<table class=\"generic\">";
    if (objects > 0 && objects <= v.size() && objects * 2 > v.size()) {
      columns = ordered(columns, {"precision", "recall", "f1-score", "support"});
      const auto f1 = std::find(columns.begin(), columns.end(), "f1-score");
      const std::string scalar_column = f1 != columns.end() ? *f1 : columns.front();
      h += "<thead><tr><th></th>";
      for (const auto& c : columns) h += "<th class=\"num\">" + esc(c) + "</th>";
      h += "</tr></thead><tbody>";
      for (const auto& k : ordered(rows, first_rows)) {
        const json& x = v[k];
        h += "<tr><th>" + esc(k) + "</th>";
        for (const auto& c : columns) {
          std::string cell;
          if (x.is_object() && x.contains(c)) cell = json_html(x[c], settings);
          else if (!x.is_object() && c == scalar_column) cell = json_html(x, settings);
          h += "<td class=\"num\">" + cell + "</td>";
        }
        h += "</tr>";
      }
      return h + "</tbody></table>";
    }
    h += "<tbody>";
    for (const auto& [k, x] : v.items()) h += "<tr><th>" + esc(k) + "</th><td>" + json_html(x, settings) + "</td></tr>";
    return h + "</tbody></table>";
  }
  if (v.is_array()) {
    bool scalars = true;
    for (const auto& x : v) scalars = scalars && !x.is_structured();
    if (scalars) {
      std::string out;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i == 12 && v.size() > 16) {
          out += fmt::format(", … ({} values)", v.size());
          break;
        }
        out += (i ? ", " : "") + esc(settings ? param_text(v[i]) : number(v[i]));
      }
      return out;
    }
    std::string out;
    for (const auto& x : v) out += "<div>" + json_html(x, settings) + "</div>";
    return out;
  }
  return esc(settings ? param_text(v) : number(v));
}

std::string objects_html(const json& test) {
  std::vector<std::string> classes;  // a classification_report's rows in the classes' order
  for (const auto& c : test.value("classes", json::array())) classes.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  std::string h;
  for (const auto& [key, v] : test.items())
    if (v.is_structured() && !shown_elsewhere(key)) h += "<h3>" + esc(key) + "</h3>\n" + json_html(v, false, classes) + "\n";
  return h;
}

std::string warnings_html(const json& warnings, const std::string& prefix = "") {
  std::string h;
  for (const auto& w : warnings) h += "<p class=\"warning\">warning: " + esc(prefix + w.get<std::string>()) + "</p>\n";
  return h;
}

std::string test_description(const json& test) {
  std::string d = fmt::format("{} test rows", number(test.value("rows", json())));
  if (test.contains("threshold")) d += ", threshold " + param_text(test["threshold"]);
  if (test.contains("average")) d += "; precision, recall and F1 are " + test["average"].get<std::string>() + " averages";
  if (test.contains("target")) d += ", target '" + test["target"].get<std::string>() + "'";
  return d;
}

}  // namespace

std::string plan_section(const json& plan) {
  std::string h = "<section id=\"plan\"><h2>Plan</h2>\n";
  const json classes = plan.value("classes", json::array());
  const json& pipeline = plan.value("pipeline", json::object());
  h += fmt::format("<p class=\"meta\">{} · seed {} · device {}</p>\n", esc(pipeline.value("file", std::string())),
                   number(pipeline.value("seed", json())), esc(pipeline.value("device", std::string())));
  h += "<table class=\"plan\"><thead><tr><th>stage</th><th>op</th><th>parameters</th><th>rows after it</th></tr></thead><tbody>\n";
  for (const auto& st : plan.value("stages", json::array())) {
    std::set<std::string> defaults;
    for (const auto& d : st.value("defaults", json::array())) defaults.insert(d.get<std::string>());
    std::string params;
    const json stage_params = st.value("params", json::object());  // items() must not outlive it
    for (const auto& [name, value] : stage_params.items()) {
      if (value.is_null() && defaults.count(name)) continue;  // an option left off
      params += fmt::format("<span class=\"param{}\">{}: {}</span> ", defaults.count(name) ? " default" : "", esc(name),
                            esc(param_text(value)));
    }
    // Nested stages (sequential_lr's schedulers, a model's layers): their ops in order;
    // the layer table below shows a model's in full.
    for (const char* nested : {"layers", "schedulers"}) {
      if (!st.contains(nested) || !st[nested].is_array()) continue;
      std::string ops;
      for (const auto& child : st[nested]) ops += (ops.empty() ? "" : ", ") + child.value("op", std::string("?"));
      params += fmt::format("<span class=\"param\">{}: {}</span> ", nested, esc(ops));
    }
    std::string rows;
    if (st.contains("folds") && st["folds"].is_array() && !st["folds"].empty() && st["folds"][0].contains("parts")) {
      for (const auto& f : st["folds"]) {
        std::string parts;
        for (const auto& p : f.value("parts", json::array())) parts += (parts.empty() ? "" : ", ") + part_text(p, classes);
        rows += fmt::format("<div><span class=\"fold\">fold {}</span> {}</div>", number(f.value("fold", json())), esc(parts));
      }
    } else {
      rows = parts_html(st.value("parts", json::array()), classes);
    }
    std::string notes;
    for (const auto& n : st.value("notes", json::array())) notes += "<div class=\"stage-note\">" + esc(n.get<std::string>()) + "</div>";
    h += fmt::format("<tr><td><b>{}</b><div class=\"section-name\">{}</div></td><td><code>{}</code></td><td>{}{}</td><td class=\"rows\">{}</td></tr>\n",
                     esc(st.value("id", std::string())), esc(st.value("section", std::string())), esc(st.value("op", std::string())),
                     params, notes, rows);
  }
  h += "</tbody></table>\n";

  const json model = plan.value("model", json::object());
  const json layers = model.value("layers", json::array());
  if (!layers.empty()) {
    h += fmt::format("<h3>Model: {} parameters</h3>\n", number(model.value("total_params", json())));
    h += "<table class=\"layers\"><thead><tr><th>layer</th><th>type</th><th>output shape</th><th class=\"num\">parameters</th></tr></thead><tbody>\n";
    for (const auto& l : layers)
      h += fmt::format("<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td></tr>\n", esc(l.value("name", std::string())),
                       esc(l.value("type", std::string())), esc(param_text(l.value("output_shape", json::array()))),
                       number(l.value("params", json())));
    h += "</tbody></table>\n";
  }
  return h + "</section>\n";
}

std::string metrics_section(const RunArtifacts& run) {
  const json& m = run.metrics;
  std::string h = "<section id=\"metrics\"><h2>Test metrics</h2>\n";
  if (!run.cross_validated()) {
    const json test = m.value("test", json::object());
    h += "<p class=\"meta\">" + esc(test_description(test)) + "</p>\n";
    h += "<table class=\"metrics\"><tbody>\n";
    for (const auto& name : metric_order(run.plan, test))
      h += fmt::format("<tr><th>{}</th><td class=\"num\">{}</td></tr>\n", esc(name), number(test[name]));
    h += "</tbody></table>\n" + warnings_html(m.value("warnings", json::array())) + objects_html(test);
  } else {
    const json& folds = m["folds"];
    const json mean = m.value("mean", json::object()), std = m.value("std", json::object());
    h += fmt::format("<p class=\"meta\">{} folds; mean ± standard deviation (numpy's, ddof {}) over the folds' test parts</p>\n",
                     folds.size(), number(m.value("std_ddof", json(0))));
    h += "<table class=\"metrics\"><thead><tr><th>metric</th><th class=\"num\">mean ± std</th>";
    for (const auto& f : folds) h += fmt::format("<th class=\"num\">fold {}</th>", number(f.value("fold", json())));
    h += "</tr></thead><tbody>\n";
    json first_test = folds.empty() ? json::object() : folds[0].value("test", json::object());
    std::vector<std::string> names = metric_order(run.plan, mean);
    for (const auto& name : metric_order(run.plan, first_test))
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    for (const auto& name : names) {
      h += "<tr><th>" + esc(name) + "</th><td class=\"num\">";
      if (mean.contains(name)) h += number(mean[name]) + " ± " + number(std.value(name, json()));
      h += "</td>";
      for (const auto& f : folds) h += "<td class=\"num\">" + number(f.value("test", json::object()).value(name, json())) + "</td>";
      h += "</tr>\n";
    }
    h += fmt::format("<tr class=\"rows\"><th>test rows</th><td></td>");
    for (const auto& f : folds) h += "<td class=\"num\">" + number(f.value("test", json::object()).value("rows", json())) + "</td>";
    h += "</tr>\n</tbody></table>\n";
    for (const auto& f : folds)
      h += warnings_html(f.value("warnings", json::array()), fmt::format("fold {}: ", number(f.value("fold", json()))));
    for (const auto& f : folds) {
      const std::string objects = objects_html(f.value("test", json::object()));
      if (!objects.empty())
        h += fmt::format("<details><summary>fold {}</summary>\n{}</details>\n", number(f.value("fold", json())), objects);
    }
  }
  const json training = run.cross_validated() ? json() : m.value("training", json::object());
  if (training.is_object() && !training.empty()) {
    // One line of what the training did, the details folded away.
    std::string summary = fmt::format("training: {} of {} epochs", param_text(training.value("epochs_run", json())),
                                      param_text(training.value("epochs", json())));
    const json stopping = training.value("early_stopping", json::object());
    if (stopping.value("stopped_early", false))
      summary += fmt::format(", stopped early; best {} {} at epoch {}", param_text(stopping.value("monitor", json())),
                             number(stopping.value("best_value", json())), param_text(stopping.value("best_epoch", json())));
    h += "<details><summary>" + esc(summary) + "</summary>\n" + json_html(training, true) + "</details>\n";
  }
  return h + "</section>\n";
}

}  // namespace pipeml::report::html
