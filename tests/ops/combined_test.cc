// smote_tomek and smote_enn against imbalanced-learn 0.10's SMOTETomek and SMOTEENN
// (fixtures from make_resample_fixtures.py): the rows of SMOTE's output the cleaner keeps,
// exactly, and every output row to float32 rounding.
#include <catch2/catch.hpp>

#include "ops/cleaning.h"
#include "tests/ops/resample_helpers.h"

namespace {

using namespace pipeml;

TEST_CASE("smote_tomek and smote_enn give imblearn's rows", "[combined]") {
  const auto fixture = pipetest::read_resample_fixture("combined.json");
  std::size_t tomek = 0, enn = 0;
  for (const auto& c : fixture.at("cases")) {
    const std::string sampler = c.at("sampler");
    DYNAMIC_SECTION(sampler << ": " << c.at("name").get<std::string>()) {
      const Table in = pipetest::input_of(c);
      const std::uint64_t seed = c.at("params").at("random_state");
      std::vector<std::size_t> kept;
      const Table out = sampler == "smote_tomek"
                            ? cleaning::smote_tomek(in, pipetest::strategy_of(c), 5, seed, &kept)
                            : cleaning::smote_enn(in, pipetest::strategy_of(c), 5, 3, cleaning::KindSel::all, seed, &kept);
      CHECK(kept == c.at("kept").get<std::vector<std::size_t>>());
      pipetest::check_output(c, in, out);
    }
    (sampler == "smote_tomek" ? tomek : enn) += 1;
  }
  CHECK(tomek == 2);
  CHECK(enn == 2);
}

}  // namespace
