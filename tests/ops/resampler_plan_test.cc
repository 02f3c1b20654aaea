// Every resampler's plan hook against its run hook on the heart data: the rows and class
// counts `pipe plan` shows after each data stage are exactly what running the stages gives
// (computed without running where they are determined by the counts, on the data where
// they depend on the values); the plan's own run of the data is what `pipe run` goes on from.
#include <catch2/catch.hpp>

#include "runtime/planner.h"
#include "runtime/registry.h"
#include "tests/dsl/error_helpers.h"

namespace {

using namespace pipeml;

// The heart pipeline with `stages` where its smote and gaussian_noise stages were (and
// drop_last, so that no row count trips the BatchNorm check on a last batch of one).
std::string heart_with(const std::string& stages) {
  return pipetest::replaced(
      pipetest::replaced(pipetest::heart_yaml(), "  - op: smote\n    seed: 42\n  - op: gaussian_noise\n", stages),
      "batch_size: 32\n", "batch_size: 32\n  drop_last: true\n");
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

// Runs the data stages from scratch, one by one, and checks each step's planned parts.
void check_plan_matches_run(const Plan& plan) {
  DataRun run{plan, {}, {}};
  const auto& stages = plan.pipeline.data;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    Registry::builtin().op(stages[i].op())->run(stages[i], run);
    const PlanStep& step = plan.steps.at(i);
    REQUIRE(step.stage == &stages[i]);
    for (const PartInfo& part : step.parts) {
      INFO("after stage " << stages[i].id << ", part " << part.name);
      const Table& t = run.parts.at(part.name);
      // Noisy copies made by the trainer are in the plan's counts, not yet in the table.
      std::size_t times = 1;
      if (stages[i].op() == "gaussian_noise" && part.name == "train" && plan.train.noise.copies > 0)
        times = static_cast<std::size_t>(plan.train.noise.copies) + 1;
      auto counts = t.class_counts();
      for (auto& c : counts) c *= times;
      CHECK(part.rows == t.rows * times);
      CHECK(part.class_counts == counts);
    }
    // What planning ran on the data is what `pipe run` goes on from: the same tables.
    if (plan.planned && plan.planned->stages == i + 1) {
      for (const auto& [name, t] : run.parts) {
        INFO("planned part " << name);
        const Table& planned = plan.planned->parts.at(name);
        CHECK(planned.x == t.x);
        CHECK(planned.y == t.y);
      }
    }
  }
}

const char* const kResamplers[] = {
    "  - op: smote\n    sampling_strategy: {0: 140, 1: 150}\n",
    "  - op: random_over_sampler\n",
    "  - op: random_over_sampler\n    sampling_strategy: 0.9\n    shrinkage: 0.5\n",
    "  - op: random_under_sampler\n",
    "  - op: random_under_sampler\n    sampling_strategy: {0: 50, 1: 60}\n    replacement: true\n",
    "  - op: tomek_links\n",
    "  - op: borderline_smote\n",
    "  - op: adasyn\n    n_neighbors: 7\n",
    "  - op: smote_nc\n    categorical_features: [cp, thal, sex]\n    sampling_strategy: all\n",
    "  - op: borderline_smote\n    kind: borderline-2\n    m_neighbors: 7\n",
    "  - op: tomek_links\n    sampling_strategy: all\n  - op: gaussian_noise\n",
    "  - op: edited_nearest_neighbours\n    sampling_strategy: [0]\n    kind_sel: mode\n",
    "  - op: smote_tomek\n    seed: 3\n",
    "  - op: smote_enn\n    sampling_strategy: 0.9\n    n_neighbors: 5\n",
    // Two value-dependent stages: the second goes on from the first's tables.
    "  - op: smote_enn\n  - op: tomek_links\n    sampling_strategy: [1]\n",
};

TEST_CASE("the random samplers keep missing values, and the plan follows which rows they keep", "[resampler_plan]") {
  // Before impute's drop_rows: the rows dropped are counted among the rows the sampler kept
  // (copies of a row with a missing value are dropped with it).
  for (const char* sampler : {"random_under_sampler", "random_over_sampler"}) {
    DYNAMIC_SECTION(sampler) {
      std::string text = pipetest::replaced(heart_with(""), "  - op: impute\n    strategy: median\n",
                                            std::string("  - op: ") + sampler + "\n    seed: 5\n  - op: impute\n"
                                            "    strategy: drop_rows\n");
      const auto plan = plan_of(text);
      check_plan_matches_run(*plan);
    }
  }
}

TEST_CASE("each resampler's planned counts are what it does to the data", "[resampler_plan]") {
  std::size_t from_data = 0;
  for (const char* stage : kResamplers) {
    DYNAMIC_SECTION(stage) {
      const auto plan = plan_of(heart_with(stage));
      check_plan_matches_run(*plan);
    }
    from_data += plan_of(heart_with(stage))->planned != nullptr;
  }
  CHECK(from_data == 9);  // cleaners, combinations, borderline_smote, adasyn; the others from counts
}

}  // namespace
