// ADASYN as imbalanced-learn 0.10's ADASYN with an integer random_state: the same rows per
// class row (weighted by how many of its neighbours are of other classes), neighbours and
// random draws, so the synthetic rows equal imblearn's to float precision.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "ops/sampling_strategy.h"
#include "runtime/table.h"

namespace pipeml::adasyn {

/// ADASYN(sampling_strategy, n_neighbors, random_state=seed).fit_resample: `t`'s rows, then
/// for each class to oversample, in label order, its synthetic rows. Row i of the class
/// weighs r_i = (its n_neighbors nearest rows, of any class, not of its class) /
/// n_neighbors; normalised by their sum (numpy's pairwise sum), it makes
/// rint(r_i / sum * n_new) rows — so the class may end a few rows off its target, as in
/// imblearn — each x_i + u * (x_nn - x_i) towards a random one of its n_neighbors nearest
/// rows of its class. One RandomState(seed) for all classes draws, per class,
/// choice(n_neighbors, rows) then uniform(rows). Throws UserError as smote::fit_resample
/// does, when no row of a class has a neighbour of another class, and when the rounding
/// leaves nothing to make.
Table fit_resample(const Table& t, const sampling::Strategy& strategy, int n_neighbors, std::uint64_t seed,
                   const std::string& op = "adasyn");

}  // namespace pipeml::adasyn
