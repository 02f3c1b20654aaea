// The layer ops of a `sequential` model, one per torch.nn module, each with its schema
// (torch's parameter names and defaults; the input sizes are inferred, never written) beside
// its shape rule: torch's output-shape formulas, in plain C++, with errors that name the
// layer and both shapes. runtime/exec/layers.cc builds each as its torch.nn module.
#include <fmt/format.h>

#include <numeric>

#include "ops/layers.h"
#include "runtime/registry.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;
using Shape = std::vector<std::int64_t>;
using layers::shape_text;

void no_plan(const dsl::Stage&, PlanState&) {}  // layers are planned by their model

std::string num(double v) { return fmt::format("{}", v); }
std::int64_t product(const Shape& s, std::size_t from = 0, std::size_t to = std::string::npos) {
  std::int64_t n = 1;
  for (std::size_t i = from; i < s.size() && i < to; ++i) n *= s[i];
  return n;
}
// "3" for one value or equal values, "(3, 5)" otherwise: how torch's repr writes a size.
std::string size_arg(const Shape& v) {
  if (std::all_of(v.begin(), v.end(), [&](auto x) { return x == v[0]; })) return std::to_string(v[0]);
  std::string out = "(";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + ")";
}

// The input must have `rank` dims ("[C, L]"); otherwise an error that says how to get there.
bool need_rank(LayerContext& c, std::size_t rank, const char* form) {
  if (c.in.size() == rank) return true;
  std::string note;
  if (c.in.size() < rank)
    note = fmt::format("add '- op: unflatten' before it, with unflattened_size {} (or another {}-value split of {})",
                       shape_text(rank == 2 ? Shape{1, c.in.back()} : Shape{1, 1, c.in.back()}), rank,
                       c.in.back());
  else
    note = "add '- op: flatten' before it";
  if (c.in.size() > 1 && c.in.size() < rank) note = fmt::format("it takes {} dims after the batch dimension", rank);
  c.diags.error(c.stage.op_loc, fmt::format("{} needs an input of {}, got {}", c.label, form, shape_text(c.in)), note);
  return false;
}

// kernel_size, stride, padding, dilation: one value for every spatial dim, or one each.
bool spatial(LayerContext& c, const char* name, std::size_t nd, Shape& out) {
  const dsl::Param& p = c.stage.param(name);
  const Shape& v = p.value.as_int_list();
  if (v.size() == 1) out.assign(nd, v[0]);
  else if (v.size() == nd) out = v;
  else {
    c.diags.error(p.loc, fmt::format("'{}' takes 1{} for '{}', got {}", name, nd == 1 ? " value" : fmt::format(" or {} values", nd),
                                     c.stage.op(), v.size()));
    return false;
  }
  return true;
}

void set_init(LayerContext& c) {
  const auto& init = c.stage.param("init").value;
  const auto& bias = c.stage.param("bias_init").value;
  c.layer.init = init.is_set() ? init.as_string() : c.init;
  c.layer.bias_init = bias.is_set() ? bias.as_string() : c.bias_init;
}

std::vector<ParamSpec> init_params() {
  return {
      ParamSpec::enumeration("init", layers::init_choices()).optional("the model's").doc("how the weight is initialised (torch.nn.init)"),
      ParamSpec::enumeration("bias_init", layers::bias_init_choices()).optional("the model's").doc("how the bias is initialised"),
  };
}

OpDef layer_def(std::string name, std::string doc, std::vector<ParamSpec> params, bool (*rule)(LayerContext&)) {
  OpDef op{{std::move(name), dsl::OpKind::kLayer, std::move(doc), std::move(params)}, no_plan};
  op.layer = rule;
  return op;
}

// ---- Linear ----
bool linear_rule(LayerContext& c) {
  LayerSpec& l = c.layer;
  l.in = c.in.back();
  l.out = c.stage.integer("out_features");
  l.bias = c.stage.boolean("bias");
  set_init(c);
  l.out_shape = c.in;
  l.out_shape.back() = l.out;
  l.params = l.in * l.out + (l.bias ? l.out : 0);
  l.type = fmt::format("Linear({}, {}{})", l.in, l.out, l.bias ? "" : ", bias=False");
  return true;
}

