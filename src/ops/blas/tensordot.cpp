// Tensordot: numpy.tensordot over given axes of a and b, its gradient (shared with Dot), and its
// C++ API tensordot.

#include <algorithm>

#include "blas_detail.hpp"
#include "product_kernel.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

using namespace blas_detail;

Tensordot::Tensordot(std::vector<int64_t> axes_a, std::vector<int64_t> axes_b)
    : axes_a_(std::move(axes_a)), axes_b_(std::move(axes_b)) {}

std::string Tensordot::props() const {
  return "axes=(" + axes_str(axes_a_) + ", " + axes_str(axes_b_) + ")";
}

std::vector<TensorType> Tensordot::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  if (axes_a_.size() != axes_b_.size()) {
    throw ValueError(op_error(*this, "expected as many axes for a as for b"));
  }
  for (int side = 0; side < 2; ++side) {
    const auto& axes = side == 0 ? axes_a_ : axes_b_;
    const int nd = side == 0 ? ta.ndim() : tb.ndim();
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < 0 || axes[i] >= nd) {
        throw ValueError(op_error(*this, std::string("axis ") + std::to_string(axes[i]) +
                                             " is out of bounds for operand " +
                                             (side == 0 ? "a" : "b") + " of dimension " +
                                             std::to_string(nd)));
      }
      if (std::count(axes.begin(), axes.end(), axes[i]) > 1) {
        throw ValueError(op_error(*this, "repeated axis " + std::to_string(axes[i]) +
                                             " for operand " + (side == 0 ? "a" : "b")));
      }
    }
  }
  for (size_t i = 0; i < axes_a_.size(); ++i) {
    if (known_mismatch(ta.shape[axes_a_[i]], tb.shape[axes_b_[i]])) {
      throw ValueError(
          op_error(*this, "shape-mismatch for sum: shapes " + static_shape_str(ta.shape) + " and " +
                              static_shape_str(tb.shape) + ", axis " + std::to_string(axes_a_[i]) +
                              " of a has size " + std::to_string(ta.shape[axes_a_[i]]) + ", axis " +
                              std::to_string(axes_b_[i]) + " of b has size " +
                              std::to_string(tb.shape[axes_b_[i]])));
    }
  }
  return {TensorType(promote(ta.dtype, tb.dtype),
                     contracted_shape(ta.shape, tb.shape, to_int(axes_a_), to_int(axes_b_)))};
}

void Tensordot::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  for (size_t i = 0; i < axes_a_.size(); ++i) {
    if (a0.shape(static_cast<int>(axes_a_[i])) != b0.shape(static_cast<int>(axes_b_[i]))) {
      throw ValueError(op_error(
          *this, "shape-mismatch for sum: shapes " + shape_str(a0.shape()) + " and " +
                     shape_str(b0.shape()) + ", axis " + std::to_string(axes_a_[i]) +
                     " of a has size " + std::to_string(a0.shape(static_cast<int>(axes_a_[i]))) +
                     ", axis " + std::to_string(axes_b_[i]) + " of b has size " +
                     std::to_string(b0.shape(static_cast<int>(axes_b_[i])))));
    }
  }
  const DType dt = promote(a0.dtype(), b0.dtype());
  const NDArray a = in_dtype(a0, dt), b = in_dtype(b0, dt);
  const std::vector<int> axa = to_int(axes_a_), axb = to_int(axes_b_);
  NDArray& out = reuse_or_empty(outputs[0], dt, contracted_shape(a.shape(), b.shape(), axa, axb));
  contract(dt, a, b, axa, axb, out.raw());
}

Shapes Tensordot::infer_shape(const std::vector<Var>&,
                              const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<Dims>{
      contracted_shape(input_shapes[0], input_shapes[1], to_int(axes_a_), to_int(axes_b_))};
}

namespace {

std::vector<int64_t> free_axes(int nd, const std::vector<int64_t>& axes) {
  std::vector<int64_t> out;
  for (int64_t d = 0; d < nd; ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(d);
  }
  return out;
}

// How many entries of `axes` are below v: v's position once `axes` is sorted.
int64_t rank_in(const std::vector<int64_t>& axes, int64_t v) {
  return std::count_if(axes.begin(), axes.end(), [v](int64_t x) { return x < v; });
}

}  // namespace

