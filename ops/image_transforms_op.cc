// The image transforms of the course's CIFAR recipe, as data stages: random_horizontal_flip,
// random_crop (with padding), scale_pixels (ToTensor's 1/255) and normalize (per-channel
// mean and std). They change no row count, so the plan only checks them and records them;
// the trainer applies them to every batch on the training device (TrainSpec::image_transforms),
// so a GPU run does no per-image work on the CPU. The random ones touch training batches
// only by default (`apply_to: train`), the others every part, as the course's train and
// test transforms do.
#include <fmt/format.h>

#include "ops/data_rules.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

// The image shape the stage sees, or nothing (with an error at the op for table data).
const std::vector<std::int64_t>* images(const dsl::Stage& s, PlanState& st) {
  if (!rules::has_data(st)) return nullptr;
  if (st.data.image_shape.empty()) {
    st.diags.error(s.op_loc, "'" + s.op() + "' transforms images, and this data is a table",
                   "image transforms follow an image loader: load_cifar10 or load_images");
    rules::forget_data(st);
    return nullptr;
  }
  return &st.data.image_shape;
}

ImageTransform& add(const dsl::Stage& s, PlanState& st) {
  ImageTransform t;
  t.op = s.op();
  t.train_only = s.string("apply_to") == "train";
  st.plan.train.image_transforms.push_back(t);
  return st.plan.train.image_transforms.back();
}

std::string parts_text(const ImageTransform& t) {
  return t.train_only ? "training batches only, drawn afresh for every batch" : "every part's batches";
}

ParamSpec apply_to(const char* def) {
  return ParamSpec::enumeration("apply_to", {"train", "all"}, def)
      .doc("train: training batches only (augmentation); all: validation and test rows too");
}

void plan_flip(const dsl::Stage& s, PlanState& st) {
  if (!images(s, st)) return;
  ImageTransform& t = add(s, st);
  t.p = s.number("p");
  st.step.notes.push_back(fmt::format("each image mirrored left-right with probability {}; {}", t.p, parts_text(t)));
}

void plan_crop(const dsl::Stage& s, PlanState& st) {
  const auto* shape = images(s, st);
  if (!shape) return;
  const dsl::Param& size = s.param("size");
  const auto& v = size.value.as_int_list();
  if (v.size() != 1 && v.size() != 2) {
    st.diags.error(size.loc, fmt::format("'size' takes 1 value (a square) or 2 (height, width), got {}", v.size()));
    return;
  }
  const std::int64_t h = v[0], w = v.size() == 2 ? v[1] : v[0], pad = s.integer("padding");
  const std::int64_t ph = (*shape)[1] + 2 * pad, pw = (*shape)[2] + 2 * pad;
  if (h > ph || w > pw) {
    st.diags.error(size.loc,
                   fmt::format("a {}x{} crop is larger than the padded image: {}x{} with padding {}", h, w, ph, pw, pad),
                   fmt::format("crop at most {}x{}, or pad by at least {}", ph, pw,
                               std::max((h - (*shape)[1] + 1) / 2, (w - (*shape)[2] + 1) / 2)));
    rules::forget_data(st);
    return;
  }
  ImageTransform& t = add(s, st);
  t.height = h;
  t.width = w;
  t.padding = pad;
  if (h != (*shape)[1] || w != (*shape)[2]) {
    if (!t.train_only) {
      st.data.image_shape = {(*shape)[0], h, w};
    } else {
      // Training batches would change shape while test rows keep theirs: the model takes one.
      st.diags.error(size.loc,
                     fmt::format("a {}x{} crop of training batches only leaves the other parts {}x{}: the model takes one size", h, w,
                                 (*shape)[1], (*shape)[2]),
                     fmt::format("crop to {}x{} (the course pads by 4 and crops back to 32), or set 'apply_to: all'",
                                 (*shape)[1], (*shape)[2]));
      return;
    }
  }
  st.step.notes.push_back(fmt::format("zero-padded by {} on every side to {}x{}, then a random {}x{} window per image; {}", pad, ph,
                                      pw, h, w, parts_text(t)));
}

