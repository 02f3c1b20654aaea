// Switching stages off (`enabled: false`) and the file's `variants:` (--variant NAME): what
// pipe sweep's rows are made of. Each variant's changes are checked like --set's, located
// where the file writes them.
#include <catch2/catch.hpp>

#include "tests/dsl/error_helpers.h"

using namespace pipetest;
using namespace pipeml;

namespace {

const char* const kVariants = R"(variants:
  original:
    smote.enabled: false
    model.dropout: 0
  full:
)";

std::unique_ptr<Plan> plan_of(const std::string& text, const dsl::Overrides& o = {}) {
  dsl::Diagnostics diags;
  auto p = dsl::parse_pipeline("t.yaml", text, Registry::builtin(), o, diags);
  INFO(diags.str());
  REQUIRE(p);
  auto plan = make_plan(std::move(*p), o, Registry::builtin(), diags);
  REQUIRE(plan);
  return plan;
}

dsl::Overrides variant(const std::string& name) {
  dsl::Overrides o;
  o.variant = name;
  return o;
}

bool has_stage(const Plan& plan, const std::string& id) {
  for (const auto& s : plan.pipeline.data)
    if (s.id == id) return true;
  return false;
}

}  // namespace

TEST_CASE("enabled: false leaves a data stage or the scheduler out", "[variants]") {
  const auto on = plan_of(heart_yaml());
  const auto off = plan_of(replaced(heart_yaml(), "  - op: smote\n", "  - op: smote\n    enabled: false\n"));
  CHECK(has_stage(*on, "smote"));
  CHECK_FALSE(has_stage(*off, "smote"));
  CHECK(off->pipeline.switched_off == std::vector<std::string>{"smote"});
  CHECK(off->pipeline.data.size() + 1 == on->pipeline.data.size());
  // --set switches the same way; true switches a stage the file has off back on.
  const auto by_set = plan_of(heart_yaml(), sets({"smote.enabled=false", "scheduler.enabled=false"}));
  CHECK_FALSE(has_stage(*by_set, "smote"));
  CHECK_FALSE(by_set->pipeline.scheduler);
  CHECK(by_set->pipeline.switched_off == std::vector<std::string>{"smote", "scheduler"});
  const auto back = plan_of(replaced(heart_yaml(), "  - op: smote\n", "  - op: smote\n    enabled: false\n"), sets({"smote.enabled=true"}));
  CHECK(has_stage(*back, "smote"));
}

TEST_CASE("a stage switched off is still checked", "[variants]") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: smote\n    seed: 42\n", "  - op: smote\n    enabled: false\n    seeds: 42\n")) ==
        "t.yaml:19:5: error: unknown parameter 'seeds' for 'smote' \u2014 did you mean 'seed'?\n"
        "      seeds: 42\n"
        "      ^~~~~\n"
        "  note: 'smote' takes 'sampling_strategy', 'k_neighbors', 'part', and 'seed'\n");
}

TEST_CASE("enabled: only true or false, only where a stage may be left out", "[variants]") {
  CHECK(errors_of(replaced(heart_yaml(), "  - op: smote\n", "  - op: smote\n    enabled: maybe\n")) ==
        "t.yaml:18:14: error: expected true or false for 'enabled', got 'maybe'\n"
        "      enabled: maybe\n"
        "               ^~~~~\n"
        "  note: enabled: false: the stage is checked, then left out (a variant without it); default true\n");
  CHECK(errors_of(replaced(heart_yaml(), "  op: mlp\n", "  op: mlp\n  enabled: false\n")) ==
        "t.yaml:22:12: error: only data stages and the scheduler can be switched off; the model stage is always needed\n"
        "    enabled: false\n"
        "             ^~~~~\n"
        "  note: take 'enabled:' out\n");
}

TEST_CASE("--variant applies the file's changes before --set", "[variants]") {
  const std::string text = heart_yaml() + kVariants;
  const auto original = plan_of(text, variant("original"));
  CHECK_FALSE(has_stage(*original, "smote"));
  CHECK(original->pipeline.model.number("dropout") == 0);
  CHECK(original->pipeline.variant == "original");
  CHECK(original->pipeline.variant_names == std::vector<std::string>{"original", "full"});
  // The file's changes are located where it writes them.
  CHECK(original->pipeline.model.param("dropout").loc.line == 39);
  auto o = variant("original");
  o.sets = {"model.dropout=0.2"};
  CHECK(plan_of(text, o)->pipeline.model.number("dropout") == 0.2);
  // An empty variant is the file as written; without --variant, the file as written too.
  CHECK(has_stage(*plan_of(text, variant("full")), "smote"));
  CHECK(has_stage(*plan_of(text), "smote"));
}

TEST_CASE("a variant's mistakes are located in the file", "[variants]") {
  const std::string text = heart_yaml() + R"(variants:
  bad:
    smoet.enabled: false
    model.dropout: 3
    model: 1
  bad:
  worse: [1]
)";
  // Every mistake, in the file's order.
  CHECK(errors_of(text, variant("bad")) ==
        "t.yaml:38:5: error: no stage called 'smoet' \u2014 did you mean 'smote'?\n"
        "      smoet.enabled: false\n"
        "      ^~~~~~~~~~~~~\n"
        "  note: the stages are 'load_csv', 'split', 'impute', 'standardize', 'smote', 'gaussian_noise', 'model', 'loss', "
        "'optimizer', 'scheduler', 'train', and 'evaluate'\n"
        "t.yaml:39:20: error: 'dropout' must be in [0, 1), got '3'\n"
        "      model.dropout: 3\n"
        "                     ^\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n"
        "t.yaml:40:5: error: expected STAGE.PARAM, for example 'smote.enabled', got 'model'\n"
        "      model: 1\n"
        "      ^~~~~\n"
        "t.yaml:41:3: error: variant 'bad' is given twice (first on line 37)\n"
        "    bad:\n"
        "    ^~~\n"
        "  note: give each variant a name of its own\n"
        "t.yaml:42:10: error: expected a mapping of changes for variant 'worse', got a list\n"
        "    worse: [1]\n"
        "           ^\n"
        "  note: write each change as 'STAGE.PARAM: VALUE', for example 'smote.enabled: false'; leave it empty for the file as written\n");
}

TEST_CASE("--variant names one of the file's variants", "[variants]") {
  CHECK(errors_of(heart_yaml() + kVariants, variant("orignal")) ==
        "--variant orignal: error: no variant called 'orignal' \u2014 did you mean 'original'?\n"
        "  note: the variants are 'original' and 'full'\n");
  CHECK(errors_of(heart_yaml(), variant("original")) ==
        "--variant original: error: the pipeline declares no variants\n"
        "  note: declare them under 'variants:' (see docs/sweep.md)\n");
  CHECK(errors_of(heart_yaml() + "variants: []\n") ==
        "t.yaml:36:11: error: expected a mapping of variant names under 'variants', got a list\n"
        "  variants: []\n"
        "            ^\n"
        "  note: write each as 'NAME: {STAGE.PARAM: VALUE, ...}', for example 'no_smote: {smote.enabled: false}'\n");
}

TEST_CASE("the first data stage reads the data, also when the loader is switched off", "[variants]") {
  CHECK(errors_of(heart_yaml(), sets({"load_csv.enabled=false"})) ==
        "t.yaml:11:9: error: the first data stage must read the data; 'split' does not\n"
        "    - op: split\n"
        "          ^~~~~\n"
        "  note: start 'data:' with 'load_csv', 'load_cifar10', or 'load_images' (switched off here: 'load_csv')\n");
}
