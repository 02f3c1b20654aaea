// Augmenting rows with noisy copies, as the course's MixedAugmentedDataset: the original
// rows first, then for each row in order num_augments copies of it plus N(0, noise_std^2).
#pragma once
#include <cstdint>

#include "runtime/table.h"

namespace pipeml::noise {

/// `t`'s rows followed by, for each row i in order, `num_augments` copies of row i with
/// independent N(0, noise_std^2) noise on every feature, drawn from Rng(seed).normal()
/// row by row, feature by feature. Labels are copied with their rows. Throws UserError
/// when noise_std or num_augments is negative.
Table augment(const Table& t, double noise_std, int num_augments, std::uint64_t seed);

}  // namespace pipeml::noise
