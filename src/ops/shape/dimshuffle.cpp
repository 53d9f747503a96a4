// DimShuffle: dimensions permuted, dropped (static size 1) or added, as a view; with the API
// built on it (transpose, swapaxes, expand_dims).
#include <algorithm>

#include "../shape_util.hpp"
#include "shape_detail.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using shape_detail::require_inputs;

std::string DimShuffle::props() const {
  std::string s;
  for (size_t i = 0; i < pattern_.size(); ++i) {
    s += (i ? "," : "");
    s += pattern_[i] == kNewAxis ? "x" : std::to_string(pattern_[i]);
  }
  return s;
}

std::vector<TensorType> DimShuffle::output_types(const std::vector<Var>& inputs) const {
  require_inputs(*this, inputs, 1);
  const TensorType& t = inputs[0]->type;
  std::vector<bool> used(t.ndim(), false);
  StaticShape out;
  for (int64_t p : pattern_) {
    if (p == kNewAxis) {
      out.push_back(1);
      continue;
    }
    if (p < 0 || p >= t.ndim()) {
      throw ValueError(op_error(
          *this, "pattern entry " + std::to_string(p) + " is not a dimension of the input " +
                     t.str() + " (expected 0.." + std::to_string(t.ndim() - 1) + " or 'x')"));
    }
    if (used[p]) {
      throw ValueError(
          op_error(*this, "dimension " + std::to_string(p) + " appears twice in the pattern"));
    }
    used[p] = true;
    out.push_back(t.shape[p]);
  }
  for (int d = 0; d < t.ndim(); ++d) {
    if (!used[d] && t.shape[d] != 1) {
      throw ValueError(op_error(*this, "cannot drop dimension " + std::to_string(d) +
                                           " of the input " + t.str() +
                                           ": only dimensions of static size 1 can be dropped"));
    }
  }
  return {TensorType(t.dtype, out)};
}

void DimShuffle::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  std::vector<bool> used(x.ndim(), false);
  Shape shape;
  Strides strides;
  for (int64_t p : pattern_) {
    if (p == kNewAxis) {
      shape.push_back(1);
      strides.push_back(0);
    } else {
      used[p] = true;
      shape.push_back(x.shape(static_cast<int>(p)));
      strides.push_back(x.strides()[p]);
    }
  }
  for (int d = 0; d < x.ndim(); ++d) {
    if (!used[d] && x.shape(d) != 1) {
      throw ValueError(op_error(*this, "cannot drop dimension " + std::to_string(d) + " of size " +
                                           std::to_string(x.shape(d)) + " (input shape " +
                                           shape_str(x.shape()) + ")"));
    }
  }
  outputs[0] = x.view(x.raw(), std::move(shape), std::move(strides));
}

SymShapes DimShuffle::infer_shape(const std::vector<Var>&,
                                  const std::vector<std::vector<Var>>& input_shapes) const {
  SymShape out;
  for (int64_t p : pattern_) out.push_back(p == kNewAxis ? int64_const(1) : input_shapes[0][p]);
  return std::vector<SymShape>{out};
}