// ---- Conv1d / Conv2d ----
template <std::size_t ND>
bool conv_rule(LayerContext& c) {
  if (!need_rank(c, ND + 1, ND == 1 ? "[C, L]" : "[C, H, W]")) return false;
  LayerSpec& l = c.layer;
  l.in = c.in[0];
  l.out = c.stage.integer("out_channels");
  l.groups = c.stage.integer("groups");
  l.bias = c.stage.boolean("bias");
  set_init(c);
  if (!spatial(c, "kernel_size", ND, l.kernel_size) || !spatial(c, "stride", ND, l.stride) ||
      !spatial(c, "padding", ND, l.padding) || !spatial(c, "dilation", ND, l.dilation))
    return false;
  if (l.in % l.groups != 0 || l.out % l.groups != 0) {
    c.diags.error(c.stage.param("groups").loc,
                  fmt::format("{}: groups {} must divide in_channels {} (from its input {}) and out_channels {}", c.label,
                              l.groups, l.in, shape_text(c.in), l.out));
    return false;
  }
  l.out_shape = {l.out};
  for (std::size_t i = 0; i < ND; ++i) {
    const std::int64_t padded = c.in[i + 1] + 2 * l.padding[i], span = l.dilation[i] * (l.kernel_size[i] - 1) + 1;
    if (span > padded) {
      c.diags.error(c.stage.param("kernel_size").loc,
                    fmt::format("{}: kernel_size {}{} is larger than the padded input {} (input {}, padding {})", c.label,
                                l.kernel_size[i], l.dilation[i] > 1 ? fmt::format(" dilated to {}", span) : "", padded,
                                shape_text(c.in), l.padding[i]));
      return false;
    }
    l.out_shape.push_back((padded - span) / l.stride[i] + 1);
  }
  l.params = l.out * (l.in / l.groups) * product(l.kernel_size) + (l.bias ? l.out : 0);
  std::string args = fmt::format("Conv{}d({}, {}, kernel_size={}", ND, l.in, l.out, size_arg(l.kernel_size));
  if (size_arg(l.stride) != "1") args += ", stride=" + size_arg(l.stride);
  if (size_arg(l.padding) != "0") args += ", padding=" + size_arg(l.padding);
  if (size_arg(l.dilation) != "1") args += ", dilation=" + size_arg(l.dilation);
  if (l.groups != 1) args += fmt::format(", groups={}", l.groups);
  if (!l.bias) args += ", bias=False";
  l.type = args + ")";
  return true;
}

std::vector<ParamSpec> conv_params() {
  std::vector<ParamSpec> p = {
      ParamSpec::integer("out_channels").min(1).doc("channels out (in_channels is the input's first dim)"),
      ParamSpec::int_list("kernel_size").min(1).doc("the kernel's size: one value, or one per spatial dim"),
      ParamSpec::int_list("stride", std::vector<std::int64_t>{1}).min(1).doc("the step between applications"),
      ParamSpec::int_list("padding", std::vector<std::int64_t>{0}).min(0).doc("zeros added on both sides of each spatial dim"),
      ParamSpec::int_list("dilation", std::vector<std::int64_t>{1}).min(1).doc("the spacing between kernel elements"),
      ParamSpec::integer("groups", 1).min(1).doc("blocked connections from input to output channels"),
      ParamSpec::boolean("bias", true).doc("a learnable bias per output channel"),
  };
  for (auto& q : init_params()) p.push_back(std::move(q));
  return p;
}

// ---- BatchNorm1d / BatchNorm2d ----
template <std::size_t ND>
bool batch_norm_rule(LayerContext& c) {
  if (ND == 1 ? (c.in.size() != 1 && c.in.size() != 2) : c.in.size() != 3) {
    c.diags.error(c.stage.op_loc,
                  fmt::format("{} needs an input of {}, got {}", c.label, ND == 1 ? "[C] or [C, L]" : "[C, H, W]", shape_text(c.in)),
                  ND == 1 ? "add '- op: flatten' before it" : "use batch_norm1d for [C] or [C, L]");
    return false;
  }
  LayerSpec& l = c.layer;
  l.in = c.in[0];
  l.eps = c.stage.number("eps");
  l.momentum = c.stage.number("momentum");
  l.out_shape = c.in;
  l.params = 2 * l.in;
  l.type = fmt::format("BatchNorm{}d({}{}{})", ND, l.in, l.eps != 1e-5 ? ", eps=" + num(l.eps) : "",
                       l.momentum != 0.1 ? ", momentum=" + num(l.momentum) : "");
  return true;
}

