// `pipe predict RUN_DIR DATA` end to end: short runs of the examples, then their models on
// the data file they read. Every test row must come out as the run's predictions.csv has
// it, to the text: the replayed data stages give the model the run's float32 rows bit for
// bit, and the model evaluates them with the run's kernels. Then its errors, word for word.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using pipetest::read_file;
using pipetest::run_pipe;
using pipetest::write_file;

namespace {

const std::string kHeart = std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data";

std::vector<std::string> lines_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Trains `pipeline` (with `options`) into `dir`; REQUIREs that it worked.
void train(const std::string& pipeline, const std::string& options, const std::string& dir) {
  const auto r = run_pipe("run " + pipeline + " --device cpu " + options + " --out " + dir);
  INFO(r.out);
  REQUIRE(r.code == 0);
}

// Fields of a CSV line.
std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, ',');) out.push_back(f);
  return out;
}

// The same line but for the last digits of its numbers (relative 1e-6). The replayed rows
// are the run's bit for bit, but a CPU GEMM may round differently for another number of
// rows (seen with PyTorch 2.11 on 16 cores, not with Debian's 1.13 here): the file's 303
// rows are one batch, the run's test rows another. Given as the same batch, the run's
// test rows come out to the text (the binary case below checks that).
bool same_but_rounding(const std::string& a, const std::string& b) {
  const auto fa = fields_of(a), fb = fields_of(b);
  if (fa.size() != fb.size()) return false;
  for (std::size_t i = 0; i < fa.size(); ++i) {
    if (fa[i] == fb[i]) continue;
    char* end_a = nullptr;
    char* end_b = nullptr;
    const double x = std::strtod(fa[i].c_str(), &end_a), y = std::strtod(fb[i].c_str(), &end_b);
    if (*end_a || *end_b || fa[i].empty() || std::abs(x - y) > 1e-6 * std::max(1.0, std::abs(y))) return false;
  }
  return true;
}

// `pipe predict` of every row of `data` must give, for each test row of the run's
// predictions.csv, the same line (it predicts every row of the file, in file order), up to
// the rounding of another batch size. Returns what it said on stderr.
std::string check_reproduces(const std::string& run_dir, const std::string& data, const std::string& out) {
  const auto r = run_pipe("predict " + run_dir + " '" + data + "' -o " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto predicted = lines_of(read_file(out));
  const auto tested = lines_of(read_file(run_dir + "/predictions.csv"));
  REQUIRE(tested.size() > 1);
  CHECK(predicted.front() == tested.front());
  for (std::size_t i = 1; i < tested.size(); ++i) {
    const std::size_t row = std::stoul(tested[i].substr(0, tested[i].find(',')));
    REQUIRE(row + 1 < predicted.size());
    INFO(predicted[row + 1] + " vs the run's " + tested[i]);
    CHECK(same_but_rounding(predicted[row + 1], tested[i]));
  }
  return r.out;
}

}  // namespace

