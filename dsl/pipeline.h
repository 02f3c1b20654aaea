// The typed, located description of a pipeline file: what `pipe validate` checks and the
// planner consumes. Every value remembers where it was written (or which --set gave it).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/diagnostics.h"
#include "dsl/schema.h"

namespace pipeml::dsl {

/// A parameter's resolved value and where it came from.
struct Param {
  Value value;
  Loc loc;                 ///< where it was written; the stage's place for defaults
  bool is_default = true;  ///< not written by the user: the schema's default
  /// Where each item of a list value, or each key of a mapping, was written (a single
  /// value: its own place); empty for a default. Lets an error point at the one at fault.
  std::vector<Loc> item_locs;

  /// The place of list item `i`, or of the whole value when unknown.
  const Loc& item_loc(std::size_t i) const { return i < item_locs.size() ? item_locs[i] : loc; }
};

/// One stage: an op with its fully resolved parameters, in schema order.
struct Stage {
  std::string id;       ///< unique: `id:` if given, else the op name (data) or section name
  std::string section;  ///< "data", "model", ...
  const OpSchema* schema = nullptr;
  Loc loc;     ///< the stage's mapping
  Loc op_loc;  ///< the op name
  std::vector<std::pair<std::string, Param>> params;
  /// The stages of its kStages parameter (sequential_lr's schedulers), in order, each
  /// checked like a section's stage; their section is this one's.
  std::vector<Stage> children;
  /// The options of its kGroup parameters that are on, each a stage whose id is the
  /// parameter's name and whose params are the group's options (defaults filled in).
  std::vector<Stage> groups;
  /// `enabled: false` switches a data stage or the scheduler off: it is still checked, then
  /// left out (how a variant of a sweep drops SMOTE). Always true for the stages kept.
  bool enabled = true;

  const std::string& op() const { return schema->name; }
  const Param& param(const std::string& name) const;
  bool has(const std::string& name) const { return param(name).value.is_set(); }
  /// The options of kGroup parameter `name`, or nullptr when it is off.
  const Stage* group(const std::string& name) const;
  std::int64_t integer(const std::string& name) const { return param(name).value.as_int(); }
  double number(const std::string& name) const { return param(name).value.as_number(); }
  bool boolean(const std::string& name) const { return param(name).value.as_bool(); }
  const std::string& string(const std::string& name) const { return param(name).value.as_string(); }
};

/// What the command line changes: --variant (one of the file's `variants:`, applied
/// first), --set stage.param=value (in order), --seed, --device.
struct Overrides {
  std::optional<std::string> variant;
  std::vector<std::string> sets;
  std::optional<std::int64_t> seed;
  std::optional<std::string> device;
  /// Not a change to the pipeline: the processes that will train it data-parallel
  /// (--nproc-per-node x --nnodes, or torchrun's WORLD_SIZE), which divide the training rows.
  int world_size = 1;
  bool empty() const { return !variant && sets.empty() && !seed && !device; }
};

struct Pipeline {
  std::string file;  ///< as given on the command line
  std::string dir;   ///< its folder: relative data paths are resolved against it
  std::string name;  ///< `pipeline:`, or the file's stem
  std::int64_t seed = 42;  ///< seed_setting()'s default unless given
  Loc seed_loc;
  std::string device = "auto";  ///< cpu | cuda | auto
  Loc device_loc;
  std::vector<Stage> data;
  Stage model, loss, optimizer, train, evaluate;
  std::optional<Stage> scheduler;
  /// The stages `enabled: false` left out, by id, in file order.
  std::vector<std::string> switched_off;
  /// The names under `variants:`, in file order, and the one applied (--variant), if any.
  std::vector<std::string> variant_names;
  std::string variant;

  /// Every stage in file order: data stages, then the sections.
  std::vector<const Stage*> stages() const;
  /// Resolves a path written in the pipeline against its folder.
  std::string resolve(const std::string& path) const;
};

/// The top-level keys a pipeline file may have, in the order they are documented.
const std::vector<std::string>& pipeline_keys();

/// A section of the file other than `data:`: its key, the kind of op it holds, whether a
/// pipeline must have it, and the op it means when `op:` is left out (null: none).
struct SectionInfo {
  const char* key;
  OpKind kind;
  bool required;
  const char* default_op;
};
/// The sections, in file order: model, loss, optimizer, scheduler, train, evaluate.
const std::vector<SectionInfo>& pipeline_sections();

/// The top-level settings, read like parameters: `seed:` and `device:`.
const ParamSpec& seed_setting();
const ParamSpec& device_setting();
/// `enabled:`, which a data stage or the scheduler takes beside its op's parameters.
const ParamSpec& enabled_setting();

/// Parses and checks `text` against the schemas. Returns nothing when any error was
/// found; every error found is in `diags` (all of them, not just the first).
std::optional<Pipeline> parse_pipeline(const std::string& file, const std::string& text,
                                       const SchemaLookup& ops, const Overrides& overrides,
                                       Diagnostics& diags);

}  // namespace pipeml::dsl