std::vector<ParamSpec> batch_norm_params() {
  return {
      ParamSpec::number("eps", 1e-5).min(0, true).doc("added to the variance for stability"),
      ParamSpec::number("momentum", 0.1).min(0).max(1).doc("the weight of each batch in the running statistics"),
  };
}

// ---- LayerNorm ----
bool layer_norm_rule(LayerContext& c) {
  LayerSpec& l = c.layer;
  const dsl::Param& ns = c.stage.param("normalized_shape");
  if (ns.value.is_set()) {
    l.sizes = ns.value.as_int_list();
    const bool fits = l.sizes.size() <= c.in.size() && std::equal(l.sizes.begin(), l.sizes.end(), c.in.end() - l.sizes.size());
    if (!fits) {
      c.diags.error(ns.loc, fmt::format("{}: normalized_shape {} is not the last dims of its input {}", c.label,
                                        shape_text(l.sizes), shape_text(c.in)),
                    "leave it out to normalise the last dim");
      return false;
    }
  } else {
    l.sizes = {c.in.back()};
  }
  l.eps = c.stage.number("eps");
  l.bias = c.stage.boolean("elementwise_affine");
  l.out_shape = c.in;
  l.params = l.bias ? 2 * product(l.sizes) : 0;
  std::string shape = l.sizes.size() == 1 ? std::to_string(l.sizes[0]) : "(" + shape_text(l.sizes).substr(1);
  if (l.sizes.size() > 1) shape.back() = ')';
  l.type = fmt::format("LayerNorm({}{}{})", shape, l.eps != 1e-5 ? ", eps=" + num(l.eps) : "",
                       l.bias ? "" : ", elementwise_affine=False");
  return true;
}

// ---- shape-keeping layers ----
bool dropout_rule(LayerContext& c) {
  c.layer.p = c.stage.number("p");
  c.layer.out_shape = c.in;
  c.layer.type = fmt::format("Dropout(p={})", c.layer.p);
  return true;
}
template <const char* Type>
bool plain_rule(LayerContext& c) {
  c.layer.out_shape = c.in;
  c.layer.type = Type;
  return true;
}
bool leaky_relu_rule(LayerContext& c) {
  c.layer.negative_slope = c.stage.number("negative_slope");
  c.layer.out_shape = c.in;
  c.layer.type = c.layer.negative_slope == 0.01 ? "LeakyReLU" : "LeakyReLU(negative_slope=" + num(c.layer.negative_slope) + ")";
  return true;
}
bool gelu_rule(LayerContext& c) {
  c.layer.approximate = c.stage.string("approximate");
  c.layer.out_shape = c.in;
  c.layer.type = c.layer.approximate == "none" ? "GELU" : "GELU(approximate='" + c.layer.approximate + "')";
  return true;
}
bool elu_rule(LayerContext& c) {
  c.layer.alpha = c.stage.number("alpha");
  c.layer.out_shape = c.in;
  c.layer.type = c.layer.alpha == 1.0 ? "ELU" : "ELU(alpha=" + num(c.layer.alpha) + ")";
  return true;
}
// A dim of the batched tensor (0 is the batch), negative from the end; nothing when out of range.
std::optional<std::int64_t> batched_dim(std::int64_t dim, std::size_t rank) {
  const auto n = static_cast<std::int64_t>(rank) + 1;
  if (dim < -n || dim >= n) return std::nullopt;
  return dim < 0 ? dim + n : dim;
}
bool softmax_rule(LayerContext& c) {
  const std::int64_t dim = c.stage.integer("dim");
  const auto d = batched_dim(dim, c.in.size());
  if (!d || *d == 0) {
    c.diags.error(c.stage.param("dim").loc,
                  fmt::format("{}: dim {} is not a dim of its input {} (1 to {}, or -1 to -{}; 0 is the batch)", c.label, dim,
                              shape_text(c.in), c.in.size(), c.in.size()));
    return false;
  }
  c.layer.dim = dim;
  c.layer.out_shape = c.in;
  c.layer.type = fmt::format("Softmax(dim={})", dim);
  return true;
}

