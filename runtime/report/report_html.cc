#include "runtime/report/report_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "runtime/artifacts.h"
#include "runtime/curves.h"
#include "runtime/metrics.h"
#include "runtime/report/plot.h"
#include "runtime/user_error.h"

namespace pipeml::report {
namespace {

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

// A metric's value: 4 decimals; whole numbers (rows, counts) as they are.
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

// A parameter's value as the YAML would say it: strings unquoted, lists and maps compact.
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

// What a page section says instead of a chart it cannot draw.
std::string note(const std::string& text) { return "<p class=\"note\">" + esc(text) + "</p>\n"; }

// The charts of one section, side by side.
class Figures {
 public:
  void add(const std::string& png, int width, int height, const std::string& alt, const std::string& caption = "") {
    html_ += fmt::format("<figure><img class=\"plot\" width=\"{}\" height=\"{}\" alt=\"{}\" src=\"data:image/png;base64,{}\">",
                         width, height, esc(alt), base64(png));
    if (!caption.empty()) html_ += "<figcaption>" + esc(caption) + "</figcaption>";
    html_ += "</figure>\n";
  }
  void line(const LineChart& c, const std::string& caption = "") { add(line_chart_png(c), c.width, c.height, c.title, caption); }
  std::string html() const { return html_.empty() ? "" : "<div class=\"figures\">\n" + html_ + "</div>\n"; }

