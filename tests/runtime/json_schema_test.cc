// The JSON Schema of one parameter: the forms param_reader.cc reads, and nothing it refuses.
#include <catch2/catch.hpp>

#include <algorithm>

#include "dsl/pipeline.h"
#include "runtime/json_schema.h"
#include "runtime/registry.h"

using pipeml::dsl::OpKind;
using pipeml::dsl::ParamSpec;
using json = nlohmann::ordered_json;

TEST_CASE("json schema: a whole range bound is an integer, an open one exclusive") {
  const json s = pipeml::param_json_schema(ParamSpec::number("p", 0.5).min(0).max(1, true).doc("drop"), OpKind::kLayer);
  CHECK(s.at("type") == "number");
  CHECK(s.at("minimum").is_number_integer());
  CHECK(s.at("minimum") == 0);
  CHECK(s.at("exclusiveMaximum") == 1);
  CHECK(!s.contains("maximum"));
  CHECK(s.at("default") == 0.5);
  CHECK(s.at("description") == "drop");
}

TEST_CASE("json schema: a list also takes one value; an optional parameter takes null") {
  const json s = pipeml::param_json_schema(ParamSpec::int_list("hidden").min(1).optional(), OpKind::kModel);
  CHECK(s.at("type") == json::array({"integer", "array", "null"}));
  CHECK(s.at("items") == json{{"type", "integer"}, {"minimum", 1}});
  CHECK(!s.contains("default"));
}

TEST_CASE("json schema: a choice YAML reads as a number is allowed in both forms; yes and no are booleans") {
  const json e = pipeml::param_json_schema(ParamSpec::enumeration("precision", {"32", "bf16-mixed"}, "32"), OpKind::kTrain);
  CHECK(e.at("enum") == json::array({"32", 32, "bf16-mixed"}));
  const json b = pipeml::param_json_schema(ParamSpec::boolean("shuffle", true), OpKind::kTrain);
  CHECK(b.at("enum") == json::array({true, false, "yes", "no"}));
  CHECK(b.at("default") == true);
}

TEST_CASE("json schema: stage lists refer to their kind; one of the op's own kind leaves out ops with such a list") {
  const json s = pipeml::pipeline_json_schema(pipeml::Registry::builtin());
  const json& defs = s.at("definitions");
  CHECK(defs.at("op:sequential").at("properties").at("layers").at("items") == json{{"$ref", "#/definitions/stage:layer"}});
  CHECK(defs.at("op:sequential_lr").at("properties").at("schedulers").at("items") ==
        json{{"$ref", "#/definitions/stage:scheduler in schedulers"}});
  const json& inner = defs.at("stage:scheduler in schedulers").at("properties").at("op").at("enum");
  CHECK(std::find(inner.begin(), inner.end(), "step_lr") != inner.end());
  CHECK(std::find(inner.begin(), inner.end(), "sequential_lr") == inner.end());
  // The top level: exactly the DSL's keys, nothing else.
  CHECK(s.at("additionalProperties") == false);
  std::vector<std::string> keys;
  for (const auto& [k, v] : s.at("properties").items()) keys.push_back(k);
  CHECK(keys == pipeml::dsl::pipeline_keys());
  CHECK(s.at("required") == json::array({"data", "model", "loss", "optimizer", "train"}));
}