// ---- pooling ----
template <std::size_t ND, bool Max>
bool pool_rule(LayerContext& c) {
  if (!need_rank(c, ND + 1, ND == 1 ? "[C, L]" : "[C, H, W]")) return false;
  LayerSpec& l = c.layer;
  if (!spatial(c, "kernel_size", ND, l.kernel_size) || !spatial(c, "padding", ND, l.padding)) return false;
  if (c.stage.has("stride")) {
    if (!spatial(c, "stride", ND, l.stride)) return false;
  } else {
    l.stride = l.kernel_size;
  }
  l.out_shape = {c.in[0]};
  for (std::size_t i = 0; i < ND; ++i) {
    if (2 * l.padding[i] > l.kernel_size[i]) {
      c.diags.error(c.stage.param("padding").loc, fmt::format("{}: padding {} is more than half of kernel_size {}", c.label,
                                                              l.padding[i], l.kernel_size[i]));
      return false;
    }
    const std::int64_t padded = c.in[i + 1] + 2 * l.padding[i];
    if (l.kernel_size[i] > padded) {
      c.diags.error(c.stage.param("kernel_size").loc,
                    fmt::format("{}: kernel_size {} is larger than the padded input {} (input {}, padding {})", c.label,
                                l.kernel_size[i], padded, shape_text(c.in), l.padding[i]));
      return false;
    }
    l.out_shape.push_back((padded - l.kernel_size[i]) / l.stride[i] + 1);
  }
  std::string args = fmt::format("{}Pool{}d(kernel_size={}", Max ? "Max" : "Avg", ND, size_arg(l.kernel_size));
  if (l.stride != l.kernel_size) args += ", stride=" + size_arg(l.stride);
  if (size_arg(l.padding) != "0") args += ", padding=" + size_arg(l.padding);
  l.type = args + ")";
  return true;
}
std::vector<ParamSpec> pool_params() {
  return {
      ParamSpec::int_list("kernel_size").min(1).doc("the window's size: one value, or one per spatial dim"),
      ParamSpec::int_list("stride").min(1).optional("kernel_size").doc("the step between windows"),
      ParamSpec::int_list("padding", std::vector<std::int64_t>{0}).min(0).doc("padding on both sides (at most half the window)"),
  };
}
template <std::size_t ND>
bool adaptive_rule(LayerContext& c) {
  if (!need_rank(c, ND + 1, ND == 1 ? "[C, L]" : "[C, H, W]")) return false;
  LayerSpec& l = c.layer;
  if (!spatial(c, "output_size", ND, l.output_size)) return false;
  l.out_shape = {c.in[0]};
  l.out_shape.insert(l.out_shape.end(), l.output_size.begin(), l.output_size.end());
  l.type = fmt::format("AdaptiveAvgPool{}d({})", ND, size_arg(l.output_size));
  return true;
}

