// pipe run pipelines/heart.yaml reproduces the Python recipe (../shared/reference/heart_ref.py)
// seed for seed: the same split, SMOTE rows, noise draws, weights, shuffles, dropout masks
// and AdamW + StepLR steps give the same test metrics. Fixture:
// tests/fixtures/make_heart_ref_fixtures.py (the metrics heart_ref.py printed, 4 decimals).
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

TEST_CASE("pipe run heart.yaml gives heart_ref.py's test metrics for the same seed", "[parity]") {
  const auto fixture = nlohmann::json::parse(pipetest::read_file(std::string(PIPE_TEST_DIR) + "/fixtures/heart_ref_metrics.json"));
  const pipetest::TempDir tmp;
  for (const auto& c : fixture["cases"]) {
    const std::string seed = std::to_string(c["seed"].get<int>());
    const std::string out = tmp.path("seed" + seed);
    const auto r = pipetest::run_pipe("run pipelines/heart.yaml --device cpu --seed " + seed + " --out " + out);
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto m = nlohmann::json::parse(pipetest::read_file(out + "/metrics.json"));
    const auto minor = [](const std::string& v) { return v.substr(0, v.find('.', v.find('.') + 1)); };  // "1.13"
    if (minor(m["torch_version"]) != minor(fixture["torch"])) {
      WARN("skipped: LibTorch " << m["torch_version"] << " here, the fixture is from PyTorch " << fixture["torch"]
                                << " (their kernels round differently)");
      return;
    }
    INFO("seed " << seed);
    for (const auto& [name, expected] : c["metrics"].items())
      CHECK(std::round(m["test"][name].get<double>() * 1e4) / 1e4 == Approx(expected.get<double>()).margin(1e-9));
  }
}
