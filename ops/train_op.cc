// op train: the training loop's settings. The loop itself is runtime/exec/trainer.cc.
#include <fmt/format.h>

#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  TrainSpec& t = st.plan.train;
  t.epochs = static_cast<int>(s.integer("epochs"));
  t.batch_size = static_cast<int>(s.integer("batch_size"));
  t.shuffle = s.boolean("shuffle");
  t.drop_last = s.boolean("drop_last");
  t.seed = static_cast<std::uint64_t>(use_seed(s, st.plan));
  const PartInfo* train = st.data.part("train");
  if (train == nullptr) return;
  const std::size_t rows = train->rows;
  const std::size_t batches = t.drop_last ? rows / t.batch_size : (rows + t.batch_size - 1) / t.batch_size;
  if (batches == 0) {
    st.diags.error(s.param("batch_size").loc,
                   fmt::format("'batch_size' {} is larger than the {} training rows with drop_last", t.batch_size, rows));
    return;
  }
  // BatchNorm cannot normalise a batch of one row in training mode; PyTorch raises.
  if (st.plan.model.batch_norm() && !t.drop_last && rows % t.batch_size == 1)
    st.diags.error(s.param("batch_size").loc,
                   fmt::format("the last batch of each epoch has 1 row ({} rows, batch_size {}), which BatchNorm cannot train on",
                               rows, t.batch_size),
                   "change batch_size or set 'drop_last: true'");
  st.step.notes.push_back(fmt::format("{} batches per epoch of {} training rows", batches, rows));
  // What a per-batch schedule (one_cycle_lr) is planned with, fold by fold.
  const std::size_t fold = st.fold.value_or(0);
  if (st.plan.steps_per_epoch.size() <= fold) st.plan.steps_per_epoch.resize(fold + 1, 0);
  st.plan.steps_per_epoch[fold] = static_cast<int>(batches);
}

}  // namespace

const OpDef& train_op() {
  static const OpDef op{
      {"train",
       dsl::OpKind::kTrain,
       "mini-batch training of the model on the training part",
       {
           ParamSpec::integer("epochs", 10).min(1).doc("passes over the training part"),
           ParamSpec::integer("batch_size", 32).min(1).doc("rows per optimizer step"),
           ParamSpec::boolean("shuffle", true).doc("a new order of the training rows every epoch"),
           ParamSpec::boolean("drop_last", false).doc("skip the last batch when it is smaller than batch_size"),
           ParamSpec::integer("seed").min(0).optional("pipeline seed").doc("seeds the weights, dropout and the shuffling"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