TEST_CASE("pipe predict reproduces a binary run's test predictions to the text", "[predict]") {
  const pipetest::TempDir tmp;
  train("pipelines/heart.yaml", "--set train.epochs=2 --set load_csv.path=" + kHeart, tmp.path("run"));
  const std::string said = check_reproduces(tmp.path("run"), kHeart, tmp.path("predicted.csv"));
  CHECK(said.rfind("303 rows of " + kHeart + " predicted by " + tmp.path("run") + " on cpu, threshold 0.5\n"
                   "scored on the file's 'num': accuracy ", 0) == 0);
  // 303 rows in the file: one line each, after the header.
  CHECK(lines_of(read_file(tmp.path("predicted.csv"))).size() == 304);

  // The run's test rows alone score what metrics.json says of them.
  const auto file = lines_of(read_file(kHeart));
  const auto tested = lines_of(read_file(tmp.path("run") + "/predictions.csv"));
  std::string test_rows;
  for (std::size_t i = 1; i < tested.size(); ++i) test_rows += file.at(std::stoul(tested[i].substr(0, tested[i].find(',')))) + "\n";
  write_file(tmp.path("test_rows.csv"), test_rows);
  const auto m = nlohmann::json::parse(read_file(tmp.path("run") + "/metrics.json"))["test"];
  const auto scored = run_pipe("predict " + tmp.path("run") + " " + tmp.path("test_rows.csv") + " -o " + tmp.path("t.csv"));
  // As one batch of the run's test rows, in its order: every line the run's, to the text.
  const auto test_lines = lines_of(read_file(tmp.path("t.csv")));
  REQUIRE(test_lines.size() == tested.size());
  for (std::size_t i = 1; i < tested.size(); ++i) {
    const std::string run_line = tested[i].substr(tested[i].find(','));
    CHECK(test_lines[i] == std::to_string(i - 1) + run_line);
  }
  CHECK(scored.out.find(fmt::format("scored on the file's 'num': accuracy {:.4f}  precision {:.4f}  recall {:.4f}  f1 {:.4f}  "
                                    "roc_auc {:.4f}\n", m["accuracy"].get<double>(), m["precision"].get<double>(),
                                    m["recall"].get<double>(), m["f1"].get<double>(), m["roc_auc"].get<double>())) !=
        std::string::npos);

  // Without the target column there is no label; --threshold moves the decision; stdout by default.
  std::string rows;
  for (const auto& line : lines_of(read_file(kHeart))) rows += line.substr(0, line.rfind(',')) + "\n";
  write_file(tmp.path("no_target.csv"), rows);
  const auto r = run_pipe("predict " + tmp.path("run") + " " + tmp.path("no_target.csv") + " --threshold 1", false);
  REQUIRE(r.code == 0);
  const auto lines = lines_of(r.out);
  CHECK(lines.front() == "row,prob_1,predicted");
  CHECK(lines.size() == 304);
  CHECK(lines[5].rfind("4,", 0) == 0);
  CHECK(lines[5].substr(lines[5].size() - 2) == ",0");  // nothing reaches probability 1

  // The pipeline reads its file without a header (header: false, columns: [...]); new rows
  // with a header line are read by their names, in any order.
  std::string named = "sex,age";
  const std::vector<std::string> rest = {"cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang", "oldpeak", "slope", "ca", "thal"};
  for (const auto& c : rest) named += "," + c;
  named += "\n";
  for (const auto& line : lines_of(rows)) {
    const std::size_t a = line.find(','), b = line.find(',', a + 1);
    named += line.substr(a + 1, b - a - 1) + "," + line.substr(0, a) + line.substr(b) + "\n";
  }
  write_file(tmp.path("named.csv"), named);
  const auto by_name = run_pipe("predict " + tmp.path("run") + " " + tmp.path("named.csv") + " --threshold 1", false);
  REQUIRE(by_name.code == 0);
  CHECK(by_name.out == r.out);
  write_file(tmp.path("renamed.csv"), "age,sex,cp,trestbps,cholesterol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,note\n"
                                       "63,1,1,145,233,1,2,150,0,2.3,3,0,6,x\n");
  const auto renamed = run_pipe("predict " + tmp.path("run") + " " + tmp.path("renamed.csv"));
  CHECK(renamed.code == 1);
  CHECK(renamed.out == "error: " + tmp.path("renamed.csv") + " does not match the training columns: missing 'chol'; extra "
                       "'cholesterol', 'note' (the model was trained on: age, sex, cp, trestbps, chol, fbs, restecg, thalach, "
                       "exang, oldpeak, slope, ca, thal)\n");
}

TEST_CASE("pipe predict replays text categories, imputers, encoders and scalers", "[predict]") {
  const pipetest::TempDir tmp;
  const std::string customers = std::string(PIPE_SOURCE_DIR) + "/examples/data/customers.csv";
  train("examples/categorical.yaml", "--set train.epochs=3", tmp.path("run"));
  check_reproduces(tmp.path("run"), customers, tmp.path("predicted.csv"));

  // Columns in another order, a category written as another number ("12.0" is 12), a
  // missing region (imputed), a region the training rows lacked (one-hot: ignored).
  write_file(tmp.path("new.csv"),
             "churn,plan,region,contract,paperless,age,monthly_charges,tenure_months\n"
             "yes,pro,,12.0,no,39,70.5,3\n"
             "no,basic,moon,24,yes,61,20.25,40\n");
  const auto r = run_pipe("predict " + tmp.path("run") + " " + tmp.path("new.csv"), false);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "row,label,prob_yes,predicted");
  CHECK(lines[1].rfind("0,yes,", 0) == 0);
  CHECK(lines[2].rfind("1,no,", 0) == 0);

  // ordinal_encode was told to refuse unknown categories: at the file's line.
  write_file(tmp.path("unknown.csv"),
             "age,monthly_charges,tenure_months,plan,region,contract,paperless\n"
             "39,70.5,3,pro,east,12,no\n"
             "61,20.25,40,basic,west,24,maybe\n");
  const auto u = run_pipe("predict " + tmp.path("run") + " " + tmp.path("unknown.csv"));
  CHECK(u.code == 1);
  CHECK(u.out == "error: " + tmp.path("unknown.csv") +
                     ":3: cannot ordinal_encode column 'paperless': the training rows do not have its category 'maybe' "
                     "(handle_unknown 'error')\n");
}

