// step_lr gives PyTorch's StepLR learning rates exactly (the plan prints them and the
// trainer applies them), on fixtures from tests/fixtures/make_scheduler_fixtures.py.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/planner.h"
#include "runtime/registry.h"

using namespace pipeml;

TEST_CASE("step_lr's schedule equals torch.optim.lr_scheduler.StepLR's, bit for bit", "[step_lr]") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/step_lr_cases.json");
  REQUIRE(in);
  const auto fixture = nlohmann::json::parse(in);
  for (const auto& c : fixture["cases"]) {
    dsl::Overrides o;
    o.sets = {"optimizer.lr=" + c["lr"].dump(), "scheduler.step_size=" + c["step_size"].dump(),
              "scheduler.gamma=" + c["gamma"].dump(), "train.epochs=" + std::to_string(c["lrs"].size())};
    dsl::Diagnostics diags;
    const auto plan = plan_file(std::string(PIPE_SOURCE_DIR) + "/pipelines/heart.yaml", o, Registry::builtin(), diags);
    INFO(diags.str());
    REQUIRE(plan);
    INFO("lr " << c["lr"] << " step_size " << c["step_size"] << " gamma " << c["gamma"]);
    CHECK(plan->lr_by_epoch == c["lrs"].get<std::vector<double>>());
  }
}