void plan_scale(const dsl::Stage& s, PlanState& st) {
  if (!images(s, st)) return;
  ImageTransform& t = add(s, st);
  t.divide_by = s.number("divide_by");
  st.step.notes.push_back(fmt::format("pixels / {} (bytes 0-255 to [0, 1] as ToTensor); {}", s.number("divide_by"), parts_text(t)));
}

void plan_normalize(const dsl::Stage& s, PlanState& st) {
  const auto* shape = images(s, st);
  if (!shape) return;
  const auto mean = s.param("mean").value.as_float_list(), std = s.param("std").value.as_float_list();
  const auto channels = static_cast<std::size_t>((*shape)[0]);
  for (const auto& [name, v] : {std::pair{"mean", &mean}, std::pair{"std", &std}})
    if (v->size() != channels) {
      st.diags.error(s.param(name).loc, fmt::format("'{}' has {} values for {} channels", name, v->size(), channels),
                     "give one value per channel");
      return;
    }
  for (std::size_t c = 0; c < channels; ++c)
    if (!(std[c] > 0)) {
      st.diags.error(s.param("std").loc, fmt::format("'std' must be positive, and channel {}'s is {}", c, std[c]));
      return;
    }
  ImageTransform& t = add(s, st);
  t.mean = mean;
  t.std = std;
  st.step.notes.push_back(fmt::format("(x - mean) / std per channel: mean [{}], std [{}]; {}", fmt::join(mean, ", "),
                                      fmt::join(std, ", "), parts_text(t)));
}

// The data stages' pass leaves the bytes as they are: the plan put the transform into
// TrainSpec::image_transforms, and the trainer applies it to every batch.
void run_in_trainer(const dsl::Stage&, DataRun&) {}

OpDef image_op(dsl::OpSchema schema, void (*plan)(const dsl::Stage&, PlanState&)) {
  OpDef op{std::move(schema), plan, run_in_trainer};
  op.images = true;
  return op;
}

}  // namespace

const OpDef& random_horizontal_flip_op() {
  static const OpDef op = image_op(
      {"random_horizontal_flip",
       dsl::OpKind::kData,
       "mirror each image left-right with probability p (torchvision's RandomHorizontalFlip), per batch on the training device",
       {
           ParamSpec::number("p", 0.5).min(0).max(1).doc("the probability that an image is flipped"),
           apply_to("train"),
       }},
      plan_flip);
  return op;
}

const OpDef& random_crop_op() {
  static const OpDef op = image_op(
      {"random_crop",
       dsl::OpKind::kData,
       "pad each image with zeros, then cut a random window of `size` from it (torchvision's RandomCrop), per image",
       {
           ParamSpec::int_list("size").min(1).doc("the window: one value (square) or height and width"),
           ParamSpec::integer("padding", 0).min(0).doc("zeros added on every side first"),
           apply_to("train"),
       }},
      plan_crop);
  return op;
}

const OpDef& scale_pixels_op() {
  static const OpDef op = image_op(
      {"scale_pixels",
       dsl::OpKind::kData,
       "pixel bytes to floats in [0, 1] (torchvision's ToTensor)",
       {
           ParamSpec::number("divide_by", 255.0).min(0, true).doc("what every pixel value is divided by"),
           apply_to("all"),
       }},
      plan_scale);
  return op;
}

const OpDef& normalize_op() {
  static const OpDef op = image_op(
      {"normalize",
       dsl::OpKind::kData,
       "(x - mean) / std per channel (torchvision's Normalize)",
       {
           ParamSpec::float_list("mean").doc("one value per channel"),
           ParamSpec::float_list("std").doc("one value per channel, positive"),
           apply_to("all"),
       }},
      plan_normalize);
  return op;
}

}  // namespace pipeml
