// `pipe plan` output for the reference pipeline, text and JSON, against golden files.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"

using pipetest::golden;
using pipetest::run_pipe;

TEST_CASE("pipe plan prints the heart plan") {
  const auto r = run_pipe("plan pipelines/heart.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart.plan.txt", r.out));
  // The numbers the issue names, so a golden file rewritten by mistake still fails here.
  CHECK(r.out.find("train 242 = {0: 131, 1: 111}") != std::string::npos);
  CHECK(r.out.find("test 61 = {0: 33, 1: 28}") != std::string::npos);
  CHECK(r.out.find("train 262 = {0: 131, 1: 131}") != std::string::npos);
  CHECK(r.out.find("train 524 = {0: 262, 1: 262}") != std::string::npos);
  CHECK(r.out.find("10,497") != std::string::npos);
}

TEST_CASE("pipe plan --format json gives the same plan as JSON") {
  const auto r = run_pipe("plan pipelines/heart.yaml --format json", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart.plan.json", r.out));
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["model"]["total_params"] == 10497);
  CHECK(j["stages"][1]["parts"][0]["class_counts"] == nlohmann::json({131, 111}));
  CHECK(j["lr_by_epoch"].size() == 50);
}

TEST_CASE("pipe validate says ok in one line") {
  const auto r = run_pipe("validate pipelines/heart.yaml");
  CHECK(r.code == 0);
  CHECK(r.out == "pipelines/heart.yaml: ok \u2014 6 data stages, mlp (10497 parameters), adamw + step_lr, 50 epochs\n");
}

TEST_CASE("pipe plan prints the cross-validated heart plan, each fold's parts") {
  const auto r = run_pipe("plan examples/heart_cv.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_cv.plan.txt", r.out));
  // The folds as sklearn's StratifiedKFold(5, shuffle=True, random_state=42) makes them,
  // and what smote makes of fold 5's extra row of class 0.
  CHECK(r.out.find("    -> fold 1: train 242 = {0: 131, 1: 111}, test 61 = {0: 33, 1: 28}\n") != std::string::npos);
  CHECK(r.out.find("    -> fold 4: train 243 = {0: 131, 1: 112}, test 60 = {0: 33, 1: 27}\n") != std::string::npos);
  CHECK(r.out.find("    -> fold 5: train 528 = {0: 264, 1: 264}, test 60 = {0: 32, 1: 28}\n") != std::string::npos);
  CHECK(r.out.find("    note: folds 1-3: 20 synthetic rows") != std::string::npos);
}

TEST_CASE("pipe plan --format json carries every fold") {
  const auto r = run_pipe("plan examples/heart_cv.yaml --format json", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_cv.plan.json", r.out));
  const auto j = nlohmann::json::parse(r.out);
  const auto& kfold = j["stages"][1];
  REQUIRE(kfold["op"] == "kfold");
  CHECK(kfold["folds"].size() == 5);
  CHECK(kfold["folds"][3]["parts"][1] == nlohmann::json({{"name", "test"}, {"rows", 60}, {"class_counts", {33, 27}}}));
  CHECK(j["stages"][4]["folds"][4]["parts"][0]["rows"] == 264);  // smote, fold 5
  CHECK(j["stages"][4]["folds"][3]["notes"][0].get<std::string>().rfind("19 synthetic rows", 0) == 0);
}

TEST_CASE("pipe validate counts the folds") {
  const auto r = run_pipe("validate examples/heart_cv.yaml");
  CHECK(r.code == 0);
  CHECK(r.out ==
        "examples/heart_cv.yaml: ok \u2014 6 data stages, mlp (10497 parameters), adamw + step_lr, 50 epochs, 5 folds\n");
}

TEST_CASE("pipe plan shows each fold's counts after a resampler that depends on the values") {
  const auto r = run_pipe("plan examples/heart_cv_cleaning.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_cv_cleaning.plan.txt", r.out));
  // Counted on each fold's data, with a note that says so.
  CHECK(r.out.find("    note: counted on the data: which rows smote_enn removes or adds depends on their values") !=
        std::string::npos);
}