 private:
  std::string html_;
};

const char* kNoCairo = "charts are not drawn: this pipe was built without cairo (cmake -DPIPE_CAIRO=OFF)";

// ---- the plan -------------------------------------------------------------------------

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
    for (const char* nested : {"layers", "schedulers"})
      if (st.contains(nested)) params += fmt::format("<span class=\"param\">{}: {}</span> ", nested, st[nested].size());
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

// ---- metrics --------------------------------------------------------------------------

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

// Any JSON value as HTML: a table for an object of objects (classification_report: a row
// per class), a key/value table for an object, a list for an array. Numbers as metrics
// (4 decimals), or as settings (clip_grad_norm 1, l2 0.0001) when `settings`.
std::string json_html(const json& v, bool settings = false) {
  if (v.is_object()) {
    bool all_objects = !v.empty();
    std::vector<std::string> columns;
    for (const auto& [k, x] : v.items()) {
      if (!x.is_object()) {
        all_objects = false;
        break;
      }
      for (const auto& [c, y] : x.items())
        if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
    }
    std::string h = "<table class=\"generic\">";
    if (all_objects) {
      h += "<thead><tr><th></th>";
      for (const auto& c : columns) h += "<th class=\"num\">" + esc(c) + "</th>";
      h += "</tr></thead><tbody>";
      for (const auto& [k, x] : v.items()) {
        h += "<tr><th>" + esc(k) + "</th>";
        for (const auto& c : columns)
          h += "<td class=\"num\">" + (x.contains(c) ? json_html(x[c], settings) : std::string()) + "</td>";
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
  std::string h;
  for (const auto& [key, v] : test.items())
    if (v.is_structured() && !shown_elsewhere(key)) h += "<h3>" + esc(key) + "</h3>\n" + json_html(v) + "\n";
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

// ---- the confusion matrix -------------------------------------------------------------

std::string confusion_section(const RunArtifacts& run) {
  // A cross-validated run: the folds' matrices summed, every row tested once.
  std::vector<const json*> tests;
  if (run.cross_validated())
    for (const auto& f : run.metrics["folds"]) tests.push_back(&f["test"]);
  else if (run.metrics.contains("test")) tests.push_back(&run.metrics["test"]);
  std::vector<std::vector<double>> sum;
  std::vector<std::string> classes;
  for (const json* t : tests) {
    if (!t->contains("confusion_matrix")) return "";
    const auto cm = (*t)["confusion_matrix"].get<std::vector<std::vector<double>>>();
    if (sum.empty()) sum.assign(cm.size(), std::vector<double>(cm.size(), 0));
    if (cm.size() != sum.size()) return "";
    for (std::size_t r = 0; r < cm.size(); ++r)
      for (std::size_t c = 0; c < cm[r].size() && c < sum[r].size(); ++c) sum[r][c] += cm[r][c];
    if (classes.empty() && t->contains("classes")) classes = (*t)["classes"].get<std::vector<std::string>>();
  }
  if (sum.empty()) return "";
  while (classes.size() < sum.size()) classes.push_back(std::to_string(classes.size()));
  std::string h = "<section id=\"confusion\"><h2>Confusion matrix</h2>\n";
  if (!plots_available()) return h + note(kNoCairo) + "</section>\n";
  HeatMap map;
  map.title = tests.size() > 1 ? fmt::format("Confusion matrix, {} folds summed", tests.size()) : "Confusion matrix";
  map.x_label = "predicted class";
  map.y_label = "true class";
  map.row_labels = map.col_labels = classes;
  map.values = sum;
  Figures figures;
  figures.add(heat_map_png(map), map.width, map.height, map.title, "rows: true class; columns: predicted class");
  return h + figures.html() + "</section>\n";
}

// ---- predictions: ROC and precision-recall, or predicted against true ------------------

std::string fold_name(const TrainingFiles& t) { return t.fold ? fmt::format("fold {}", t.fold) : std::string(); }

std::string regression_section(const RunArtifacts& run) {
  std::string h = "<section id=\"predictions\"><h2>Predicted against true</h2>\n";
  LineChart c;
  c.title = "Predicted against true (test part)";
  c.x_label = "true value";
  c.y_label = "predicted value";
  c.identity = true;
  c.same_xy_range = true;
  c.legend = Corner::kBottomRight;
  std::string notes;
  for (const auto& t : run.trainings) {
    if (!t.predictions.csv) {
      notes += note(t.predictions.problem + ": no scatter of its predictions");
      continue;
    }
    Series s;
    s.name = fold_name(t);
    s.x = t.predictions.csv->numbers("target");
    s.y = t.predictions.csv->numbers("predicted");
    s.points = true;
    s.colour = c.series.size();
    c.series.push_back(s);
  }
  if (c.series.empty()) return h + notes + "</section>\n";
  if (!plots_available()) return h + notes + note(kNoCairo) + "</section>\n";
  Figures figures;
  figures.line(c, "each dot a test row; the dashed line is a perfect prediction");
  return h + notes + figures.html() + "</section>\n";
}

// One curve per class that is scored: the positive class of a binary classifier, every
// class one-vs-rest for more.
struct ScoredClass {
  std::string name;
  std::vector<int> y;  ///< 1 where the row's label is this class
  std::vector<double> scores;
};

std::vector<ScoredClass> scored_classes(const Csv& predictions, const std::vector<std::string>& classes) {
  std::vector<ScoredClass> out;
  const std::vector<std::string> labels = predictions.texts("label");
  for (std::size_t c = classes.size() == 2 ? 1 : 0; c < classes.size(); ++c) {
    ScoredClass s;
    s.name = classes[c];
    s.scores = predictions.numbers("prob_" + classes[c]);
    if (predictions.column("prob_" + classes[c]) < 0) continue;
    for (const auto& l : labels) s.y.push_back(l == classes[c] ? 1 : 0);
    out.push_back(std::move(s));
  }
  return out;
}

// The ROC and precision-recall charts of one model's predictions (or of every fold's,
// overlaid when each has one scored class), from runtime/curves.h: sklearn's points.
std::string classifier_section(const RunArtifacts& run) {
  std::string h = "<section id=\"predictions\"><h2>ROC and precision-recall curves</h2>\n";
  const std::vector<std::string> classes = run.plan.value("classes", json::array()).get<std::vector<std::string>>();
  const bool folds = run.trainings.size() > 1;
  std::string notes;
  struct Pair {
    LineChart roc, pr;
  };
  std::vector<Pair> charts;
  auto new_pair = [&](const std::string& suffix) {
    Pair p;
    p.roc.title = "ROC curve" + suffix;
    p.roc.x_label = "false positive rate";
    p.roc.y_label = "true positive rate";
    p.roc.identity = true;
    p.roc.legend = Corner::kBottomRight;
    p.pr.title = "Precision-recall curve" + suffix;
    p.pr.x_label = "recall";
    p.pr.y_label = "precision";
    p.pr.legend = Corner::kBottomLeft;
    for (LineChart* c : {&p.roc, &p.pr}) {
      c->fixed_range = true;
      c->x_min = c->y_min = 0;
      c->x_max = c->y_max = 1.0;
    }
    return p;
  };
  for (std::size_t i = 0; i < run.trainings.size(); ++i) {
    const TrainingFiles& t = run.trainings[i];
    if (!t.predictions.csv) {
      notes += note(t.predictions.problem + ": no ROC or precision-recall curves" + (t.fold ? " for that fold" : ""));
      continue;
    }
    const std::vector<ScoredClass> scored = scored_classes(*t.predictions.csv, classes);
    const bool one_vs_rest = scored.size() > 1;
    // Folds of a binary classifier share a chart; one-vs-rest curves get a chart per fold.
    if (charts.empty() || one_vs_rest) charts.push_back(new_pair(one_vs_rest ? (folds ? ", " + fold_name(t) : "") + " (one-vs-rest)" : ""));
    Pair& p = charts.back();
    for (std::size_t k = 0; k < scored.size(); ++k) {
      const ScoredClass& s = scored[k];
      try {
        const metrics::RocCurve roc = metrics::roc_curve(s.y, s.scores);
        const metrics::PrecisionRecallCurve pr = metrics::precision_recall_curve(s.y, s.scores);
        const metrics::Score ap = metrics::average_precision(s.y, s.scores);
        const std::string who = one_vs_rest ? "class " + s.name : folds ? fold_name(t) : "";
        const std::size_t colour = one_vs_rest ? k : folds ? i : 0;
        const bool defined = std::none_of(roc.fpr.begin(), roc.fpr.end(), [](double v) { return std::isnan(v); }) &&
                             std::none_of(roc.tpr.begin(), roc.tpr.end(), [](double v) { return std::isnan(v); });
        const std::string auc = defined ? fmt::format("AUC {:.3f}", metrics::roc_auc(s.y, s.scores)) : "AUC undefined";
        p.roc.series.push_back({who.empty() ? auc : who + " (" + auc + ")", roc.fpr, roc.tpr, colour});
        const std::string ap_text = fmt::format("AP {:.3f}", ap.value);
        Series prs{who.empty() ? ap_text : who + " (" + ap_text + ")", pr.recall, pr.precision, colour};
        prs.steps = true;
        p.pr.series.push_back(prs);
        for (const auto& w : roc.warnings) notes += note((who.empty() ? "" : who + ": ") + w);
      } catch (const std::exception& e) {  // no test row, or a score that is not finite
        notes += note(fmt::format("{}class {}: no curve: {}", t.fold ? fold_name(t) + ", " : "", s.name, e.what()));
      }
    }
  }
  if (charts.empty()) return h + notes + "</section>\n";
  if (!plots_available()) return h + notes + note(kNoCairo) + "</section>\n";
  Figures figures;
  for (Pair& p : charts) {
    if (p.roc.series.empty()) continue;
    // Precision-recall curves fill the corners a legend could take: below, for several.
    if (p.pr.series.size() > 2) p.pr.legend = Corner::kBelow;
    figures.line(p.roc, "the dashed diagonal is a classifier that guesses");
    figures.line(p.pr, "AP: average precision, as scikit-learn's average_precision_score");
  }
  return h + notes + figures.html() + "</section>\n";
}

std::string predictions_section(const RunArtifacts& run) {
  if (run.plan.value("target", json::object()).value("type", std::string()) == "number") return regression_section(run);
  return classifier_section(run);
}

// ---- learning curves -------------------------------------------------------------------

// What history.csv measures per epoch: "loss", then each X of a val_X or train_X column
// ("accuracy", "mae"), in the file's order.
std::vector<std::string> history_metrics(const std::vector<TrainingFiles>& trainings) {
  std::vector<std::string> names{"loss"};
  for (const auto& t : trainings)
    if (t.history.csv)
      for (const auto& col : t.history.csv->header)
        for (const char* side : {"val_", "train_"}) {
          const std::string prefix = side;
          if (col.rfind(prefix, 0) != 0) continue;
          const std::string name = col.substr(prefix.size());
          if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
        }
  return names;
}

// One chart of a quantity per epoch: its train_ and val_ columns (either may be missing),
// per fold overlaid with a colour each (validation solid, training dashed).
LineChart epoch_chart(const std::vector<TrainingFiles>& trainings, const std::string& quantity, const std::string& title) {
  LineChart c;
  c.title = title;
  c.x_label = "epoch";
  c.y_label = quantity;
  c.integer_x = true;
  c.log_y_when_wide = quantity == "loss";
  const bool folds = trainings.size() > 1;
  for (std::size_t i = 0; i < trainings.size(); ++i) {
    const auto& h = trainings[i].history.csv;
    if (!h) continue;
    const std::vector<double> epochs = h->numbers("epoch");
    for (const char* side : {"train_", "val_"}) {
      const std::string column = side + quantity;
      Series s;
      s.x = epochs;
      s.y = h->numbers(column);
      // No validation part: val_ columns are empty; nothing to draw.
      if (std::none_of(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v); })) continue;
      const bool train = side == std::string("train_");
      s.dashed = train;
      s.markers = s.x.size() <= 30;  // a few epochs: each one visible
      s.colour = folds ? i : (train ? 0 : 1);
      // Folds: the legend names each fold's colour once.
      const bool fold_named = !c.series.empty() && c.series.back().colour == i && !c.series.back().name.empty();
      s.name = folds ? (fold_named ? "" : fold_name(trainings[i])) : (train ? "train" : "validation");
      c.series.push_back(s);
    }
    // The epoch whose weights the model kept (early stopping, a best checkpoint).
    if (!folds && h->column("best") >= 0) {
      const std::vector<double> best = h->numbers("best");
      for (std::size_t r = 0; r < best.size(); ++r)
        if (best[r] == 1) {
          c.marker_x = epochs[r];
          c.marker_label = fmt::format("best epoch {}", static_cast<int>(epochs[r]));
        }
    }
  }
  return c;
}

std::string learning_section(const RunArtifacts& run) {
  std::string h = "<section id=\"learning\"><h2>Learning curves</h2>\n";
  std::size_t with_history = 0;
  for (const auto& t : run.trainings) {
    if (t.history.csv) ++with_history;
    else h += note(t.history.problem + ": no learning curves" + (t.fold ? " for that fold" : ""));
  }
  if (with_history == 0) return h + "</section>\n";
  if (!plots_available()) return h + note(kNoCairo) + "</section>\n";
  const bool folds = run.trainings.size() > 1;
  const std::string sides = folds ? "validation solid, training dashed, a colour per fold" : "";
  Figures figures;
  std::vector<std::string> empty;
  for (const auto& quantity : history_metrics(run.trainings)) {
    const LineChart c = epoch_chart(run.trainings, quantity, quantity == "loss" ? "Loss" : quantity);
    if (c.series.empty()) empty.push_back(quantity);
    else figures.line(c, sides);
  }

  LineChart lr;
  lr.title = "Learning rate";
  lr.x_label = "epoch";
  lr.y_label = "lr";
  lr.integer_x = true;
  for (std::size_t i = 0; i < run.trainings.size(); ++i) {
    const auto& hist = run.trainings[i].history.csv;
    if (!hist || hist->column("lr") < 0) continue;
    Series s;
    s.x = hist->numbers("epoch");
    s.y = hist->numbers("lr");
    s.colour = folds ? i : 2;
    s.name = folds ? fold_name(run.trainings[i]) : "";
    s.markers = s.x.size() <= 30;
    lr.series.push_back(s);
  }
  // A schedule fixed in advance gives every fold the same rates: one line, not five on top of each other.
  const bool same = std::all_of(lr.series.begin(), lr.series.end(), [&](const Series& s) { return s.y == lr.series.front().y; });
  if (folds && same && lr.series.size() > 1) {
    lr.series.resize(1);
    lr.series.front().name = "";
    lr.series.front().colour = 2;
  }
  if (!lr.series.empty())
    figures.line(lr, !folds ? "at the end of each epoch" : same ? "the same in every fold" : "each fold's rate at the end of its epochs");
  for (const auto& quantity : empty)
    h += note(fmt::format("no {} per epoch: the run has no validation part (split's validation_size) to measure it on", quantity));
  return h + figures.html() + "</section>\n";
}

// ---- the page --------------------------------------------------------------------------

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
  const RunArtifacts run = read_run(run_dir);
  const std::string path = out.empty() ? run_dir + "/report.html" : out;
  write_atomic(path, report_html(run));
  return path;
}

}  // namespace pipeml::report
