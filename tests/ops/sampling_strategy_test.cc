// sampling::resolve against imbalanced-learn 0.10's check_sampling_strategy for under- and
// clean-sampling (fixtures from tests/fixtures/make_resample_fixtures.py; over-sampling is
// checked in smote_test.cc against make_split_smote_fixtures.py), then every message.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "ops/sampling_strategy.h"
#include "runtime/user_error.h"
#include "tests/message_of.h"

namespace {

using pipetest::message_of;

using namespace pipeml;
using nlohmann::json;
using sampling::Strategy;
using sampling::Type;
using Map = std::map<int, std::size_t>;

json read_fixture(const std::string& name) {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/resample/" + name);
  REQUIRE(in);
  return json::parse(in);
}

Strategy strategy_of(const json& s) {
  if (s.contains("name")) return Strategy::named(s.at("name"));
  if (s.contains("ratio")) return Strategy::ratio_of(s.at("ratio"));
  if (s.contains("classes")) return Strategy::classes_of(s.at("classes").get<std::vector<int>>());
  std::map<int, std::int64_t> targets;
  for (const auto& [label, rows] : s.at("targets").items()) targets[std::stoi(label)] = rows.get<std::int64_t>();
  return Strategy::targets_of(targets);
}

TEST_CASE("resolve is imblearn's check_sampling_strategy for under- and clean-sampling", "[sampling_strategy]") {
  const json fixture = read_fixture("sampling_strategy.json");
  const auto& cases = fixture.at("cases");
  REQUIRE(cases.size() >= 300);
  std::size_t refused = 0, under = 0, clean = 0;
  for (const auto& c : cases) {
    INFO(c.dump());
    const Type type = c.at("type") == "under-sampling" ? Type::under : Type::clean;
    (type == Type::under ? under : clean) += 1;
    const auto counts = c.at("counts").get<std::vector<std::size_t>>();
    const auto call = [&] { return sampling::resolve(counts, strategy_of(c.at("strategy")), type); };
    if (c.contains("imblearn_error")) {
      CHECK_THROWS_AS(call(), UserError);
      ++refused;
      continue;
    }
    Map want;
    for (const auto& pair : c.at("out")) want[pair.at(0).get<int>()] = pair.at(1).get<std::size_t>();
    CHECK(call() == want);
  }
  CHECK(under == clean);
  CHECK(refused > 100);
}

TEST_CASE("under- and clean-sampling's named strategies", "[sampling_strategy]") {
  // Ties: the majority and the minority are the lowest of the equal labels.
  CHECK(sampling::resolve({9, 12, 12, 5}, Strategy::named("auto"), Type::under) == Map{{0, 5}, {1, 5}, {2, 5}});
  CHECK(sampling::resolve({9, 12, 12, 5}, Strategy::named("majority"), Type::under) == Map{{1, 5}});
  CHECK(sampling::resolve({9, 12, 12, 5}, Strategy::named("not majority"), Type::clean) ==
        Map{{0, 5}, {2, 5}, {3, 5}});
  CHECK(sampling::resolve({0, 7, 0, 10}, Strategy::named("all"), Type::clean) == Map{{1, 7}, {3, 7}});
  CHECK(sampling::resolve({30, 12}, Strategy::ratio_of(0.5), Type::under) == Map{{0, 24}});
  CHECK(sampling::resolve({30, 12}, Strategy::ratio_of(0.41), Type::under) == Map{{0, 29}});  // int(29.27)
  CHECK(sampling::resolve({30, 12}, Strategy::targets_of({{0, 0}}), Type::under) == Map{{0, 0}});
  CHECK(sampling::resolve({30, 12}, Strategy::classes_of({1, 0}), Type::clean) == Map{{0, 12}, {1, 12}});
}

TEST_CASE("under- and clean-sampling's messages", "[sampling_strategy]") {
  const std::vector<std::string> names{"no", "yes", "maybe"};
  const auto under = [&](std::vector<std::size_t> counts, const Strategy& s) {
    return message_of([&] { sampling::resolve(counts, s, Type::under, names, "random_under_sampler"); });
  };
  const auto clean = [&](std::vector<std::size_t> counts, const Strategy& s) {
    return message_of([&] { sampling::resolve(counts, s, Type::clean, names, "tomek_links"); });
  };
  CHECK(under({5, 0}, Strategy::named("auto")) == "the target needs more than 1 class to undersample, got 1");
  CHECK(clean({0, 0, 4}, Strategy::named("auto")) == "the target needs more than 1 class to clean, got 1");
  CHECK(under({30, 12}, Strategy::named("minority")) ==
        "sampling_strategy 'minority' cannot be used with an under-sampler such as random_under_sampler");
  CHECK(clean({30, 12}, Strategy::named("minority")) ==
        "sampling_strategy 'minority' cannot be used with a cleaning sampler such as tomek_links");
  CHECK(under({30, 12}, Strategy::ratio_of(0.39)) == "(no error)");  // int(30.77): all 30 rows, allowed
  CHECK(under({30, 12}, Strategy::ratio_of(0.3)) ==
        "sampling_strategy '0.3' asks for 40 rows of class 'no', which has 30: increase the ratio so that "
        "random_under_sampler removes rows");
  CHECK(under({30, 12, 4}, Strategy::ratio_of(0.5)) ==
        "sampling_strategy '0.5' can be a ratio only for 2 classes, got 3: give the rows wanted per class instead");
  CHECK(clean({30, 12}, Strategy::ratio_of(0.5)) ==
        "sampling_strategy '0.5' cannot be a ratio for a cleaning sampler such as tomek_links: name the classes to "
        "clean instead");
  CHECK(clean({30, 12}, Strategy::ratio_of(2.0)) == "sampling_strategy '2' should be in (0, 1] when it is a ratio");
  CHECK(under({30, 12}, Strategy::targets_of({{1, 13}})) ==
        "sampling_strategy asks for '13' rows of class 'yes', which has 12: an under-sampler can only remove rows");
  CHECK(under({30, 12}, Strategy::targets_of({{1, -2}})) ==
        "sampling_strategy asks for '-2' rows of class 'yes': a number of rows cannot be negative");
  CHECK(under({30, 12}, Strategy::targets_of({{2, 4}})) ==
        "sampling_strategy names class 'maybe', which is not in the data");
  CHECK(clean({30, 12}, Strategy::targets_of({{1, 4}})) ==
        "sampling_strategy cannot give rows per class to a cleaning sampler such as tomek_links: list the classes "
        "to clean instead");
  CHECK(clean({30, 12}, Strategy::classes_of({2})) == "sampling_strategy names class 'maybe', which is not in the data");
  CHECK(under({30, 12}, Strategy::classes_of({0})) ==
        "sampling_strategy can list classes only for a cleaning sampler; random_under_sampler takes the rows "
        "wanted per class instead");
}

}  // namespace
