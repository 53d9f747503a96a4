// Scan's shape inference: recurrent buffers are (W + n_steps, *initial rows), stacked outputs
// (n_steps, *body output shape). The body's output shapes are built from its inputs' shapes
// through the body ops' own infer_shape, then moved out of the loop: a non-sequence stands for
// itself (its value is the same at every step), the other inputs only through their shapes
// (a sequence row's is the sequence's without the first dimension, a tap's the initial
// value's, a carried value's its initial value's). A body shape that depends on the values of
// sequences, taps or carried values stays unknown (read off the output). With until the
// number of steps is only known after running.
#include <unordered_map>

#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scan_op.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

using Dims = std::optional<std::vector<Var>>;

// The dims of body variable v from its inputs' shapes (memoized); nullopt when an op on the
// way cannot tell.
Dims inner_dims(const Var& v, std::unordered_map<const Variable*, Dims>& memo) {
  auto it = memo.find(v.get());
  if (it != memo.end()) return it->second;
  Dims dims;
  if (!v->owner) {
    std::vector<Var> d;
    for (int k = 0; k < v->type.ndim(); ++k) {
      d.push_back(v->type.shape[k] != kUnknownDim ? int64_const(v->type.shape[k])
                                                  : shape_i(v, k));
    }
    dims = std::move(d);
  } else {
    std::vector<std::vector<Var>> input_shapes;
    bool known = true;
    for (const auto& in : v->owner->inputs()) {
      Dims d = inner_dims(in, memo);
      if (!d) {
        known = false;
        break;
      }
      input_shapes.push_back(std::move(*d));
    }
    if (known) {
      auto shapes = v->owner->op()->infer_shape(v->owner->inputs(), input_shapes);
      if (shapes) dims = shapes->at(v->index);
    }
  }
  memo[v.get()] = dims;
  return dims;
}

}  // namespace

std::optional<std::vector<std::vector<Var>>> Scan::infer_shape(
    const std::vector<Var>& in, const std::vector<std::vector<Var>>& in_shapes) const {
  if (spec_.until) return std::nullopt;
  const Var n = as_int64(in[0]);
  std::vector<std::vector<Var>> out;
  for (int i = 0; i < spec_.n_mitsot(); ++i) {
    std::vector<Var> s = in_shapes[init_begin() + i];
    s[0] = add(n, int64_const(spec_.window(i)));
    if (spec_.kept(i) > 0) s[0] = minimum(s[0], int64_const(spec_.kept(i)));
    out.push_back(std::move(s));
  }
  // The outer shape each body input stands for, dimension by dimension.
  std::unordered_map<const Variable*, std::pair<const std::vector<Var>*, int>> outer_shape;
  for (int j = 0; j < spec_.n_seqs; ++j) {
    outer_shape[inner_inputs_[j].get()] = {&in_shapes[seq_begin() + j], 1};
  }
  int tap = inner_tap_begin();
  for (int i = 0; i < spec_.n_mitsot(); ++i) {
    for (size_t k = 0; k < spec_.taps[i].size(); ++k, ++tap) {
      outer_shape[inner_inputs_[tap].get()] = {&in_shapes[init_begin() + i], 1};
    }
  }
  for (int j = 0; j < spec_.n_carried; ++j) {
    outer_shape[inner_inputs_[inner_carried_begin() + j].get()] = {
        &in_shapes[carried_begin() + j], 0};
  }
  std::unordered_map<const Variable*, Dims> memo;
  std::vector<Var> dims;
  for (int j = 0; j < spec_.n_nitsot; ++j) {
    Dims d = inner_dims(inner_outputs_[spec_.n_mitsot() + j], memo);
    if (!d) return std::nullopt;
    dims.insert(dims.end(), d->begin(), d->end());
  }
  std::vector<std::pair<Var, Var>> replace;
  for (int j = 0; j < spec_.n_nonseqs; ++j) {
    replace.emplace_back(inner_inputs_[inner_nonseq_begin() + j], in[nonseq_begin() + j]);
  }
  // The other inputs may be read only through Shape_i.
  for (Apply* node : toposort(dims)) {
    for (size_t k = 0; k < node->inputs().size(); ++k) {
      auto found = outer_shape.find(node->inputs()[k].get());
      if (found == outer_shape.end()) continue;
      const auto* shape_node = dynamic_cast<const ShapeI*>(node->op().get());
      if (!shape_node) return std::nullopt;
      const auto& [shape, skip] = found->second;
      replace.emplace_back(node->output(0), shape->at(shape_node->i() + skip));
    }
  }
  for (const auto& v : dims) {
    auto found = outer_shape.find(v.get());
    if (found != outer_shape.end()) return std::nullopt;
  }
  if (!dims.empty()) {
    try {
      dims = clone_replace(dims, replace);
    } catch (const Error&) {
      return std::nullopt;
    }
  }
  size_t next = 0;
  for (int j = 0; j < spec_.n_nitsot; ++j) {
    std::vector<Var> s{n};
    for (int d = 0; d < inner_outputs_[spec_.n_mitsot() + j]->type.ndim(); ++d) {
      s.push_back(dims[next++]);
    }
    out.push_back(std::move(s));
  }
  for (int j = 0; j < spec_.n_carried; ++j) out.push_back(in_shapes[carried_begin() + j]);
  return out;
}

}  // namespace theon
