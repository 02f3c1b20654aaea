// Borderline-SMOTE as imbalanced-learn 0.10's BorderlineSMOTE with an integer random_state:
// SMOTE from the rows "in danger" only, with the same neighbours and random draws, so the
// synthetic rows equal imblearn's to float precision.
#pragma once
#include <cstdint>
#include <string>

#include "ops/sampling_strategy.h"
#include "runtime/table.h"

namespace pipeml::borderline_smote {

enum class Kind {
  borderline_1,  ///< 'borderline-1': interpolate towards same-class neighbours
  borderline_2,  ///< 'borderline-2': also half-steps towards other classes' rows
};

/// BorderlineSMOTE(sampling_strategy, k_neighbors, m_neighbors, kind,
/// random_state=seed).fit_resample: `t`'s rows, then for each class to oversample, in label
/// order, its synthetic rows. A row of the class is in danger when at least half, but not
/// all, of its m_neighbors nearest rows (of any class) are of other classes; a class with
/// no row in danger gets no rows (so the counts depend on the data, as in imblearn). From
/// the danger rows, SMOTE's draws (a fresh RandomState(seed) each time) pick a danger row
/// and one of its k_neighbors nearest rows of the class:
/// - borderline-1: n_new rows x + u * (x_nn - x);
/// - borderline-2: f = RandomState(seed).beta(10, 10); int(f * (n_new + 1)) rows as in
///   borderline-1, then int((1 - f) * n_new) rows x + u / 2 * (z - x) where, as imblearn
///   0.10 does it, z is the row of the other classes (in table order) at the number of
///   that same-class neighbour — so the class may end one row short of its target, and a
///   number beyond the other classes' rows is refused (imblearn raises IndexError).
/// Throws UserError as smote::fit_resample does, when the table has fewer than
/// m_neighbors + 1 rows, and when a class with rows in danger has fewer than
/// k_neighbors + 1. `op` names the stage in messages.
Table fit_resample(const Table& t, const sampling::Strategy& strategy, int k_neighbors, int m_neighbors, Kind kind,
                   std::uint64_t seed, const std::string& op = "borderline_smote");

}  // namespace pipeml::borderline_smote