TEST_CASE("pipe plan shows the optimizer's parameters, PyTorch's defaults marked") {
  const auto r = run_pipe("plan examples/heart_sgd.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_sgd.plan.txt", r.out));
  CHECK(r.out.find("  optimizer (sgd)\n      lr            0.01\n      momentum      0.9\n") != std::string::npos);
  CHECK(r.out.find("      dampening     0  (default)\n") != std::string::npos);
}

TEST_CASE("pipe plan charts a warm-up then a cosine decay (sequential_lr)") {
  const auto r = run_pipe("plan examples/heart_warmup_cosine.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_warmup_cosine.plan.txt", r.out));
  CHECK(r.out.find("      1. linear_lr\n         start_factor  0.1\n") != std::string::npos);
  CHECK(r.out.find("    lr: 0.0003 (epoch 1), 0.00084 (epoch 2)") != std::string::npos);
}

TEST_CASE("pipe plan shows one_cycle_lr per batch, with AdamW's beta1") {
  const auto r = run_pipe("plan examples/heart_onecycle.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_onecycle.plan.txt", r.out));
  CHECK(r.out.find("    lr: per batch, 300 steps: 0.0004 at step 1, 0.01 at step 90, 4e-08 at step 300\n") != std::string::npos);
  CHECK(r.out.find("    adamw beta1: 0.95 at step 1, 0.85 at step 90, 0.95 at step 300\n") != std::string::npos);
  const auto j = nlohmann::json::parse(run_pipe("plan examples/heart_onecycle.yaml --format json", false).out);
  CHECK(j["lr_by_step"].size() == 300);
  CHECK(j["momentum_by_step"].size() == 300);
  CHECK(j["lr_by_epoch"].size() == 30);
}

TEST_CASE("pipe plan shows the training controls: early stopping's rule, checkpoints, clipping, l2") {
  const auto r = run_pipe("plan examples/heart_early_stopping.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_early_stopping.plan.txt", r.out));
  CHECK(r.out.find("      early_stopping\n        monitor               val_loss\n") != std::string::npos);
  CHECK(r.out.find("note: early stopping: stops when val_loss has not fallen by more than 0.001 for 15 epochs; "
                   "restores the best epoch's weights (the test metrics are theirs)") != std::string::npos);
  const auto j = nlohmann::json::parse(run_pipe("plan examples/heart_early_stopping.yaml --format json", false).out);
  bool found = false;
  for (const auto& st : j["stages"])
    if (st["section"] == "train") {
      found = true;
      CHECK(st["params"]["early_stopping"]["patience"] == 15);
      CHECK(st["params"]["checkpoints"]["best"] == true);
      CHECK(st["params"]["clip_grad_norm"] == 1.0);
    }
  CHECK(found);
}

TEST_CASE("pipe plan says the decision threshold will be tuned on the validation part") {
  const auto r = run_pipe("plan examples/heart_threshold.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_threshold.plan.txt", r.out));
  CHECK(r.out.find("    note: decision threshold: tuned for f1 on the validation part's 61 rows") != std::string::npos);
}

TEST_CASE("pipe plan --variant plans one of the file's variants, with the stages it switched off") {
  const auto r = run_pipe("plan examples/heart_ablation.yaml --variant original", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_ablation.original.plan.txt", r.out));
  CHECK(r.out.find("\n  variant original\n  off     smote, gaussian_noise  (enabled: false)\n") != std::string::npos);
  CHECK(r.out.find("  4. standardize\n") != std::string::npos);  // smote and the noise are not stages 5 and 6
  CHECK(r.out.find("smote\n      ") == std::string::npos);
  const auto whole = run_pipe("plan examples/heart_ablation.yaml", false);
  CHECK(whole.out.find("\n  variants original, smote, noise, smote+noise, smote+noise+bn+dropout  (this is the file as written; "
                       "--variant NAME plans one, pipe sweep runs them all)\n") != std::string::npos);
  const auto valid = run_pipe("validate examples/heart_ablation.yaml");
  CHECK(valid.code == 0);
  CHECK(valid.out ==
        "examples/heart_ablation.yaml: ok \u2014 6 data stages, mlp (10497 parameters), adamw + step_lr, 50 epochs\n"
        "  and each of its 5 variants plans: original, smote, noise, smote+noise, smote+noise+bn+dropout\n");
}
