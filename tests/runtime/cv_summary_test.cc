// The cross-validation summary equals numpy's np.mean and np.std (ddof 0) to the last bit,
// pairwise summation included (values printed by numpy 1.24 with repr).
#include <catch2/catch.hpp>

#include <sstream>

#include "runtime/cv_summary.h"

using namespace pipeml;

TEST_CASE("numpy_mean and numpy_std are numpy's, bit for bit", "[cv]") {
  const std::vector<double> five = {0.8360655737704918, 0.819672131147541, 0.8524590163934426, 0.8, 0.85};
  CHECK(cv::numpy_mean(five) == 0.8316393442622949);
  CHECK(cv::numpy_std(five) == 0.01966939871733852);
  // Ten values, where numpy's eight partial sums differ from a plain loop (…755).
  const std::vector<double> ten = {0.5701967704178796, 0.43860151346232035, 0.9883738380592262, 0.10204481074802807,
                                   0.2088767560948347, 0.16130951788499626, 0.6531083254653984, 0.2532916025397821,
                                   0.4663107728563063, 0.24442559200160274};
  CHECK(cv::numpy_mean(ten) == 0.40865394995303744);
  CHECK(cv::numpy_std(ten) == 0.25929869090651153);
  CHECK(cv::numpy_std({0.91, 0.87}) == 0.020000000000000018);
}

TEST_CASE("summarize and print_summary: one row per metric, a column per fold", "[cv]") {
  const auto s = cv::summarize({{{"accuracy", 0.8}, {"f1", 0.5}}, {{"accuracy", 0.9}, {"f1", 0.7}}}, {"accuracy", "f1"});
  CHECK(s.mean.at("accuracy") == Approx(0.85));
  CHECK(s.std.at("f1") == Approx(0.1));
  std::ostringstream os;
  cv::print_summary(os, s);
  CHECK(os.str() ==
        "\ncross-validation: 2 folds, each scored on its own test part (std: np.std, ddof 0)\n"
        "  metric       fold 1   fold 2    mean \u00b1 std\n"
        "  accuracy     0.8000   0.9000    0.8500 \u00b1 0.0500\n"
        "  f1           0.5000   0.7000    0.6000 \u00b1 0.1000\n");
}

TEST_CASE("print_summary widens the name column for a long metric name", "[cv]") {
  const auto s = cv::summarize({{{"balanced_accuracy", 0.75}}, {{"balanced_accuracy", 0.5}}}, {"balanced_accuracy"});
  std::ostringstream os;
  cv::print_summary(os, s);
  CHECK(os.str() ==
        "\ncross-validation: 2 folds, each scored on its own test part (std: np.std, ddof 0)\n"
        "  metric              fold 1   fold 2    mean \u00b1 std\n"
        "  balanced_accuracy   0.7500   0.5000    0.6250 \u00b1 0.1250\n");
}
