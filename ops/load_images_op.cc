// op load_images: a folder of PNG and JPEG images in torchvision's ImageFolder layout (a
// subfolder per class) as the part "all", for a split stage to divide. The plan reads only
// the files' headers (sizes and channels checked, classes counted), the run decodes them.
// No content hash: a folder of thousands of files has no one file to hash, and hashing
// every image would cost what decoding does; the plan records the path only.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ops/image_folder.h"
#include "runtime/planner.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;
using image_folder::Problem;

int channels_of(const dsl::Stage& s) { return s.string("channels") == "1" ? 1 : 3; }

void plan(const dsl::Stage& s, PlanState& st) {
  const std::string dir = st.plan.pipeline.resolve(s.string("path"));
  const int channels = channels_of(s);
  try {
    const image_folder::Listing l = image_folder::list(dir);
    std::size_t png = 0;
    const auto shape = image_folder::check_headers(l, channels, &png);
    DataInfo& d = st.data;
    d.class_names = l.classes;
    d.image_shape = shape;
    d.target = "class";
    d.labels = l.labels;
    d.row_has_missing.assign(l.files.size(), 0);
    std::vector<std::size_t> all(l.files.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    d.parts = {PartInfo{"all", all.size(), d.count_classes(all)}};
    d.part_rows["all"] = std::move(all);
    const std::size_t n = l.files.size();
    st.step.notes.push_back(fmt::format("images {}x{}x{} (uint8) from {} file{} ({} PNG, {} JPEG); classes: {}", shape[0], shape[1],
                                        shape[2], n, n == 1 ? "" : "s", png, n - png, fmt::join(l.classes, ", ")));
    if (l.skipped)
      st.step.notes.push_back(fmt::format("{} {} skipped: hidden, not .png, .jpg or .jpeg, or beside the class folders", l.skipped,
                                          l.skipped == 1 ? "entry" : "entries"));
  } catch (const image_folder::Error& e) {
    std::string note = e.note;
    if (e.problem == Problem::unreadable && note.empty())
      note = "point 'path' at a folder with a subfolder of images per class (relative paths start at the pipeline file's "
             "folder), or change it with --set " + s.id + ".path=DIR";
    st.diags.error(e.problem == Problem::channels ? s.param("channels").loc : s.param("path").loc, e.what(), note);
  } catch (const UserError& e) {
    st.diags.error(s.param("path").loc, e.what());
  }
}

void run(const dsl::Stage& s, DataRun& r) {
  const std::string dir = r.plan.pipeline.resolve(s.string("path"));
  Table t;
  try {
    t = image_folder::read_table(image_folder::list(dir), channels_of(s));
  } catch (const image_folder::Error& e) {
    // Found only now (a file damaged past its header, or changed since the plan): its
    // name is relative to the folder, which the message adds.
    if (e.problem == Problem::bad_image || e.problem == Problem::size || e.problem == Problem::channels)
      throw UserError(fmt::format("{} (in '{}')", e.what(), dir));
    throw;
  }
  r.fitted[s.id] = nlohmann::json{{"op", "load_images"}, {"image_shape", t.image_shape}, {"classes", t.class_names}}.dump();
  r.parts["all"] = std::move(t);
}

}  // namespace

const OpDef& load_images_op() {
  static const OpDef op{
      {"load_images",
       dsl::OpKind::kData,
       "read a folder of PNG and JPEG images, a subfolder per class (torchvision's ImageFolder), as the part 'all'",
       {
           ParamSpec::path("path").doc("the folder of class folders, sorted by name as classes 0, 1, ...; relative to the pipeline file"),
           ParamSpec::enumeration("channels", {"1", "3"}, "3")
               .doc("1: grayscale images, 3: RGB (alpha is dropped); an image with other channels is an error"),
       }},
      plan,
      run,
      nullptr,
      nullptr,
      nullptr,
      true,   // images
      false,  // splits: the pipeline's split stage divides "all"
      true,   // loads
  };
  return op;
}

}  // namespace pipeml