TEST_CASE("pipe predict reproduces multiclass and regression runs", "[predict]") {
  const pipetest::TempDir tmp;
  train("examples/heart_multiclass.yaml", "--set train.epochs=2 --set load_csv.path=" + kHeart, tmp.path("multiclass"));
  check_reproduces(tmp.path("multiclass"), kHeart, tmp.path("multiclass.csv"));
  CHECK(lines_of(read_file(tmp.path("multiclass.csv"))).front() == "row,label,prob_0,prob_1,prob_2,prob_3,prob_4,predicted");

  const std::string houses = std::string(PIPE_SOURCE_DIR) + "/examples/data/houses.csv";
  train("examples/regression.yaml", "--set train.epochs=3", tmp.path("regression"));
  check_reproduces(tmp.path("regression"), houses, tmp.path("regression.csv"));
  CHECK(lines_of(read_file(tmp.path("regression.csv"))).front() == "row,target,predicted");
}

TEST_CASE("pipe predict reproduces a sequential model's test rows given as the run's batch", "[predict]") {
  // LibTorch's convolutions round by batch: given the test rows alone, in the run's order,
  // they are the batch the run evaluated, and every line must be the run's.
  const pipetest::TempDir tmp;
  train("examples/heart_layers.yaml", "--set train.epochs=2 --set load_csv.path=" + kHeart, tmp.path("run"));
  const auto file = lines_of(read_file(kHeart));
  const auto tested = lines_of(read_file(tmp.path("run") + "/predictions.csv"));
  std::string test_rows;
  for (std::size_t i = 1; i < tested.size(); ++i) test_rows += file.at(std::stoul(tested[i].substr(0, tested[i].find(',')))) + "\n";
  write_file(tmp.path("test_rows.csv"), test_rows);
  const auto r = run_pipe("predict " + tmp.path("run") + " " + tmp.path("test_rows.csv"), false);
  REQUIRE(r.code == 0);
  const auto predicted = lines_of(r.out);
  REQUIRE(predicted.size() == tested.size());
  CHECK(predicted.front() == tested.front());
  for (std::size_t i = 1; i < tested.size(); ++i)  // the same line but its row: here the i-th of the new file
    CHECK(predicted[i].substr(predicted[i].find(',')) == tested[i].substr(tested[i].find(',')));
}

TEST_CASE("pipe predict replays select_columns and refuses what the run's stages cannot take", "[predict]") {
  const pipetest::TempDir tmp;
  const std::string houses = std::string(PIPE_SOURCE_DIR) + "/examples/data/houses.csv";
  write_file(tmp.path("houses.yaml"), "pipeline: houses-select\n"
                                      "data:\n"
                                      "  - {op: load_csv, path: " + houses + ", target: price_k, target_type: number}\n"
                                      "  - {op: select_columns, drop: [rooms]}\n"
                                      "  - {op: split, test_size: 0.2}\n"
                                      "  - {op: impute, columns: [age_years], strategy: median}\n"
                                      "  - {op: one_hot_encode}\n"
                                      "  - {op: standardize}\n"
                                      "model: {op: mlp, hidden: [8], batch_norm: false}\n"
                                      "loss: {op: mse}\n"
                                      "optimizer: {op: adamw}\n"
                                      "train: {epochs: 2, batch_size: 32}\n");
  train(tmp.path("houses.yaml"), "", tmp.path("run"));
  check_reproduces(tmp.path("run"), houses, tmp.path("predicted.csv"));

  // A neighbourhood the training rows lacked (one_hot_encode's handle_unknown is 'error'),
  // then a missing area, which nothing imputes: each at its line.
  const std::string header = "area_m2,rooms,age_years,distance_km,neighbourhood\n";
  write_file(tmp.path("harbour.csv"), header + "81.6,2,58,0.46,suburb\n90.1,3,,1.2,harbour\n");
  auto r = run_pipe("predict " + tmp.path("run") + " " + tmp.path("harbour.csv"));
  CHECK(r.code == 1);
  CHECK(r.out == "error: " + tmp.path("harbour.csv") +
                     ":3: cannot one_hot_encode column 'neighbourhood': the training rows do not have its category 'harbour' "
                     "(handle_unknown 'error')\n");
  write_file(tmp.path("no_area.csv"), header + "81.6,2,58,0.46,suburb\n,3,,1.2,centre\n");
  r = run_pipe("predict " + tmp.path("run") + " " + tmp.path("no_area.csv"));
  CHECK(r.code == 1);
  CHECK(r.out == "error: " + tmp.path("no_area.csv") +
                     ":3: column 'area_m2' is missing: 'standardize' cannot take a missing value, and the training data had "
                     "none there to impute\n");
}