// The inverse shuffle: the added ('x') dimensions of g are dropped, the kept ones put back in
// input order, and the input dimensions the pattern dropped (size 1) re-added.
std::vector<Var> DimShuffle::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                  const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr};
  const int64_t nd_in = inputs[0]->type.ndim();
  std::vector<int64_t> added;                     // output positions of the 'x' entries
  std::vector<int64_t> out_pos(nd_in, kNewAxis);  // output position of each input dimension
  bool added_static = true;                       // every 'x' dimension of g is statically 1
  for (size_t j = 0; j < pattern_.size(); ++j) {
    if (pattern_[j] == kNewAxis) {
      added.push_back(static_cast<int64_t>(j));
      added_static = added_static && g->type.shape[j] == 1;
    } else {
      out_pos[pattern_[j]] = static_cast<int64_t>(j);
    }
  }
  if (added_static) {
    // One DimShuffle does it all: g's 'x' dimensions are left out of the pattern.
    bool identity = static_cast<int64_t>(pattern_.size()) == nd_in;
    for (int64_t d = 0; identity && d < nd_in; ++d) identity = out_pos[d] == d;
    return {identity ? g : dimshuffle(g, out_pos)};
  }
  // g's 'x' dimensions are not statically 1: Squeeze checks them at run time.
  Var h = squeeze(g, added);
  std::vector<int64_t> pattern(nd_in, kNewAxis);
  int64_t k = 0;
  for (size_t j = 0; j < pattern_.size(); ++j) {
    if (pattern_[j] != kNewAxis) pattern[pattern_[j]] = k++;
  }
  bool identity = k == nd_in;
  for (int64_t d = 0; identity && d < nd_in; ++d) identity = pattern[d] == d;
  return {identity ? h : dimshuffle(h, pattern)};
}

Var dimshuffle(const Var& x, const std::vector<int64_t>& pattern) {
  return make_node1(std::make_shared<DimShuffle>(pattern), {x});
}

Var transpose(const Var& x, std::optional<std::vector<int64_t>> axes) {
  const int64_t nd = x->type.ndim();
  std::vector<int64_t> perm;
  if (!axes) {
    for (int64_t i = nd - 1; i >= 0; --i) perm.push_back(i);
  } else {
    if (static_cast<int64_t>(axes->size()) != nd) {
      throw ValueError("transpose: axes " + ints_str(*axes) + " don't match an input of " +
                       std::to_string(nd) + " dimensions (" + x->type.str() + ")");
    }
    std::vector<bool> seen(nd, false);
    for (int64_t a : *axes) {
      int64_t n = normalize_axis(a, nd, "transpose");
      if (seen[n]) throw ValueError("transpose: repeated axis in " + ints_str(*axes));
      seen[n] = true;
      perm.push_back(n);
    }
  }
  return dimshuffle(x, perm);
}

Var swapaxes(const Var& x, int64_t axis1, int64_t axis2) {
  const int64_t nd = x->type.ndim();
  const int64_t a = normalize_axis(axis1, nd, "swapaxes");
  const int64_t b = normalize_axis(axis2, nd, "swapaxes");
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < nd; ++i) perm.push_back(i);
  std::swap(perm[a], perm[b]);
  return dimshuffle(x, perm);
}

Var expand_dims(const Var& x, const std::vector<int64_t>& axis) {
  const int64_t out_nd = x->type.ndim() + static_cast<int64_t>(axis.size());
  std::vector<bool> is_new(out_nd, false);
  for (int64_t a : axis) {
    int64_t n = normalize_axis(a, out_nd, "expand_dims");
    if (is_new[n]) throw ValueError("expand_dims: repeated axis in " + ints_str(axis));
    is_new[n] = true;
  }
  std::vector<int64_t> pattern;
  int64_t next = 0;
  for (int64_t d = 0; d < out_nd; ++d) pattern.push_back(is_new[d] ? kNewAxis : next++);
  return dimshuffle(x, pattern);
}

THEON_OP_FILE(dimshuffle) {
  register_op_factory("DimShuffle", [](const PropReader& f) -> OpPtr {
    return std::make_shared<DimShuffle>(f.get_ints("pattern"));
  });
  register_builder("dimshuffle", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        dimshuffle(in[0], p.has("pattern") ? p.get_ints("pattern") : std::vector<int64_t>{})};
  });
  register_builder("transpose", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{transpose(in[0], p.get_optional_ints("axes"))};
  });
  register_builder("swapaxes", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{swapaxes(in[0], p.get_int("axis1"), p.get_int("axis2"))};
  });
  register_builder("expand_dims", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{expand_dims(in[0], p.get_ints("axis"))};
  });
}

}  // namespace theon