// ---- Flatten / Unflatten ----
bool flatten_rule(LayerContext& c) {
  LayerSpec& l = c.layer;
  const auto start = batched_dim(c.stage.integer("start_dim"), c.in.size());
  const auto end = batched_dim(c.stage.integer("end_dim"), c.in.size());
  if (!start || !end || *start == 0 || *end < *start) {
    c.diags.error(c.stage.op_loc,
                  fmt::format("{}: start_dim {} and end_dim {} are not a range of its input's dims {} (1 to {}; 0 is the batch)",
                              c.label, c.stage.integer("start_dim"), c.stage.integer("end_dim"), shape_text(c.in), c.in.size()));
    return false;
  }
  l.dim = c.stage.integer("start_dim");
  l.end_dim = c.stage.integer("end_dim");
  const auto s = static_cast<std::size_t>(*start - 1), e = static_cast<std::size_t>(*end - 1);
  l.out_shape.assign(c.in.begin(), c.in.begin() + s);
  l.out_shape.push_back(product(c.in, s, e + 1));
  l.out_shape.insert(l.out_shape.end(), c.in.begin() + e + 1, c.in.end());
  l.type = l.dim == 1 && l.end_dim == -1 ? "Flatten" : fmt::format("Flatten(start_dim={}, end_dim={})", l.dim, l.end_dim);
  return true;
}
bool unflatten_rule(LayerContext& c) {
  LayerSpec& l = c.layer;
  const std::int64_t dim = c.stage.integer("dim");
  const auto d = batched_dim(dim, c.in.size());
  if (!d || *d == 0) {
    c.diags.error(c.stage.param("dim").loc, fmt::format("{}: dim {} is not a dim of its input {} (1 to {}; 0 is the batch)",
                                                        c.label, dim, shape_text(c.in), c.in.size()));
    return false;
  }
  l.sizes = c.stage.param("unflattened_size").value.as_int_list();
  const auto i = static_cast<std::size_t>(*d - 1);
  if (product(l.sizes) != c.in[i]) {
    c.diags.error(c.stage.param("unflattened_size").loc,
                  fmt::format("{}: unflattened_size {} holds {} values, but dim {} of its input {} has {}", c.label,
                              shape_text(l.sizes), product(l.sizes), dim, shape_text(c.in), c.in[i]),
                  "the sizes must multiply to the dim's size");
    return false;
  }
  l.dim = dim;
  l.out_shape.assign(c.in.begin(), c.in.begin() + i);
  l.out_shape.insert(l.out_shape.end(), l.sizes.begin(), l.sizes.end());
  l.out_shape.insert(l.out_shape.end(), c.in.begin() + i + 1, c.in.end());
  std::string sizes = "(";
  for (std::size_t k = 0; k < l.sizes.size(); ++k) sizes += (k ? ", " : "") + std::to_string(l.sizes[k]);
  l.type = fmt::format("Unflatten({}, {}{})", dim, sizes, l.sizes.size() == 1 ? ",)" : ")");
  return true;
}

// ---- Residual ----
bool residual_rule(LayerContext& c) {
  LayerSpec& l = c.layer;
  std::vector<LayerRow> body_rows;
  const auto out = layers::plan_layers(c.stage.children, c.in, c.name + ".body.", c, l.body, body_rows);
  if (!out) return false;
  if (*out != c.in) {
    c.diags.error(c.stage.op_loc,
                  fmt::format("{} gives {} from its input {}: x + f(x) needs its layers to keep the shape", c.label,
                              shape_text(*out), shape_text(c.in)),
                  fmt::format("end its layers with an output of {}", shape_text(c.in)));
    return false;
  }
  l.out_shape = c.in;
  for (const auto& b : l.body) l.params += b.params;
  l.type = "Residual";
  c.rows.push_back(LayerRow{c.name, l.type, l.out_shape, l.params});
  for (auto& r : body_rows) c.rows.push_back(std::move(r));
  return true;
}

constexpr char kReLU[] = "ReLU", kTanh[] = "Tanh", kSigmoid[] = "Sigmoid";

}  // namespace

#define PIPE_LAYER(NAME, ...)         \
  const OpDef& NAME##_op() {          \
    static const OpDef op = layer_def(#NAME, __VA_ARGS__); \
    return op;                        \
  }

PIPE_LAYER(linear, "torch.nn.Linear: x A^T + b over the last dim (in_features from the input)",
           [] {
             std::vector<ParamSpec> p = {ParamSpec::integer("out_features").min(1).doc("the output's last dim"),
                                         ParamSpec::boolean("bias", true).doc("a learnable bias")};
             for (auto& q : init_params()) p.push_back(std::move(q));
             return p;
           }(),
           linear_rule)
PIPE_LAYER(conv1d, "torch.nn.Conv1d on [C, L] (in_channels from the input)", conv_params(), conv_rule<1>)
PIPE_LAYER(conv2d, "torch.nn.Conv2d on [C, H, W] (in_channels from the input)", conv_params(), conv_rule<2>)
PIPE_LAYER(batch_norm1d, "torch.nn.BatchNorm1d on [C] or [C, L] (num_features from the input)", batch_norm_params(),
           batch_norm_rule<1>)
PIPE_LAYER(batch_norm2d, "torch.nn.BatchNorm2d on [C, H, W] (num_features from the input)", batch_norm_params(),
           batch_norm_rule<2>)
