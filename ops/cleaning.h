// The cleaning under-samplers as imbalanced-learn 0.10's TomekLinks and
// EditedNearestNeighbours: deterministic, so pipe removes exactly the rows imblearn removes
// (given the same nearest neighbours: see ops/nearest_neighbours.h on exact ties). And
// SMOTETomek / SMOTEENN, which clean what SMOTE made.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/sampling_strategy.h"
#include "runtime/table.h"

namespace pipeml::cleaning {

/// TomekLinks(sampling_strategy).fit_resample's sample_indices_: the rows kept, in table
/// order. Rows i and j form a Tomek link when each is the other's nearest row and their
/// classes differ; a row of a class the strategy targets is removed when it is in a link.
/// Throws UserError when the table has no labels, a feature is NaN or infinite, the table
/// has fewer than 2 rows, or the strategy is refused (a cleaning sampler takes a name or
/// a list of classes). `op` names the stage in messages.
std::vector<std::size_t> tomek_links(const Table& t, const sampling::Strategy& strategy,
                                     const std::string& op = "tomek_links");

/// How EditedNearestNeighbours decides that a row stays.
enum class KindSel {
  all,   ///< every one of its n_neighbors nearest rows has its class
  mode,  ///< the most common class among them (the lowest label among ties) is its class
};

/// EditedNearestNeighbours(sampling_strategy, n_neighbors, kind_sel).fit_resample's
/// sample_indices_: the rows kept, grouped by class in label order, each class in table
/// order. A row of a class the strategy targets is kept when its n_neighbors nearest other
/// rows (of any class) agree with its class as kind_sel says; other classes keep every row.
/// Throws UserError as tomek_links does, and when the table has fewer than n_neighbors + 1
/// rows or n_neighbors < 1.
std::vector<std::size_t> edited_nearest_neighbours(const Table& t, const sampling::Strategy& strategy,
                                                   int n_neighbors, KindSel kind_sel,
                                                   const std::string& op = "edited_nearest_neighbours");

/// SMOTETomek(sampling_strategy, random_state=seed) with SMOTE's k_neighbors: the rows of
/// smote::fit_resample that tomek_links with sampling_strategy 'all' keeps. `kept`, when
/// given, receives those rows' indices into SMOTE's output.
Table smote_tomek(const Table& t, const sampling::Strategy& strategy, int k_neighbors, std::uint64_t seed,
                  std::vector<std::size_t>* kept = nullptr);

/// SMOTEENN(sampling_strategy, random_state=seed) with SMOTE's k_neighbors and the inner
/// EditedNearestNeighbours' n_neighbors and kind_sel (imblearn: 3 and 'all'): the rows of
/// smote::fit_resample that edited_nearest_neighbours with sampling_strategy 'all' keeps.
Table smote_enn(const Table& t, const sampling::Strategy& strategy, int k_neighbors, int n_neighbors,
                KindSel kind_sel, std::uint64_t seed, std::vector<std::size_t>* kept = nullptr);

}  // namespace pipeml::cleaning
