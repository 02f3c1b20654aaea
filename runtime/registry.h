// The op registry: every op of ops/ops.def, found by name; also the SchemaLookup the
// DSL parser checks against.
#pragma once
#include <vector>

#include "runtime/op.h"

namespace pipeml {

class Registry : public dsl::SchemaLookup {
 public:
  /// The registry of all built-in ops.
  static const Registry& builtin();
  const OpDef* op(const std::string& name) const;
  const std::vector<const OpDef*>& ops() const { return ops_; }
  const dsl::OpSchema* find(const std::string& name) const override;
  std::vector<const dsl::OpSchema*> of_kind(dsl::OpKind kind) const override;

 private:
  std::vector<const OpDef*> ops_;
};

}  // namespace pipeml