TEST_CASE("pipe predict takes a cross-validated run's fold, not its top folder", "[predict]") {
  const pipetest::TempDir tmp;
  const std::string run = tmp.path("cv");
  train("examples/heart_cv.yaml", "--set train.epochs=2 --set load_csv.path=" + kHeart, run);
  check_reproduces(run + "/fold-2", kHeart, tmp.path("fold2.csv"));

  const auto r = run_pipe("predict " + run + " " + kHeart + " -o " + tmp.path("top.csv"));
  CHECK(r.code == 1);
  CHECK(r.out == "error: '" + run + "' is a cross-validated run, with a model per fold: choose one of " + run + "/fold-1 to " +
                     run + "/fold-5\n");
  CHECK_FALSE(pipetest::path_exists(tmp.path("top.csv")));
}

TEST_CASE("pipe predict's errors name the run's missing artifact and the columns that differ", "[predict]") {
  const pipetest::TempDir tmp;
  const std::string customers = std::string(PIPE_SOURCE_DIR) + "/examples/data/customers.csv";
  const std::string run = tmp.path("run");
  train("examples/categorical.yaml", "--set train.epochs=1", run);

  auto r = run_pipe("predict " + tmp.path("nowhere") + " " + customers);
  CHECK(r.code == 1);
  CHECK(r.out == "error: cannot open the run directory '" + tmp.path("nowhere") + "': no such file or directory\n");

  // Other columns: every missing and every extra one is named.
  write_file(tmp.path("renamed.csv"),
             "years,monthly_charges,tenure_months,plan,contract,paperless,churn,note\n"
             "39,70.5,3,pro,12,no,yes,x\n");
  r = run_pipe("predict " + run + " " + tmp.path("renamed.csv") + " -o " + tmp.path("out.csv"));
  CHECK(r.code == 1);
  CHECK(r.out == "error: " + tmp.path("renamed.csv") +
                     " does not match the training columns: missing 'age', 'region'; extra 'years', 'note' (the model was "
                     "trained on: age, monthly_charges, tenure_months, plan, region, contract, paperless)\n");
  CHECK_FALSE(pipetest::path_exists(tmp.path("out.csv")));

  // A number column with text in it, at its line.
  write_file(tmp.path("text.csv"),
             "age,monthly_charges,tenure_months,plan,region,contract,paperless\n"
             "39,70.5,3,pro,east,12,no\n"
             "sixty,20.25,40,basic,west,24,yes\n");
  r = run_pipe("predict " + run + " " + tmp.path("text.csv"));
  CHECK(r.code == 1);
  CHECK(r.out == "error: " + tmp.path("text.csv") + ":3: column 'age': 'sixty' is not a number\n");

  // A run that lost its weights, and one that never wrote its transforms.
  std::remove((run + "/model.pt").c_str());
  r = run_pipe("predict " + run + " " + customers);
  CHECK(r.code == 1);
  CHECK(r.out == "error: the run directory '" + run +
                     "' has no model.pt (the trained weights, which 'pipe run' writes when training ends)\n");
  std::remove((run + "/transforms.json").c_str());
  write_file(run + "/error.txt", "training failed\n");
  r = run_pipe("predict " + run + " " + customers);
  CHECK(r.code == 1);
  CHECK(r.out == "error: the run directory '" + run +
                     "' has no transforms.json (what the data stages learned, which 'pipe run' writes before training); "
                     "the run stopped early: see " + run + "/error.txt\n");
}

// The libraries `pipe ARGS` loads, its own dlopen's included: the dynamic loader names
// each with LD_DEBUG=files, set for pipe alone.
std::string loaded_by(const std::string& args) {
  const std::string cmd = std::string("cd '") + PIPE_SOURCE_DIR + "' && LD_DEBUG=files '" + PIPE_BINARY_DIR + "/pipe' " + args +
                          " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (const std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_CASE("pipe predict --help and pipe validate never load LibTorch; predict does", "[predict]") {
  const std::string help = loaded_by("predict --help");
  CHECK(help.find("usage: pipe predict [options] RUN_DIR DATA") != std::string::npos);
  CHECK(help.find("libpipe_exec.so") == std::string::npos);
  CHECK(loaded_by("validate examples/categorical.yaml").find("libpipe_exec.so") == std::string::npos);

  const pipetest::TempDir tmp;
  train("examples/categorical.yaml", "--set train.epochs=1", tmp.path("run"));
  const std::string predicted = loaded_by("predict " + tmp.path("run") + " examples/data/customers.csv -o " + tmp.path("p.csv"));
  CHECK(predicted.find("libpipe_exec.so") != std::string::npos);
  CHECK(pipetest::path_exists(tmp.path("p.csv")));
}
