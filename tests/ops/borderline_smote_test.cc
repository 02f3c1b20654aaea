// borderline_smote against imbalanced-learn 0.10's BorderlineSMOTE (fixtures from
// make_resample_fixtures.py): both kinds, binary and three classes, a class with no row in
// danger (nothing made), larger generated tables (every synthetic row's sum), the case
// imblearn fails with IndexError; every borderline-1 row lies between a class row and one of
// its nearest same-class rows; then the refusals.
#include <catch2/catch.hpp>

#include "ops/borderline_smote.h"
#include "tests/ops/resample_helpers.h"

namespace {

using namespace pipeml;
using pipetest::message_of;
using sampling::Strategy;

Table resampled(const nlohmann::json& c, const Table& in) {
  const auto& p = c.at("params");
  const auto kind = p.value("kind", std::string("borderline-1")) == "borderline-2" ? borderline_smote::Kind::borderline_2
                                                                                    : borderline_smote::Kind::borderline_1;
  return borderline_smote::fit_resample(in, pipetest::strategy_of(c), p.value("k_neighbors", 5),
                                        p.value("m_neighbors", 10), kind, p.at("random_state").get<std::uint64_t>());
}

TEST_CASE("borderline_smote gives imblearn's synthetic rows", "[borderline_smote]") {
  const auto fixture = pipetest::read_resample_fixture("borderline_smote.json");
  std::size_t compared = 0;
  for (const auto& c : fixture.at("cases")) {
    DYNAMIC_SECTION(c.at("name").get<std::string>()) {
      const Table in = c.contains("x") ? pipetest::input_of(c) : pipetest::generated_table(c);
      if (c.contains("imblearn_error")) {
        CHECK(message_of([&] { resampled(c, in); }) ==
              "borderline_smote 'borderline-2' steps towards other classes' rows by the numbers of same-class "
              "neighbours (as imbalanced-learn 0.10 does), and class 'c0' has more rows (45) than the other classes "
              "together (15): use kind 'borderline-1'");
      } else {
        const Table out = resampled(c, in);
        if (c.contains("row_sums")) pipetest::check_summary(c, in, out);
        else pipetest::check_output(c, in, out);
        if (c.at("params").value("kind", std::string("borderline-1")) == "borderline-1")
          CHECK(pipetest::off_segment_rows(in, out, in.rows, c.at("params").value("k_neighbors", 5)) == 0);
      }
    }
    ++compared;
  }
  CHECK(compared == 9);
}

TEST_CASE("borderline_smote's refusals", "[borderline_smote]") {
  Table t;
  t.columns = {"x", "ca"};
  t.class_names = {"no", "yes"};
  t.rows = 5;
  t.x = {0, 0, 1, 0, 0, 1, 1, 1, 0.5f, 0.5f};
  t.y = {0, 0, 0, 1, 1};
  const auto one = borderline_smote::Kind::borderline_1;
  CHECK(message_of([&] { borderline_smote::fit_resample(t, Strategy::named("auto"), 1, 10, one, 0); }) ==
        "the training part has 5 rows, too few for borderline_smote with m_neighbors '10': each row needs 10 "
        "neighbours, so at least 11 rows (lower m_neighbors)");
  // Both rows of class 'yes' are in danger (3 of their 4 nearest rows are 'no'): k 2 needs 3.
  CHECK(message_of([&] { borderline_smote::fit_resample(t, Strategy::named("auto"), 2, 4, one, 0); }) ==
        "class 'yes' has 2 rows, too few for borderline_smote with k_neighbors '2': each row needs 2 neighbours of its "
        "class, so at least 3 rows (lower k_neighbors or leave the class out of sampling_strategy)");
  CHECK(borderline_smote::fit_resample(t, Strategy::named("auto"), 1, 4, one, 0).rows == 6);
  CHECK(message_of([&] { borderline_smote::fit_resample(t, Strategy::named("majority"), 1, 4, one, 0); }) ==
        "sampling_strategy 'majority' cannot be used with an over-sampler such as borderline_smote");
}

}  // namespace
