// The value-dependent resamplers under cross-validation (fixtures from
// tests/fixtures/make_kfold_resample_fixtures.py): planning runs each fold's stages on that
// fold's tables, so the plan's per-fold counts are imbalanced-learn's on the fold's training
// rows (sklearn's StratifiedKFold); `pipe run` goes on from those tables, and what it
// prepares is what running the fold from scratch gives.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/planner.h"
#include "runtime/prepare.h"
#include "runtime/registry.h"
#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

namespace {

using namespace pipeml;
using nlohmann::json;

const json& fixture() {
  static const json j = [] {
    std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/resample/kfold_samplers.json");
    return json::parse(in);
  }();
  return j;
}

const std::string kTail =
    "model: {op: mlp, hidden: [4], batch_norm: false}\nloss: {op: bce_with_logits}\noptimizer: {op: adamw}\n"
    "train: {epochs: 1}\n";

// The fixture's table, cross-validated as the fixture's folds, then `stages`.
std::string cv_yaml(const std::string& stages) {
  return "data:\n  - op: load_csv\n    path: " + std::string(PIPE_TEST_DIR) +
         "/fixtures/resample/kfold_data.csv\n    target: y\n  - op: kfold\n    n_splits: " +
         fixture().at("n_splits").dump() + "\n    seed: " + fixture().at("seed").dump() + "\n" + stages + kTail;
}

// A fixture case as YAML stages: standardize if it says so, then the op with its parameters.
std::string stages_of(const json& c) {
  std::string out = c.at("standardize").get<bool>() ? "  - op: standardize\n" : "";
  out += "  - op: " + c.at("op").get<std::string>() + "\n";
  for (const auto& [k, v] : c.at("params").items()) out += "    " + k + ": " + v.dump() + "\n";
  return out;
}

std::unique_ptr<Plan> plan_of(const std::string& text) {
  dsl::Diagnostics diags;
  auto p = dsl::parse_pipeline("t.yaml", text, Registry::builtin(), {}, diags);
  std::unique_ptr<Plan> plan;
  if (p) plan = make_plan(std::move(*p), {}, Registry::builtin(), diags);
  INFO(diags.str());
  REQUIRE(plan != nullptr);
  return plan;
}

const PlanStep& step_of(const Plan& plan, const std::string& id) {
  for (const auto& s : plan.steps)
    if (s.stage->id == id) return s;
  FAIL("no step " << id);
  throw;
}

const PartInfo& part_of(const std::vector<PartInfo>& parts, const std::string& name) {
  for (const auto& p : parts)
    if (p.name == name) return p;
  FAIL("no part " << name);
  throw;
}

// Each fold's data from scratch, without the plan's tables: the stages up to kfold on all
// the rows, then each fold's rows through the rest.
std::vector<DataRun> folds_from_scratch(const Plan& plan) {
  const Registry& registry = Registry::builtin();
  const auto& stages = plan.pipeline.data;
  DataRun data{plan, {}, {}};
  std::size_t next = 0;
  while (next < stages.size() && data.folds.empty()) registry.op(stages[next].op())->run(stages[next], data), ++next;
  const Table& all = data.parts.at("all");
  std::vector<DataRun> out;
  for (const FoldRows& rows : data.folds) {
    out.push_back(DataRun{plan, {{"train", all.take(rows.train)}, {"test", all.take(rows.test)}}, data.fitted});
    for (std::size_t i = next; i < stages.size(); ++i) registry.op(stages[i].op())->run(stages[i], out.back());
  }
  return out;
}

void check_same_tables(const std::map<std::string, Table>& a, const std::map<std::string, Table>& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [name, t] : a) {
    INFO("part " << name);
    CHECK(t.x == b.at(name).x);
    CHECK(t.y == b.at(name).y);
  }
}

}  // namespace

TEST_CASE("per-fold counts after a value-dependent resampler are imblearn's on the fold's training rows",
          "[kfold_resample]") {
  for (const json& c : fixture().at("cases")) {
    const std::string stages = stages_of(c);
    DYNAMIC_SECTION(stages) {
      const auto plan = plan_of(cv_yaml(stages));
      const PlanStep& kfold = step_of(*plan, "kfold");
      const PlanStep& sampler = step_of(*plan, c.at("op").get<std::string>());
      const json& folds = c.at("folds");
      REQUIRE(sampler.folds.size() == folds.size());
      for (std::size_t f = 0; f < folds.size(); ++f) {
        INFO("fold " << f + 1);
        const auto before = folds[f].at("before").get<std::vector<std::size_t>>();
        const auto after = folds[f].at("after").get<std::vector<std::size_t>>();
        CHECK(part_of(kfold.folds[f].parts, "train").class_counts == before);
        const PartInfo& train = part_of(sampler.folds[f].parts, "train");
        CHECK(train.class_counts == after);
        CHECK(train.rows == after[0] + after[1]);
        // The test part is the fold's held-out rows, untouched.
        CHECK(part_of(sampler.folds[f].parts, "test").class_counts == part_of(kfold.folds[f].parts, "test").class_counts);
        CHECK(plan->fold_data.at(f).part("train")->class_counts == after);
        // The tables planning made for this fold, kept for the run.
        CHECK(plan->planned->folds.at(f).parts.at("train").class_counts() == after);
      }
    }
  }
}

