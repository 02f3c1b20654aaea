// The layout of sklearn's classification_report text: a name column as wide as the longest
// of the names, "weighted avg" and `digits`; each further column right-aligned in 9; a blank
// line after the header and after the classes; the accuracy line shows only its F1 column
// (the micro F1) and the support.
#include "runtime/classification_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "runtime/class_scores.h"
#include "runtime/metrics.h"

namespace pipeml::metrics {

ClassificationReport classification_report(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                           const std::vector<std::string>& names) {
  const ConfusionMatrix cm = confusion_matrix(y_true, y_pred, static_cast<int>(names.size()));
  const ClassScores s = class_scores(cm);
  ClassificationReport r;
  std::size_t total = 0;
  bool every_label_occurs = true;
  for (std::size_t c = 0; c < names.size(); ++c) {
    r.classes.push_back({names[c], s.precision[c], s.recall[c], s.f1[c], s.support[c]});
    total += s.support[c];
    every_label_occurs = every_label_occurs && (s.support[c] > 0 || s.predicted[c] > 0);
  }
  auto line = [&](const char* name, Average a) {
    const Averaged v = averaged(s, a);
    return ReportLine{name, v.precision, v.recall, v.f1, total};
  };
  r.micro = line(every_label_occurs ? "accuracy" : "micro avg", Average::micro);
  r.macro = line("macro avg", Average::macro);
  r.weighted = line("weighted avg", Average::weighted);
  return r;
}

std::string classification_report_text(const ClassificationReport& r, int digits) {
  std::size_t width = std::max<std::size_t>(std::string("weighted avg").size(), static_cast<std::size_t>(digits));
  for (const auto& c : r.classes) width = std::max(width, c.name.size());
  std::string out = fmt::format("{:>{}} ", "", width);
  for (const char* h : {"precision", "recall", "f1-score", "support"}) out += fmt::format(" {:>9}", h);
  out += "\n\n";
  auto row = [&](const ReportLine& l) {
    return fmt::format("{:>{}}  {:>9.{}f} {:>9.{}f} {:>9.{}f} {:>9}\n", l.name, width, l.precision, digits, l.recall,
                       digits, l.f1, digits, l.support);
  };
  for (const auto& c : r.classes) out += row(c);
  out += "\n";
  if (r.micro.name == "accuracy")
    out += fmt::format("{:>{}}  {:>9} {:>9} {:>9.{}f} {:>9}\n", r.micro.name, width, "", "", r.micro.f1, digits,
                       r.micro.support);
  else out += row(r.micro);
  out += row(r.macro);
  out += row(r.weighted);
  return out;
}

}  // namespace pipeml::metrics
