// report.html end to end: `pipe run` writes it, headless Chromium (Debian's chromium,
// installed by .ci/setup) renders every chart of it, `pipe report` rebuilds the same page,
// and a directory that is not a finished run gets an exact error. A build without cairo
// (-DPIPE_CAIRO=OFF) checks the note that replaces the charts instead; one without
// Chromium (-DPIPE_BROWSER_TESTS=OFF, the GPU machine) checks the page's text only.
#include <catch2/catch.hpp>

#include <cstdio>
#include <regex>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using pipetest::read_file;
using pipetest::run_pipe;

namespace {

#ifdef PIPE_CHROMIUM
// What the page's own script found once Chromium had loaded it: the number of charts
// (<img class="plot">) and how many of them decoded to an image with a width.
struct Rendered {
  int plots = -1, rendered = -1;
  std::string dom;
};

int attribute(const std::string& dom, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(dom, m, std::regex("<body[^>]* " + name + "=\"(\\d+)\""))) return -1;
  return std::stoi(m[1]);
}

Rendered render(const std::string& html) {
  const pipetest::TempDir profile;  // a fresh browser profile: tests may run side by side
  const std::string cmd = std::string("'") + PIPE_CHROMIUM +
                          "' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='" + profile.str() +
                          "' --virtual-time-budget=10000 --dump-dom 'file://" + html + "' 2>/dev/null";
  Rendered r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.dom.append(buf, n);
  const int status = pclose(p);
  INFO("chromium: " << cmd);
  REQUIRE(status == 0);
  // Only the attributes matter; the images' data would make a failure unreadable.
  r.plots = attribute(r.dom, "data-plots");
  r.rendered = attribute(r.dom, "data-plots-rendered");
  return r;
}
#endif

// `pipe run ARGS --device cpu --out DIR`, which must succeed; returns DIR (and in `said`
// what pipe printed).
std::string run_into(const pipetest::TempDir& tmp, const std::string& args, std::string* said = nullptr) {
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run " + args + " --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  if (said) *said = r.out;
  return out;
}

// The page at `path` has `expected` charts, and each of them renders in Chromium.
void check_charts(const std::string& path, int expected) {
  const std::string page = read_file(path);
#ifdef PIPE_HAVE_CAIRO
  CHECK(pipetest::occurrences(page, "<img class=\"plot\"") == expected);
#ifdef PIPE_CHROMIUM
  const Rendered shown = render(path);
  CHECK(shown.plots == expected);
  CHECK(shown.rendered == expected);
#endif
#else
  (void)expected;  // no chart to count
  CHECK(pipetest::occurrences(page, "<img class=\"plot\"") == 0);
  CHECK(page.find("charts are not drawn: this pipe was built without cairo") != std::string::npos);
#endif
}

}  // namespace

TEST_CASE("pipe run writes report.html and Chromium renders each of its charts", "[report]") {
  const pipetest::TempDir tmp;
  std::string said;
  const std::string out = run_into(tmp, "pipelines/heart.yaml --set train.epochs=3 --set split.validation_size=0.15", &said);
  CHECK(said.find("predictions.csv, metrics.json, report.html)\n") != std::string::npos);
  const std::string page = read_file(out + "/report.html");
  CHECK(page.find("<h1>heart</h1>") != std::string::npos);
  CHECK(page.find("<th>roc_auc</th>") != std::string::npos);
  CHECK(page.find("<code>Linear(13, 128)</code>") != std::string::npos);  // the layer table
  CHECK(page.find("train 444 = {0: 222, 1: 222}") != std::string::npos);  // rows after gaussian_noise
  CHECK(page.find("src=\"http") == std::string::npos);  // self-contained: nothing fetched
  CHECK(page.find("src=\"//") == std::string::npos);
  // The confusion matrix, ROC, precision-recall, loss, accuracy and learning-rate charts.
  check_charts(out + "/report.html", 6);
#ifdef PIPE_HAVE_CAIRO
  for (const char* alt : {"Confusion matrix", "ROC curve", "Precision-recall curve", "Loss", "accuracy", "Learning rate"})
    CHECK(page.find(std::string("alt=\"") + alt + "\"") != std::string::npos);
#endif

  // `pipe report` rebuilds the same page from the directory alone.
  const auto again = run_pipe("report " + out + " -o " + tmp.path("again.html"));
  CHECK(again.code == 0);
  CHECK(again.out == "wrote " + tmp.path("again.html") + "\n");
  CHECK(read_file(tmp.path("again.html")) == page);

#if defined(PIPE_HAVE_CAIRO) && defined(PIPE_CHROMIUM)
  // The check itself can fail: a chart whose PNG is damaged does not render.
  std::string damaged = page;
  const std::size_t at = damaged.find("base64,") + 7 + 20;
  damaged.replace(at, 40, std::string(40, 'A'));
  pipetest::write_file(tmp.path("damaged.html"), damaged);
  const Rendered broken = render(tmp.path("damaged.html"));
  CHECK(broken.plots == 6);
  CHECK(broken.rendered == 5);
#endif
}

