// The page's charts: the confusion matrix as a heat map, ROC and precision-recall curves
// (runtime/curves.h: scikit-learn's points) or predicted against true values, and the
// learning curves from history.csv, each fold's overlaid for kfold.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "runtime/curves.h"
#include "runtime/metrics.h"
#include "runtime/report/html_parts.h"

namespace pipeml::report::html {
namespace {

using nlohmann::json;

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

}  // namespace

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

std::string predictions_section(const RunArtifacts& run) {
  if (run.plan.value("target", json::object()).value("type", std::string()) == "number") return regression_section(run);
  return classifier_section(run);
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

}  // namespace pipeml::report::html
