// op load_cifar10: CIFAR-10 in its binary form (cifar-10-batches-bin), already split by its
// authors: the training files make the train part, the test file the test part. Reads the
// labels at plan time (the plan shows the real class counts); the pixels only when it runs.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ops/cifar10.h"
#include "ops/data_rules.h"
#include "runtime/planner.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

struct Files {
  std::string dir;
  std::vector<std::string> train, test;  ///< full paths
};

Files files_of(const dsl::Stage& s, const dsl::Pipeline& p) {
  Files f;
  f.dir = p.resolve(s.string("path"));
  for (const auto& name : s.param("train_files").value.as_string_list()) f.train.push_back(f.dir + "/" + name);
  for (const auto& name : s.param("test_files").value.as_string_list()) f.test.push_back(f.dir + "/" + name);
  return f;
}

std::size_t limit_of(const dsl::Stage& s, const char* name) {
  return s.has(name) ? static_cast<std::size_t>(s.integer(name)) : 0;
}

std::size_t validation_rows(const dsl::Stage& s) { return limit_of(s, "validation_rows"); }

// The labels of the records the stage takes from `paths` (the first `limit`; 0: all).
std::vector<int> labels_of(const std::vector<std::string>& paths, std::size_t limit) {
  std::vector<int> labels;
  for (const auto& path : paths) {
    if (limit && labels.size() >= limit) break;
    const auto r = cifar::read_records(path, limit ? limit - labels.size() : 0, false);
    labels.insert(labels.end(), r.labels.begin(), r.labels.end());
  }
  return labels;
}

void plan(const dsl::Stage& s, PlanState& st) {
  const Files f = files_of(s, st.plan.pipeline);
  std::vector<int> train, test;
  try {
    train = labels_of(f.train, limit_of(s, "train_rows"));
    test = labels_of(f.test, limit_of(s, "test_rows"));
  } catch (const UserError& e) {
    // A file that is not there, or one that is damaged (cut short, a label beyond 9).
    const bool missing = std::string(e.what()).rfind("cannot read", 0) == 0;
    st.diags.error(s.param("path").loc, e.what(),
                   missing ? "point 'path' at the folder of data_batch_1.bin ... test_batch.bin (cifar-10-binary.tar.gz), "
                             "or change it with --set " + s.id + ".path=DIR"
                           : "the file is damaged: unpack cifar-10-binary.tar.gz again");
    return;
  }
  const std::size_t val = validation_rows(s);
  if (val >= train.size()) {
    st.diags.error(s.param("validation_rows").loc,
                   fmt::format("'validation_rows' {} leaves no training rows of the {} read", val, train.size()));
    return;
  }
  DataInfo& d = st.data;
  d.class_names = cifar::class_names(f.dir);
  d.image_shape = {3, 32, 32};
  d.target = "label";
  d.labels = train;
  d.labels.insert(d.labels.end(), test.begin(), test.end());
  d.row_has_missing.assign(d.labels.size(), 0);
  std::vector<std::size_t> ids(d.labels.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i;
  const std::size_t fit = train.size() - val;
  d.part_rows["train"].assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(fit));
  if (val) d.part_rows["validation"].assign(ids.begin() + static_cast<std::ptrdiff_t>(fit), ids.begin() + static_cast<std::ptrdiff_t>(train.size()));
  d.part_rows["test"].assign(ids.begin() + static_cast<std::ptrdiff_t>(train.size()), ids.end());
  d.parts.clear();
  for (const char* name : {"train", "validation", "test"})
    if (auto it = d.part_rows.find(name); it != d.part_rows.end())
      d.parts.push_back(PartInfo{name, it->second.size(), d.count_classes(it->second)});
  d.split = true;
  for (const char* list : {"train_files", "test_files"})
    for (const auto& name : s.param(list).value.as_string_list())
      st.plan.hash_later[s.string("path") + "/" + name] = f.dir + "/" + name;
  st.step.notes.push_back(fmt::format("images 3x32x32 (uint8); train from {} file{}, test from {}; classes: {}", f.train.size(),
                                      f.train.size() == 1 ? "" : "s", dsl::quoted_list(s.param("test_files").value.as_string_list(), "and"),
                                      fmt::join(d.class_names, ", ")));
  if (val) st.step.notes.push_back(fmt::format("validation: the last {} of the training records", val));
}

void run(const dsl::Stage& s, DataRun& r) {
  const Files f = files_of(s, r.plan.pipeline);
  const auto classes = cifar::class_names(f.dir);
  Table train = cifar::read_table(f.train, limit_of(s, "train_rows"), classes);
  const std::size_t val = validation_rows(s);
  if (val) {
    std::vector<std::size_t> fit(train.rows - val), held(val);
    for (std::size_t i = 0; i < fit.size(); ++i) fit[i] = i;
    for (std::size_t i = 0; i < val; ++i) held[i] = fit.size() + i;
    r.parts["validation"] = train.take(held);
    train = train.take(fit);
  }
  r.parts["train"] = std::move(train);
  r.parts["test"] = cifar::read_table(f.test, limit_of(s, "test_rows"), classes);
  r.fitted[s.id] = nlohmann::json{{"op", "load_cifar10"}, {"image_shape", {3, 32, 32}}, {"classes", classes}}.dump();
}

}  // namespace

const OpDef& load_cifar10_op() {
  static const OpDef op{
      {"load_cifar10",
       dsl::OpKind::kData,
       "read CIFAR-10's binary files (a label byte and 3x32x32 pixel bytes per record) as the train and test parts",
       {
           ParamSpec::path("path").doc("the folder of the .bin files (cifar-10-batches-bin); relative to the pipeline file"),
           ParamSpec::string_list("train_files", std::vector<std::string>{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                                                          "data_batch_4.bin", "data_batch_5.bin"})
               .doc("the files of the training part, in order"),
           ParamSpec::string_list("test_files", std::vector<std::string>{"test_batch.bin"}).doc("the files of the test part"),
           ParamSpec::integer("train_rows").min(1).optional("all").doc("read only the first this many training records (a quick run)"),
           ParamSpec::integer("test_rows").min(1).optional("all").doc("read only the first this many test records"),
           ParamSpec::integer("validation_rows").min(1).optional("none")
               .doc("hold the last this many training records out as the validation part"),
       }},
      plan,
      run,
      nullptr,
      nullptr,
      nullptr,
      true,  // images
      true,  // splits: the training files and the test file
      true,  // loads
  };
  return op;
}

}  // namespace pipeml
