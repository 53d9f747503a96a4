// IncSubtensor and AdvancedIncSubtensor: set/inc of a basic or an advanced indexing, with the
// C++ API set_subtensor and inc_subtensor.
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

using namespace subtensor_detail;

// NumPy's 'same_kind' casting: kinds ordered bool < unsigned < signed < float.
bool same_kind_castable(DType from, DType to) {
  auto order = [](DType dt) {
    switch (dtype_kind(dt)) {
      case DKind::Bool:
        return 0;
      case DKind::Unsigned:
        return 1;
      case DKind::Signed:
        return 2;
      case DKind::Float:
        return 3;
    }
    return 3;
  };
  return can_cast_safe(from, to) || order(from) <= order(to);
}

template <class T>
void add_run(char* d, const char* s, int64_t sd, int64_t ss, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T* p = reinterpret_cast<T*>(d + i * sd);
    const T v = *reinterpret_cast<const T*>(s + i * ss);
    if constexpr (std::is_same_v<T, bool>) {
      *p = *p || v;
    } else {
      *p = static_cast<T>(*p + v);
    }
  }
}

RunFn add_fn(DType dt) {
  return visit_dtype(dt, [](auto tag) -> RunFn { return add_run<typename decltype(tag)::type>; });
}

}  // namespace

Props IncSubtensorBase::fields() const {
  Props f = IndexingOp::fields();
  f.push_back({"set_instead_of_inc", PropValue::boolean(set_)});
  f.push_back({"inplace", PropValue::boolean(inplace_)});
  return f;
}

std::vector<TensorType> IncSubtensorBase::output_types(const std::vector<Var>& inputs) const {
  check_num_inputs(*this, inputs, 2 + spec_.num_inputs, "x, y and the index inputs");
  const TensorType& xt = inputs[0]->type;
  const TensorType& yt = inputs[1]->type;
  std::vector<Var> idx(inputs.begin() + 2, inputs.end());
  const StaticShape target = indexed_static_shape(*this, spec_, xt, idx);
  const int extra = yt.ndim() - static_cast<int>(target.size());
  for (int i = 0; i < extra; ++i) {
    if (yt.shape[i] != 1 && yt.shape[i] != kUnknownDim) {
      throw ValueError(op_error(*this, "shape mismatch: value array of shape " +
                                           static_shape_str(yt.shape) +
                                           " could not be broadcast to indexing result of shape " +
                                           static_shape_str(target)));
    }
  }
  for (int i = std::max(extra, 0); i < yt.ndim(); ++i) {
    const int64_t ys = yt.shape[i];
    const int64_t ts = target[i - extra];
    if (ys != kUnknownDim && ys != 1 && ts != kUnknownDim && ys != ts) {
      throw ValueError(op_error(*this, "shape mismatch: value array of shape " +
                                           static_shape_str(yt.shape) +
                                           " could not be broadcast to indexing result of shape " +
                                           static_shape_str(target)));
    }
  }
  if (!set_ && !same_kind_castable(yt.dtype, xt.dtype)) {
    throw TypeError(op_error(*this, "cannot increment a " + std::string(dtype_name(xt.dtype)) +
                                        " tensor by a " + std::string(dtype_name(yt.dtype)) +
                                        " value (casting rule 'same_kind')"));
  }
  return {xt};
}

void IncSubtensorBase::perform(const std::vector<NDArray>& inputs,
                               std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  bool inplace = inplace_ && x.writeable();
  for (int i = 0; inplace && i < x.ndim(); ++i) inplace = x.shape(i) <= 1 || x.strides()[i] != 0;
  if (inplace) outputs[0] = x;
  NDArray& out = inplace ? outputs[0] : reuse_or_empty(outputs[0], x.dtype(), x.shape());
  if (!inplace) out.copy_from(x);
  const Plan P = make_plan(*this, spec_, out.shape(), out.strides(), inputs, 2);
  const Shape target = P.out_shape();
  // y in x's dtype (NumPy's casting on assignment), broadcast to the indexed shape; leading
  // dimensions of size 1 beyond the indexed ones are dropped as NumPy does.
  NDArray y = inputs[1].dtype() == x.dtype() ? inputs[1] : inputs[1].astype(x.dtype());
  auto mismatch = [&] {
    return ValueError(op_error(
        *this, "shape mismatch: value array of shape " + shape_str(inputs[1].shape()) +
                   " could not be broadcast to indexing result of shape " + shape_str(target)));
  };
  const int extra = y.ndim() - static_cast<int>(target.size());
  if (extra > 0) {
    for (int i = 0; i < extra; ++i)
      if (y.shape(i) != 1) throw mismatch();
    y = y.view(y.raw(), Shape(y.shape().begin() + extra, y.shape().end()),
               Strides(y.strides().begin() + extra, y.strides().end()));
  }
  NDArray yb;
  try {
    yb = y.broadcast_to(target);
  } catch (const ValueError&) {
    throw mismatch();
  }
  const int nb = static_cast<int>(P.bshape.size());
  Strides y_b, y_rest;
  split_dims(yb.strides(), P.adv_pos, nb, &y_b, &y_rest);
  const std::vector<int64_t> src_off = odometer_offsets(P.bshape, y_b.data());
  BlockLoop loop(P.rest_shape, P.rest_strides, y_rest);
  const RunFn fn = set_ ? copy_fn(x.dtype()) : add_fn(x.dtype());
  char* dst = out.raw() + P.base;
  // The value is the very slice it is set into (a loop wrote it there in place, see
  // fused_into_slice in src/rewrite/inplace.cpp): nothing is left to copy.
  if (set_ && inplace && P.offsets.size() == 1 && P.bshape.empty() &&
      yb.raw() == dst + P.offsets[0] && y_rest == P.rest_strides) {
    return;
  }
  for (size_t b = 0; b < P.offsets.size(); ++b)
    loop.run(dst + P.offsets[b], yb.raw() + src_off[b], fn);
}