// The gradients of tensordot(a, b, (axa, axb)) given g, whose dimensions are a's free axes
// then b's free axes. For a: g contracted with b over b's free axes leaves a's free axes then
// b's contracted axes (in increasing order), which a transpose puts back in a's order; b's is
// symmetric.
std::vector<Var> blas_detail::tensordot_grads(const Var& a, const Var& b,
                                              const std::vector<int64_t>& axa,
                                              const std::vector<int64_t>& axb, const Var& g) {
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  const std::vector<int64_t> fa = free_axes(nda, axa), fb = free_axes(ndb, axb);
  const int64_t nfa = static_cast<int64_t>(fa.size()), nfb = static_cast<int64_t>(fb.size());
  Var ga, gb;
  if (differentiable(a)) {
    std::vector<int64_t> g_axes;
    for (int64_t i = 0; i < nfb; ++i) g_axes.push_back(nfa + i);
    const Var r = tensordot(g, b, g_axes, fb);
    std::vector<int64_t> where(nda);
    for (int64_t i = 0; i < nfa; ++i) where[fa[i]] = i;
    for (size_t j = 0; j < axa.size(); ++j) where[axa[j]] = nfa + rank_in(axb, axb[j]);
    ga = permute(r, where);
  }
  if (differentiable(b)) {
    std::vector<int64_t> g_axes;
    for (int64_t i = 0; i < nfa; ++i) g_axes.push_back(i);
    const Var r = tensordot(a, g, fa, g_axes);
    const int64_t nca = static_cast<int64_t>(axa.size());
    std::vector<int64_t> where(ndb);
    for (int64_t i = 0; i < nfb; ++i) where[fb[i]] = nca + i;
    for (size_t j = 0; j < axb.size(); ++j) where[axb[j]] = rank_in(axa, axa[j]);
    gb = permute(r, where);
  }
  return {ga, gb};
}

std::vector<Var> Tensordot::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                 const std::vector<Var>& output_grads) const {
  if (!output_grads[0]) return {nullptr, nullptr};
  return tensordot_grads(inputs[0], inputs[1], axes_a_, axes_b_, output_grads[0]);
}

Var tensordot(const Var& a, const Var& b, int axes) {
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  if (axes < 0 || axes > nda || axes > ndb) {
    throw ValueError("tensordot: axes=" + std::to_string(axes) +
                     " must be between 0 and the smaller ndim of the inputs (" +
                     std::to_string(nda) + " and " + std::to_string(ndb) + ")");
  }
  std::vector<int64_t> axa, axb;
  for (int i = 0; i < axes; ++i) {
    axa.push_back(nda - axes + i);
    axb.push_back(i);
  }
  return make_node1(std::make_shared<Tensordot>(axa, axb), {a, b});
}

Var tensordot(const Var& a, const Var& b, std::vector<int64_t> axes_a,
              std::vector<int64_t> axes_b) {
  if (axes_a.size() != axes_b.size()) {
    throw ValueError("tensordot: expected as many axes for a as for b, got " + axes_str(axes_a) +
                     " and " + axes_str(axes_b));
  }
  auto normalize = [](std::vector<int64_t>& axes, int nd, const char* which) {
    for (int64_t& ax : axes) {
      if (ax < -nd || ax >= nd) {
        throw ValueError("tensordot: axis " + std::to_string(ax) + " is out of bounds for " +
                         which + " of dimension " + std::to_string(nd));
      }
      if (ax < 0) ax += nd;
    }
  };
  normalize(axes_a, a->type.ndim(), "a");
  normalize(axes_b, b->type.ndim(), "b");
  return make_node1(std::make_shared<Tensordot>(std::move(axes_a), std::move(axes_b)), {a, b});
}

THEON_OP_FILE(tensordot) {
  register_op_factory("Tensordot", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Tensordot>(f.get_ints("axes_a"), f.get_ints("axes_b"));
  });
  register_builder("tensordot", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    if (p.has("axes_a") || p.has("axes_b")) {
      return std::vector<Var>{tensordot(in[0], in[1], p.get_ints("axes_a"), p.get_ints("axes_b"))};
    }
    return std::vector<Var>{tensordot(in[0], in[1], static_cast<int>(p.get_int("axes", 2)))};
  });
}

}  // namespace theon
