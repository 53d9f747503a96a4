// Helpers shared by the rewrite groups (private to src/rewrite).
#pragma once

#include <optional>
#include <vector>

#include "theon/graph/fgraph.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/elemwise.hpp"

namespace theon::rewrite_util {

using Result = std::optional<std::vector<Var>>;

inline Result one(Var v) {
  return std::vector<Var>{std::move(v)};
}

// The op of v's owner as an OpT, or null.
template <class OpT>
const OpT* op_as(const Var& v) {
  return v && v->owner ? dynamic_cast<const OpT*>(v->owner->op().get()) : nullptr;
}

template <class OpT>
const OpT* node_op(Apply* node) {
  return dynamic_cast<const OpT*>(node->op().get());
}

// True if v is computed by the Elemwise scalar op `name` (casts excluded).
bool is_elemwise(const Var& v, const char* name);

// True if m is max(x, axes, keepdims=True).
bool is_keepdims_max_of(const Var& m, const Var& x, const std::vector<int64_t>& axes);

// True when broadcasting `m` against `v` cannot change v's shape (for any run-time sizes
// allowed by the static shapes): every dimension of m is 1, or v's is a known size other than 1.
bool dominated(const Var& m, const Var& v);

// shape_i(v, d), or a constant where the static shape knows it.
Var dim_of(const Var& v, int d);

// The dimensions of node's output `out` as int64 scalars: constants where the output's static
// shape knows them, else what the op's infer_shape makes of the inputs' dims (so that asking for
// them does not compute the output); nullopt where the op infers no shape.
std::optional<std::vector<Var>> output_dims(Apply* node, int out);

// The dimensions an Alloc node's shape inputs give, each an int64 scalar (nullopt where a
// vector's entry cannot be named without indexing it).
std::optional<std::vector<Var>> alloc_dims(const Apply* alloc);

// True if `node` may overwrite the buffer of its input `index`: that input, and every variable
// up its chain of views (Op::view_map) to the one owning the buffer, is computed by a node (not
// an input, constant or shared variable), is not a graph output, and is read only by the next
// node down the chain (see src/rewrite/inplace.cpp).
bool can_destroy(const FunctionGraph& fg, const Apply* node, size_t index);

}  // namespace theon::rewrite_util