TEST_CASE("a cross-validated run's report: mean and std per metric, the folds' curves overlaid", "[report]") {
  const pipetest::TempDir tmp;
  std::string said;
  const std::string out = run_into(tmp, "examples/heart_cv.yaml --set train.epochs=2", &said);
  CHECK(said.find("(plan.json, metrics.json, report.html; fold-1/ to fold-5/") != std::string::npos);
  const std::string page = read_file(out + "/report.html");
  CHECK(page.find("<th class=\"num\">fold 5</th>") != std::string::npos);
  // No validation part in kfold: a per-epoch metric chart only once history.csv has a train_ column for it.
  const bool metric_per_epoch = read_file(out + "/fold-1/history.csv").find(",train_accuracy") != std::string::npos;
  check_charts(out + "/report.html", metric_per_epoch ? 6 : 5);
  CHECK((page.find("no accuracy per epoch") != std::string::npos) == !metric_per_epoch);
#ifdef PIPE_HAVE_CAIRO
  CHECK(page.find("alt=\"Confusion matrix, 5 folds summed\"") != std::string::npos);
  CHECK(pipetest::occurrences(page, "alt=\"ROC curve\"") == 1);  // one chart, a curve per fold
#endif
}

TEST_CASE("a multiclass run's report has one-vs-rest curves", "[report]") {
  const pipetest::TempDir tmp;
  const std::string out =
      run_into(tmp, "examples/heart_multiclass.yaml --set train.epochs=2 --set split.validation_size=0.15");
  check_charts(out + "/report.html", 6);
#ifdef PIPE_HAVE_CAIRO
  const std::string page = read_file(out + "/report.html");
  CHECK(page.find("alt=\"ROC curve (one-vs-rest)\"") != std::string::npos);
  CHECK(page.find("alt=\"Precision-recall curve (one-vs-rest)\"") != std::string::npos);
#endif
}

TEST_CASE("a regression run's report plots predicted against true values", "[report]") {
  const pipetest::TempDir tmp;
  const std::string out = run_into(tmp, "examples/regression.yaml --set train.epochs=2");
  const std::string page = read_file(out + "/report.html");
  CHECK(page.find("Confusion matrix") == std::string::npos);
  CHECK(page.find("<th>r2</th>") != std::string::npos);
  check_charts(out + "/report.html", 4);  // predicted against true, loss, mae, learning rate
#ifdef PIPE_HAVE_CAIRO
  CHECK(page.find("alt=\"Predicted against true (test part)\"") != std::string::npos);
#endif
}

TEST_CASE("pipe report refuses what is not a finished run, with exact messages", "[report]") {
  const pipetest::TempDir tmp;
  const std::string& dir = tmp.str();
  auto r = run_pipe("report");
  CHECK(r.code == 2);
  CHECK(r.out == "pipe report: which run directory?\nusage: pipe report [options] RUN_DIR\n");
  r = run_pipe("report " + dir + "/missing");
  CHECK(r.code == 1);
  CHECK(r.out == "pipe report: cannot read run directory '" + dir + "/missing': No such file or directory\n");
  r = run_pipe("report " + dir);
  CHECK(r.code == 1);
  CHECK(r.out == "pipe report: '" + dir + "' has no plan.json and metrics.json: not a finished run of pipe run\n");
  // A run that stopped on bad data leaves error.txt, which the message quotes.
  pipetest::write_file(dir + "/error.txt", "no row is left after dropping the rows with missing values\n");
  r = run_pipe("report " + dir);
  CHECK(r.code == 1);
  CHECK(r.out == "pipe report: '" + dir + "' has no plan.json and metrics.json: the run failed (" + dir +
                     "/error.txt: no row is left after dropping the rows with missing values)\n");
  CHECK_FALSE(pipetest::path_exists(dir + "/report.html"));
}
