// imbalanced-learn 0.10's sampling_strategy, shared by every resampler and by their plan
// hooks: which classes a sampler touches and how many rows each gets, as
// imblearn.utils.check_sampling_strategy computes it for over-, under- and clean-sampling.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pipeml::sampling {

/// imblearn's sampling_type: what a sampler does to the classes it targets.
enum class Type {
  over,   ///< adds rows (SMOTE, ADASYN, RandomOverSampler): a target is the rows to add
  under,  ///< keeps some rows (RandomUnderSampler): a target is the rows to keep
  clean,  ///< removes the rows its rule finds (TomekLinks, ENN): targets only name classes
};

/// A sampling_strategy. Build one with named(), ratio_of(), targets_of() or classes_of().
struct Strategy {
  enum class Kind {
    automatic,     ///< 'auto': 'not majority' for an over-sampler, 'not minority' otherwise
    minority,      ///< 'minority': over-samplers only (imblearn 0.10's parameter check
                   ///< leaves it out for SMOTE although check_sampling_strategy supports it;
                   ///< pipe takes it)
    majority,      ///< 'majority': under- and cleaning samplers only
    not_minority,  ///< 'not minority': every class but the smallest
    not_majority,  ///< 'not majority': every class but the largest
    all,           ///< 'all': every class
    ratio,         ///< a float in (0, 1], two classes only: minority rows / majority rows after
    targets,       ///< a dict: class label -> rows the class should have (over and under)
    classes,       ///< a list of class labels to clean (cleaning samplers only)
  };
  Kind kind = Kind::automatic;
  double ratio = 0.0;                   ///< for Kind::ratio
  std::map<int, std::int64_t> targets;  ///< for Kind::targets: label -> wanted rows
  std::vector<int> classes;             ///< for Kind::classes

  /// 'auto', 'minority', 'majority', 'not minority', 'not majority' or 'all'; throws
  /// UserError for anything else. Whether the sampler may use it is resolve()'s business.
  static Strategy named(const std::string& name);
  static Strategy ratio_of(double ratio);
  static Strategy targets_of(std::map<int, std::int64_t> targets);
  static Strategy classes_of(std::vector<int> classes);
};

/// imblearn's check_sampling_strategy(strategy, y, type): for each class present
/// (count > 0) that the strategy targets, keyed and so ordered by label,
/// - over: how many rows to synthesize (0 included, as imblearn keeps such entries);
/// - under: how many rows to keep;
/// - clean: the smallest class's rows (imblearn's value; cleaners only use the keys).
/// The majority (minority) is the lowest label among equally large (small) classes, as
/// Python's max / min pick it. Ratios truncate as Python's int(): an over-sampler adds
/// int(majority * ratio - count) rows to the minority, an under-sampler keeps
/// int(minority / ratio) rows of the majority. `class_names[l]`, when given, names label l
/// in messages and `sampler` the op. Throws UserError where imblearn raises: fewer than 2
/// classes; 'majority' for an over-sampler, 'minority' for the others; a ratio outside
/// (0, 1], with other than 2 classes, for a cleaner, or that would remove rows from an
/// over-sampled class or add rows to an under-sampled one; targets naming an absent class,
/// a negative count, fewer rows than present (over), more (under), or for a cleaner; a
/// list of classes for other than a cleaner, or naming an absent class.
std::map<int, std::size_t> resolve(const std::vector<std::size_t>& class_counts, const Strategy& strategy, Type type,
                                   const std::vector<std::string>& class_names = {},
                                   const std::string& sampler = "the sampler");

/// How messages name a class: "class 'yes'" from its name, or its label when names are
/// unknown. Shared by every resampler's messages.
std::string class_text(int label, const std::vector<std::string>& names);

}  // namespace pipeml::sampling
