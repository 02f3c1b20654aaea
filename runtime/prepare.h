// The data stages of `pipe run`: every part each model trains and is scored on, made before
// any model trains. Split from executor.cc so that tests can compare what a run prepares
// with what the plan says, fold by fold.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "runtime/neighbour_search.h"
#include "runtime/plan.h"
#include "runtime/table.h"

namespace pipeml {

/// The data one model trains and is scored on: the parts after every data stage, what the
/// fitted stages learned, and the plan's facts about the parts (their source rows).
struct Prepared {
  std::map<std::string, Table> parts;
  std::map<std::string, std::string> fitted;
  const DataInfo* info = nullptr;  ///< plan.data, or the fold's plan.fold_data entry
  std::size_t fold = 0;            ///< 1-based; 0 without cross-validation
};

/// Runs every data stage; after a kfold stage, the stages after it once per fold on that
/// fold's rows, each fold with its own fitted state. Where planning already ran stages on
/// the real data (plan.planned, per fold after kfold), it goes on from those tables and
/// takes them out of the plan: a second call runs everything. Writes nothing. Throws
/// UserError for a data error.
std::vector<Prepared> prepare(const Plan& plan, const NeighbourCandidates* gpu_neighbours);

}  // namespace pipeml
