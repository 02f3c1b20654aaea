// scikit-learn 1.2's classification_report for labels 0..k-1 named by the class names:
// each class's precision, recall, F1 and support, then accuracy (or micro avg), macro avg
// and weighted avg, as a struct and as sklearn's text, byte for byte.
// tests/fixtures/classification_report_cases.json holds sklearn's strings and dicts.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace pipeml::metrics {

/// One line of the report.
struct ReportLine {
  std::string name;
  double precision = 0.0, recall = 0.0, f1 = 0.0;
  std::size_t support = 0;
};

struct ClassificationReport {
  std::vector<ReportLine> classes;  ///< one per label, in label order
  /// sklearn names the micro average "accuracy" when every label occurs in y_true or y_pred
  /// (its micro precision, recall and F1 are then the accuracy); "micro avg" otherwise.
  ReportLine micro;
  ReportLine macro;     ///< "macro avg"
  ReportLine weighted;  ///< "weighted avg"
};

/// classification_report(y_true, y_pred, labels=range(k), target_names=names) with
/// zero_division="warn" (0.0 where undefined; its warnings are the metrics' own, not
/// repeated here). Throws std::invalid_argument as confusion_matrix.
ClassificationReport classification_report(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                           const std::vector<std::string>& names);

/// sklearn's text (output_dict=False) with `digits` decimals.
std::string classification_report_text(const ClassificationReport& r, int digits = 4);

}  // namespace pipeml::metrics