PIPE_LAYER(layer_norm, "torch.nn.LayerNorm over the last dim (or normalized_shape, the last dims)",
           (std::vector<ParamSpec>{
               ParamSpec::int_list("normalized_shape").min(1).optional("the last dim").doc("the trailing dims to normalise over"),
               ParamSpec::number("eps", 1e-5).min(0, true).doc("added to the variance for stability"),
               ParamSpec::boolean("elementwise_affine", true).doc("a learnable weight and bias per element"),
           }),
           layer_norm_rule)
PIPE_LAYER(dropout, "torch.nn.Dropout: zeroes each element with probability p while training",
           {ParamSpec::number("p", 0.5).min(0).max(1, true).doc("the probability of an element to be zeroed")}, dropout_rule)
PIPE_LAYER(relu, "torch.nn.ReLU", {}, plain_rule<kReLU>)
PIPE_LAYER(leaky_relu, "torch.nn.LeakyReLU",
           {ParamSpec::number("negative_slope", 0.01).doc("the slope for negative inputs")}, leaky_relu_rule)
PIPE_LAYER(gelu, "torch.nn.GELU",
           {ParamSpec::enumeration("approximate", {"none", "tanh"}, "none").doc("'tanh': the tanh approximation")}, gelu_rule)
PIPE_LAYER(elu, "torch.nn.ELU", {ParamSpec::number("alpha", 1.0).doc("the value for large negative inputs")}, elu_rule)
PIPE_LAYER(tanh, "torch.nn.Tanh", {}, plain_rule<kTanh>)
PIPE_LAYER(sigmoid, "torch.nn.Sigmoid", {}, plain_rule<kSigmoid>)
PIPE_LAYER(softmax, "torch.nn.Softmax along dim (1: the first dim after the batch)",
           {ParamSpec::integer("dim", 1).doc("the dim whose values sum to 1 (PyTorch's implicit choice for a batch of rows)")},
           softmax_rule)
PIPE_LAYER(max_pool1d, "torch.nn.MaxPool1d on [C, L]", pool_params(), (pool_rule<1, true>))
PIPE_LAYER(max_pool2d, "torch.nn.MaxPool2d on [C, H, W]", pool_params(), (pool_rule<2, true>))
PIPE_LAYER(avg_pool1d, "torch.nn.AvgPool1d on [C, L]", pool_params(), (pool_rule<1, false>))
PIPE_LAYER(avg_pool2d, "torch.nn.AvgPool2d on [C, H, W]", pool_params(), (pool_rule<2, false>))
PIPE_LAYER(adaptive_avg_pool1d, "torch.nn.AdaptiveAvgPool1d on [C, L]: [C, output_size]",
           {ParamSpec::int_list("output_size").min(1).doc("the output's length")}, adaptive_rule<1>)
PIPE_LAYER(adaptive_avg_pool2d, "torch.nn.AdaptiveAvgPool2d on [C, H, W]: [C, H', W']",
           {ParamSpec::int_list("output_size").min(1).doc("the output's height and width: one value, or two")}, adaptive_rule<2>)
PIPE_LAYER(flatten, "torch.nn.Flatten: dims start_dim..end_dim into one (0 is the batch)",
           (std::vector<ParamSpec>{ParamSpec::integer("start_dim", 1).doc("the first dim to flatten"),
                                   ParamSpec::integer("end_dim", -1).doc("the last dim to flatten")}),
           flatten_rule)
PIPE_LAYER(unflatten, "torch.nn.Unflatten: dim into unflattened_size ([F] -> [C, L] before a conv1d)",
           (std::vector<ParamSpec>{ParamSpec::integer("dim", 1).doc("the dim to split (0 is the batch)"),
                                   ParamSpec::int_list("unflattened_size").min(1).doc("the sizes it becomes")}),
           unflatten_rule)
PIPE_LAYER(residual, "a residual block: x + f(x), f its layers, which must keep the shape",
           {ParamSpec::stages("layers", dsl::OpKind::kLayer).doc("the block's layers, each '- op: NAME' with its parameters")},
           residual_rule)

#undef PIPE_LAYER

}  // namespace pipeml
