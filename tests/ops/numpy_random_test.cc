// NumpyRandomState against numpy's own RandomState (fixtures from
// tests/fixtures/make_split_smote_fixtures.py and make_resample_fixtures.py): every op of a long sequence per seed, in
// order, so a draw too many or too few anywhere shows up in everything after it.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "runtime/numpy_random.h"
#include "runtime/user_error.h"

namespace {

using namespace pipeml;
using nlohmann::json;

json read_fixture(const std::string& name, const std::string& folder = "split_smote") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/" + folder + "/" + name);
  REQUIRE(in);
  return json::parse(in);
}

std::vector<std::int64_t> int64s(const json& a) { return a.get<std::vector<std::int64_t>>(); }

// Runs one fixture op on `rs` and checks what it returns.
void check_op(NumpyRandomState& rs, const json& op) {
  const std::string name = op.at("op");
  INFO("op " << op.dump());
  if (name == "next32") {
    // The fixture keeps words 0..7 and 620..629 of 630: the regeneration is at 624.
    std::vector<std::uint32_t> words;
    for (int i = 0; i < 630; ++i) words.push_back(rs.next32());
    std::vector<std::uint32_t> kept(words.begin(), words.begin() + 8);
    kept.insert(kept.end(), words.begin() + 620, words.end());
    CHECK(kept == op.at("out").get<std::vector<std::uint32_t>>());
  } else if (name == "random_sample") {
    for (const auto& v : op.at("out")) CHECK(rs.random_sample() == v.get<double>());
  } else if (name == "uniform") {
    const auto got = rs.uniform(op.at("low"), op.at("high"), op.at("size").get<std::size_t>());
    CHECK(got == op.at("out").get<std::vector<double>>());
  } else if (name == "randint") {
    CHECK(rs.randint(op.at("low"), op.at("high"), op.at("size").get<std::size_t>()) == int64s(op.at("out")));
  } else if (name == "randint_scalar") {
    for (const auto& v : op.at("out")) CHECK(rs.randint(op.at("low"), op.at("high")) == v.get<std::int64_t>());
  } else if (name == "permutation") {
    CHECK(rs.permutation(op.at("n").get<std::size_t>()) == int64s(op.at("out")));
  } else if (name == "shuffle") {
    auto values = op.at("in").get<std::vector<int>>();
    rs.shuffle(values);
    CHECK(values == op.at("out").get<std::vector<int>>());
  } else if (name == "choice") {
    CHECK(rs.choice_without_replacement(op.at("pop"), op.at("size")) == int64s(op.at("out")));
  } else if (name == "choice_with_replacement") {
    CHECK(rs.choice_with_replacement(op.at("pop"), op.at("size")) == int64s(op.at("out")));
  } else if (name == "standard_normal") {
    for (const auto& v : op.at("out")) CHECK(rs.standard_normal() == v.get<double>());
  } else if (name == "standard_gamma") {
    for (const auto& v : op.at("out")) CHECK(rs.standard_gamma(op.at("shape")) == v.get<double>());
  } else if (name == "beta") {
    for (const auto& v : op.at("out")) CHECK(rs.beta(op.at("a"), op.at("b")) == v.get<double>());
  } else {
    FAIL("unknown op " << name);
  }
}

TEST_CASE("NumpyRandomState replays numpy's RandomState call for call", "[numpy_random]") {
  const json fixture = read_fixture("numpy_random.json");
  REQUIRE(fixture.at("sequences").size() == 5);
  for (const auto& sequence : fixture.at("sequences")) {
    const std::uint64_t seed = sequence.at("seed");
    DYNAMIC_SECTION("seed " << seed) {
      NumpyRandomState rs(seed);
      for (const auto& op : sequence.at("ops")) check_op(rs, op);
    }
  }
}

TEST_CASE("NumpyRandomState's normal, gamma and beta draws are numpy's, bit for bit", "[numpy_random]") {
  // From tests/fixtures/make_resample_fixtures.py: what RandomOverSampler's shrinkage and
  // BorderlineSMOTE's borderline-2 draw, and choice with replacement.
  const json fixture = read_fixture("numpy_draws.json", "resample");
  REQUIRE(fixture.at("sequences").size() == 3);
  for (const auto& sequence : fixture.at("sequences")) {
    const std::uint64_t seed = sequence.at("seed");
    DYNAMIC_SECTION("seed " << seed) {
      NumpyRandomState rs(seed);
      for (const auto& op : sequence.at("ops")) check_op(rs, op);
    }
  }
}

TEST_CASE("NumpyRandomState(42) gives numpy's well-known first numbers", "[numpy_random]") {
  // np.random.RandomState(42): random_sample() -> 0.3745401188473625, 0.9507143064099162;
  // permutation(10) -> [8 1 5 0 7 2 9 4 3 6]; randint(0, 10, 5) -> [6 3 7 4 6].
  NumpyRandomState a(42);
  CHECK(a.random_sample() == 0.3745401188473625);
  CHECK(a.random_sample() == 0.9507143064099162);
  NumpyRandomState b(42);
  CHECK(b.permutation(10) == std::vector<std::int64_t>{8, 1, 5, 0, 7, 2, 9, 4, 3, 6});
  NumpyRandomState c(42);
  CHECK(c.randint(0, 10, 5) == std::vector<std::int64_t>{6, 3, 7, 4, 6});
  NumpyRandomState d(42);
  CHECK(d.next32() == 1608637542u);
}

TEST_CASE("NumpyRandomState: a one-value range, or an empty size, draws nothing", "[numpy_random]") {
  NumpyRandomState a(7), b(7);
  CHECK(a.randint(3, 4) == 3);
  CHECK(a.randint(0, 9, 0).empty());
  CHECK(a.choice_without_replacement(0, 0).empty());
  CHECK(a.random_interval(0) == 0);
  CHECK(a.next32() == b.next32());
}

TEST_CASE("NumpyRandomState takes numpy's seed range and refuses the rest", "[numpy_random]") {
  NumpyRandomState top(4294967295ull);  // the largest seed numpy accepts
  CHECK_THROWS_MATCHES(NumpyRandomState(4294967296ull), UserError,
                       Catch::Message("seed '4294967296' is too large: numpy's RandomState takes seeds from 0 to "
                                      "4294967295"));
  NumpyRandomState rs(1);
  CHECK_THROWS_AS(rs.randint(5, 5), std::invalid_argument);
  CHECK_THROWS_AS(rs.choice_without_replacement(3, 4), std::invalid_argument);
  CHECK_THROWS_AS(rs.choice_with_replacement(0, 1), std::invalid_argument);
  CHECK(rs.choice_with_replacement(0, 0).empty());
}

}  // namespace