std::optional<std::vector<std::vector<Var>>> IncSubtensorBase::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<std::vector<Var>>{input_shapes[0]};  // x's shape
}

namespace subtensor_detail {

// The (advanced) set/inc node of x[idx] with y for a given spec and its index inputs.
Var inc_node(const IndexSpec& spec, bool set, const Var& x, const Var& y,
             const std::vector<Var>& index_inputs) {
  std::vector<Var> inputs{x, y};
  inputs.insert(inputs.end(), index_inputs.begin(), index_inputs.end());
  if (spec.advanced()) return make_node1(std::make_shared<AdvancedIncSubtensor>(spec, set), inputs);
  return make_node1(std::make_shared<IncSubtensor>(spec, set), inputs);
}

}  // namespace subtensor_detail

namespace {

Var set_or_inc(const Var& indexed, const Var& y, bool set, const char* fname) {
  const Apply* node = indexed ? indexed->owner : nullptr;
  const IndexingOp* op = node ? dynamic_cast<const IndexingOp*>(node->op().get()) : nullptr;
  if (!op || dynamic_cast<const IncSubtensorBase*>(op)) {
    throw TypeError(
        std::string(fname) +
        ": expected the result of an indexing operation (x[...]) as first argument, got " +
        (indexed ? var_label(*indexed) : std::string("null")));
  }
  return inc_node(op->spec(), set, node->inputs()[0], y,
                  std::vector<Var>(node->inputs().begin() + 1, node->inputs().end()));
}

// Whether the indexing may reach one location of x more than once (only integer arrays can).
// Provably not when there is a single integer array, constant, whose values are distinct and
// all of one sign (so no negative index can alias a non-negative one).
bool may_repeat(const IndexSpec& spec, const std::vector<Var>& index_inputs) {
  const IndexEntry* array = nullptr;
  for (const auto& e : spec.entries) {
    if (e.kind != IndexEntry::Kind::Array) continue;
    if (array) return true;
    array = &e;
  }
  if (!array) return false;
  const NDArray* c = constant_value(index_inputs[array->slot]);
  if (!c) return true;
  NDArray v = c->astype(DType::Int64);  // a contiguous copy
  std::vector<int64_t> vals(v.data<int64_t>(), v.data<int64_t>() + v.size());
  std::sort(vals.begin(), vals.end());
  if (std::adjacent_find(vals.begin(), vals.end()) != vals.end()) return true;
  return !vals.empty() && vals.front() < 0 && vals.back() >= 0;
}

// g[idx] restricted to the writes of set_subtensor(x[idx], .) that land: where the index
// reaches a location several times, the last write wins (the kernel writes in index order),
// and the others get no gradient. Found by writing the position numbers of the indexed
// result into an integer array shaped like x and reading them back.
Var landed_writes(const IndexSpec& spec, const Var& x, const Var& g_indexed,
                  const std::vector<Var>& index_inputs) {
  Var ids = reshape(arange(size(g_indexed)), shape(g_indexed));
  Var written = inc_node(spec, true, zeros_like(x, DType::Int64), ids, index_inputs);
  Var landed = equal(subtensor(written, spec, index_inputs), ids);
  return mul(g_indexed, landed);
}

}  // namespace

Var set_subtensor(const Var& indexed, const Var& y) {
  return set_or_inc(indexed, y, true, "set_subtensor");
}

Var inc_subtensor(const Var& indexed, const Var& y) {
  return set_or_inc(indexed, y, false, "inc_subtensor");
}

std::vector<Var> IncSubtensorBase::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                        const std::vector<Var>& output_grads) const {
  std::vector<Var> grads(inputs.size());
  const Var& g = output_grads[0];
  if (!g) return grads;
  const Var& x = inputs[0];
  const Var& y = inputs[1];
  const std::vector<Var> idx(inputs.begin() + 2, inputs.end());
  if (is_float(x->type.dtype)) {
    // set: the indexed locations of x are overwritten, so they get no gradient.
    grads[0] = set_ ? inc_node(spec_, true, g, scalar_constant(0.0, g->type.dtype), idx) : g;
  }
  if (is_float(y->type.dtype)) {
    Var gy = subtensor(g, spec_, idx);
    if (set_ && may_repeat(spec_, idx)) gy = landed_writes(spec_, x, gy, idx);
    // y was broadcast to the indexed shape; leading size-1 dimensions beyond it were dropped.
    const int extra = y->type.ndim() - gy->type.ndim();
    if (extra > 0) {
      std::vector<Index> key(extra, idx::newaxis());
      key.push_back(idx::ellipsis());
      gy = getitem(gy, key);
    }
    grads[1] = sum_to_shape(gy, y);
  }
  return grads;
}

THEON_OP_FILE(inc_subtensor) {
  register_op_factory("IncSubtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<IncSubtensor>(checked_spec(f, false), f.get_bool("set_instead_of_inc"),
                                          f.get_bool("inplace"));
  });
  register_op_factory("AdvancedIncSubtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AdvancedIncSubtensor>(
        checked_spec(f, true), f.get_bool("set_instead_of_inc"), f.get_bool("inplace"));
  });
  register_builder("set_subtensor", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{set_subtensor(in[0], in[1])};
  });
  register_builder("inc_subtensor", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    if (p.get_bool("set_instead_of_inc", false))
      return std::vector<Var>{set_subtensor(in[0], in[1])};
    return std::vector<Var>{inc_subtensor(in[0], in[1])};
  });
}

}  // namespace theon
