// tomek_links and edited_nearest_neighbours against imbalanced-learn 0.10's TomekLinks and
// EditedNearestNeighbours (fixtures from make_resample_fixtures.py): the same rows removed,
// the rest in imblearn's order, on small overlapping tables and larger generated ones;
// then the refusals.
#include <catch2/catch.hpp>

#include "ops/cleaning.h"
#include "tests/ops/resample_helpers.h"

namespace {

using namespace pipeml;
using pipetest::message_of;
using sampling::Strategy;

std::vector<std::size_t> kept_by(const nlohmann::json& c, const Table& in) {
  const auto& p = c.at("params");
  if (c.at("sampler") == "tomek_links") return cleaning::tomek_links(in, pipetest::strategy_of(c));
  const auto kind = p.value("kind_sel", std::string("all")) == "mode" ? cleaning::KindSel::mode : cleaning::KindSel::all;
  return cleaning::edited_nearest_neighbours(in, pipetest::strategy_of(c), p.value("n_neighbors", 3), kind);
}

TEST_CASE("cleaners remove the rows imblearn removes", "[cleaning]") {
  const auto fixture = pipetest::read_resample_fixture("cleaners.json");
  std::size_t tomek = 0, enn = 0, removed = 0;
  for (const auto& c : fixture.at("cases")) {
    DYNAMIC_SECTION(c.at("sampler").get<std::string>() << ": " << c.at("name").get<std::string>()) {
      const Table in = c.contains("x") ? pipetest::input_of(c) : pipetest::generated_table(c);
      const auto kept = kept_by(c, in);
      CHECK(kept == c.at("indices").get<std::vector<std::size_t>>());
      pipetest::check_output(c, in, in.take(kept), true);
    }
    (c.at("sampler") == "tomek_links" ? tomek : enn) += 1;
    removed += (c.contains("x") ? c.at("y").size() : c.at("n").get<std::size_t>()) - c.at("y_out").size();
  }
  CHECK(tomek == 6);
  CHECK(enn == 6);
  CHECK(removed > 3000);  // every case removes rows, so the comparison means something
}

TEST_CASE("tomek links: mutual nearest rows of different classes", "[cleaning]") {
  // Rows 0 (class 0) and 1 (class 1) are each other's nearest: a link. Row 2 (class 1) is
  // nearest to row 3 (class 1). Row 4's nearest is row 3, but row 3's is row 2: no link.
  Table t;
  t.columns = {"x"};
  t.class_names = {"a", "b"};
  t.rows = 5;
  t.x = {0.0f, 0.5f, 3.0f, 3.2f, 3.9f};
  t.y = {0, 1, 1, 1, 0};
  CHECK(cleaning::tomek_links(t, Strategy::named("all")) == std::vector<std::size_t>{2, 3, 4});
  CHECK(cleaning::tomek_links(t, Strategy::named("auto")) == std::vector<std::size_t>{0, 2, 3, 4});  // not minority
  CHECK(cleaning::tomek_links(t, Strategy::classes_of({1})) == std::vector<std::size_t>{0, 2, 3, 4});
}

TEST_CASE("cleaners' refusals", "[cleaning]") {
  Table t;
  t.columns = {"x", "ca"};
  t.class_names = {"no", "yes"};
  t.rows = 3;
  t.x = {1, 2, 3, 4, 5, 6};
  t.y = {0, 0, 1};
  CHECK(message_of([&] { cleaning::edited_nearest_neighbours(t, Strategy::named("all"), 3, cleaning::KindSel::all); }) ==
        "the training part has 3 rows, too few for edited_nearest_neighbours with n_neighbors '3': each row needs 3 "
        "neighbours, so at least 4 rows");
  CHECK(message_of([&] { cleaning::tomek_links(t, Strategy::targets_of({{0, 1}})); }) ==
        "sampling_strategy cannot give rows per class to a cleaning sampler such as tomek_links: list the classes to "
        "clean instead");
  CHECK(message_of([&] { cleaning::tomek_links(t, Strategy::ratio_of(0.5), "smote_tomek"); }) ==
        "sampling_strategy '0.5' cannot be a ratio for a cleaning sampler such as smote_tomek: name the classes to "
        "clean instead");
  t.x[3] = NAN;
  CHECK(message_of([&] { cleaning::tomek_links(t, Strategy::named("all")); }) ==
        "tomek_links needs complete data but column 'ca' has missing values (NaN): impute them first");
  t.x[3] = 4;
  t.y = {1, 1, 1};
  CHECK(message_of([&] { cleaning::tomek_links(t, Strategy::named("all")); }) ==
        "the target needs more than 1 class to clean, got 1");
}

}  // namespace
