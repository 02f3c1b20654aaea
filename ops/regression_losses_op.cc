// ops mse, l1, huber, smooth_l1: the regression losses of torch.nn (MSELoss, L1Loss,
// HuberLoss, SmoothL1Loss) with their parameter names and defaults, mean over the batch.
// A tight family: one plan rule (the target must be a number), one formula each in
// runtime/exec/trainer.cc.
#include "ops/data_rules.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  st.plan.loss = LossSpec{};
  st.plan.loss.type = s.op();
  if (s.op() == "huber") st.plan.loss.delta = s.number("delta");
  if (s.op() == "smooth_l1") st.plan.loss.beta = s.number("beta");
  if (!rules::has_data(st) || st.data.regression) return;
  std::string target = "the target";
  const auto& data = st.plan.pipeline.data;
  if (!data.empty() && data.front().op() == "load_csv") target = "'" + data.front().string("target") + "'";
  st.diags.error(s.op_loc, "'" + s.op() + "' is a regression loss, but " + target + " holds classes",
                 "predict the number with 'target_type: number' on load_csv, or use 'bce_with_logits' for two classes");
}

OpDef loss_op(const char* name, const char* doc, std::vector<ParamSpec> params) {
  return OpDef{{name, dsl::OpKind::kLoss, doc, std::move(params)}, plan};
}

}  // namespace

const OpDef& mse_op() {
  static const OpDef op = loss_op("mse", "mean squared error, for a number target (torch.nn.MSELoss)", {});
  return op;
}

const OpDef& l1_op() {
  static const OpDef op = loss_op("l1", "mean absolute error, for a number target (torch.nn.L1Loss)", {});
  return op;
}

const OpDef& huber_op() {
  static const OpDef op = loss_op(
      "huber", "squared error below delta, absolute error (scaled by delta) above it (torch.nn.HuberLoss)",
      {ParamSpec::number("delta", 1.0).min(0, true).doc("where the loss turns from squared to linear")});
  return op;
}

const OpDef& smooth_l1_op() {
  static const OpDef op = loss_op(
      "smooth_l1", "squared error / beta below beta, absolute error above it (torch.nn.SmoothL1Loss)",
      {ParamSpec::number("beta", 1.0).min(0).doc("where the loss turns from squared to linear (0: plain L1)")});
  return op;
}

}  // namespace pipeml
