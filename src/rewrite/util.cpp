#include "util.hpp"

#include "theon/ops/constant.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon::rewrite_util {
namespace {

// The input of v's owner that v is a view of, or null when v is not a view.
Var viewed_input(const Var& v) {
  const Apply* owner = v->owner;
  if (!owner) return nullptr;
  const int out = v->index;
  for (const auto& [o, in] : owner->op()->view_map()) {
    if (o == out && in >= 0 && in < static_cast<int>(owner->inputs().size())) {
      return owner->inputs()[in];
    }
  }
  return nullptr;
}

// Whether v may be a view of more than one input (an ifelse's output views either branch).
bool views_several_inputs(const Var& v) {
  const Apply* owner = v->owner;
  if (!owner) return false;
  int sources = 0;
  for (const auto& [o, in] : owner->op()->view_map()) sources += o == v->index ? 1 : 0;
  return sources > 1;
}

}  // namespace

bool is_elemwise(const Var& v, const char* name) {
  auto* e = op_as<Elemwise>(v);
  return e && !e->cast_target() && e->scalar().name == name;
}

bool is_keepdims_max_of(const Var& m, const Var& x, const std::vector<int64_t>& axes) {
  const Reduce* r = op_as<Reduce>(m);
  return r && r->kind() == ReduceKind::Max && r->axes() == axes && r->keepdims() &&
         m->owner->inputs()[0] == x;
}

bool dominated(const Var& m, const Var& v) {
  if (m == v) return true;
  const int mn = m->type.ndim(), vn = v->type.ndim();
  if (mn > vn) return false;
  for (int k = 0; k < mn; ++k) {
    const int64_t md = m->type.shape[k], vd = v->type.shape[vn - mn + k];
    if (md == 1 || (vd != kUnknownDim && vd != 1)) continue;
    return false;
  }
  return true;
}

Var dim_of(const Var& v, int d) {
  const int64_t known = v->type.shape[d];
  if (known != kUnknownDim) return scalar_constant(known, DType::Int64);
  return shape_i(v, d);
}

std::optional<std::vector<Var>> output_dims(Apply* node, int out) {
  const Var o = node->output(out);
  std::vector<Var> dims(o->type.ndim());
  bool all_known = true;
  for (int d = 0; d < o->type.ndim(); ++d) {
    if (o->type.shape[d] != kUnknownDim) {
      dims[d] = scalar_constant(o->type.shape[d], DType::Int64);
    } else {
      all_known = false;
    }
  }
  if (all_known) return dims;
  std::vector<std::vector<Var>> input_shapes;
  for (const auto& in : node->inputs()) {
    std::vector<Var> s;
    for (int d = 0; d < in->type.ndim(); ++d) s.push_back(dim_of(in, d));
    input_shapes.push_back(std::move(s));
  }
  auto shapes = node->op()->infer_shape(node->inputs(), input_shapes);
  if (!shapes) return std::nullopt;
  const auto& inferred = shapes->at(out);
  if (static_cast<int>(inferred.size()) != o->type.ndim()) return std::nullopt;
  for (int d = 0; d < o->type.ndim(); ++d) {
    if (!dims[d]) dims[d] = cast(inferred[d], DType::Int64);
  }
  return dims;
}

std::optional<std::vector<Var>> alloc_dims(const Apply* alloc) {
  std::vector<Var> dims;
  const auto& in = alloc->inputs();
  for (size_t k = 1; k < in.size(); ++k) {
    if (in[k]->type.ndim() == 0) {
      dims.push_back(as_int64(in[k]));
    } else if (op_as<MakeVector>(in[k])) {
      for (const Var& e : in[k]->owner->inputs()) dims.push_back(as_int64(e));
    } else if (const NDArray* c = constant_value(in[k])) {
      for (int64_t i = 0; i < c->size(); ++i) {
        dims.push_back(int64_const(static_cast<int64_t>(c->flat_as_double(i))));
      }
    } else {
      return std::nullopt;
    }
  }
  return dims;
}

bool can_destroy(const FunctionGraph& fg, const Apply* node, size_t index) {
  Var v = node->inputs()[index];
  const Apply* reader = node;
  for (int depth = 0; v; ++depth) {
    if (depth > 10000) return false;
    if (!v->owner) return false;  // input, constant or shared variable
    const auto& clients = fg.clients(v.get());
    if (clients.size() != 1 || clients[0].first != reader) return false;
    for (const auto& out : fg.outputs()) {
      if (out.get() == v.get()) return false;
    }
    if (views_several_inputs(v)) return false;
    reader = v->owner;
    v = viewed_input(v);
  }
  return true;
}

}  // namespace theon::rewrite_util
