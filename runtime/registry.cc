#include "runtime/registry.h"

namespace pipeml {

// One declaration and one table entry per line of ops/ops.def (LLVM's PassRegistry.def).
#define PIPE_OP(name) const OpDef& name##_op();
#include "ops/ops.def"
#undef PIPE_OP

const Registry& Registry::builtin() {
  static const Registry registry = [] {
    Registry r;
#define PIPE_OP(name) r.ops_.push_back(&name##_op());
#include "ops/ops.def"
#undef PIPE_OP
    return r;
  }();
  return registry;
}

const OpDef* Registry::op(const std::string& name) const {
  for (const OpDef* o : ops_)
    if (o->schema.name == name) return o;
  return nullptr;
}

const dsl::OpSchema* Registry::find(const std::string& name) const {
  const OpDef* o = op(name);
  return o ? &o->schema : nullptr;
}

std::vector<const dsl::OpSchema*> Registry::of_kind(dsl::OpKind kind) const {
  std::vector<const dsl::OpSchema*> out;
  for (const OpDef* o : ops_)
    if (o->schema.kind == kind) out.push_back(&o->schema);
  return out;
}

}  // namespace pipeml