TEST_CASE("pipe run goes on from each fold's planned tables, which are the fold's run from scratch",
          "[kfold_resample]") {
  for (const std::string stages :
       {"  - op: standardize\n  - op: tomek_links\n", "  - op: standardize\n  - op: smote_enn\n    seed: 3\n",
        // two value-dependent stages, a fitted stage between: the second goes on from the first's tables
        "  - op: smote_enn\n    seed: 3\n  - op: standardize\n  - op: tomek_links\n    sampling_strategy: all\n",
        // a stage after the last value-dependent one: the run finishes it from the planned tables
        "  - op: adasyn\n    seed: 5\n  - op: gaussian_noise\n    seed: 1\n"}) {
    DYNAMIC_SECTION(stages) {
      const auto plan = plan_of(cv_yaml(stages));
      const std::vector<DataRun> scratch = folds_from_scratch(*plan);
      REQUIRE(scratch.size() == 3);
      REQUIRE(plan->planned != nullptr);
      REQUIRE(plan->planned->folds.size() == 3);
      const std::size_t resampled = plan->planned->folds[0].stages;  // data stages through the last resampler
      CHECK(resampled >= 3);
      const std::vector<Prepared> prepared = prepare(*plan, nullptr);
      // Taken out of the plan: a second run does not go on from moved-from tables.
      CHECK(plan->planned->stages == 0);
      CHECK(plan->planned->folds.empty());
      REQUIRE(prepared.size() == 3);
      for (std::size_t f = 0; f < 3; ++f) {
        INFO("fold " << f + 1);
        CHECK(prepared[f].fold == f + 1);
        check_same_tables(prepared[f].parts, scratch[f].parts);
        // Each fold's own fitted state (the scaler fitted on its training rows).
        CHECK(prepared[f].fitted == scratch[f].fitted);
        if (prepared[f].fitted.count("standardize"))
          CHECK(prepared[f].fitted.at("standardize") != prepared[(f + 1) % 3].fitted.at("standardize"));
        // The counts the run trains and tests on are the plan's for the fold.
        for (const char* name : {"train", "test"}) {
          const PartInfo* part = plan->fold_data[f].part(name);
          REQUIRE(part != nullptr);
          const Table& t = prepared[f].parts.at(name);
          // Noisy copies the trainer makes are in the plan's training rows, not yet in the table.
          const auto copies = static_cast<std::size_t>(plan->train.noise.copies);
          const std::size_t times = std::string(name) == "train" ? copies + 1 : 1;
          auto counts = t.class_counts();
          for (auto& n : counts) n *= times;
          CHECK(part->rows == t.rows * times);
          CHECK(part->class_counts == counts);
        }
      }
      // Without the planned tables, the same data again.
      const std::vector<Prepared> again = prepare(*plan, nullptr);
      for (std::size_t f = 0; f < 3; ++f) check_same_tables(again[f].parts, prepared[f].parts);
    }
  }
}

TEST_CASE("a run hook's error in some folds at plan time names them", "[kfold_resample]") {
  // Class 1: five rows far from class 0 and one among them. Each fold's adasyn weighs its
  // class-1 rows by the class-0 rows among their 2 neighbours: only the near row has one,
  // so the fold that tests it has none to weigh by.
  pipetest::TempDir dir;
  std::string csv = "x1,x2,y\n";
  for (int i = 0; i < 12; ++i) csv += std::to_string(i) + "," + std::to_string(i % 3) + ",0\n";
  for (int i = 0; i < 5; ++i) csv += std::to_string(100 + i) + ",1,1\n";
  csv += "5.5,1,1\n";
  pipetest::write_file(dir.path("near.csv"), csv);
  const std::string text = "data:\n  - op: load_csv\n    path: " + dir.path("near.csv") +
                           "\n    target: y\n  - op: kfold\n    n_splits: 3\n    shuffle: false\n"
                           "  - op: adasyn\n    n_neighbors: 2\n" + kTail;
  CHECK(pipetest::errors_of(text) ==
        "t.yaml:8:9: error: fold 3: no row of class '1' has a row of another class among its 2 nearest neighbours, "
        "so adasyn cannot weigh its rows: use smote instead\n"
        "    - op: adasyn\n"
        "          ^~~~~~\n");
}

TEST_CASE("an error before kfold keeps the folds from running the data", "[kfold_resample]") {
  // impute before kfold is refused (leakage); its run hook must not run on "all" while the
  // folds plan tomek_links.
  const std::string text = cv_yaml("  - op: tomek_links\n");
  const std::string with_impute =
      pipetest::replaced(text, "  - op: kfold\n", "  - op: impute\n    strategy: median\n  - op: kfold\n");
  CHECK(pipetest::errors_of(with_impute) ==
        "t.yaml:5:9: error: 'impute' before 'kfold' computes its statistics from test rows too (leakage)\n"
        "    - op: impute\n"
        "          ^~~~~~\n"
        "  note: move this stage after 'op: kfold'\n");
}
