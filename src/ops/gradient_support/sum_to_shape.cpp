// SumToShape(g, like) and SumToDims{static shape}(g, d0, ...): a gradient summed back to the
// shape of a broadcast input, with the C++ API sum_to_shape and sum_to_dims.
#include <optional>

#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// Sums g into an array of `target` shape: over the leading dimensions g has beyond target's,
// and over the dimensions where target has size 1 and g does not. The Sum reduction does the
// work, so that float32 gradients accumulate in double like every other sum (adding a
// broadcast constant's gradient element by element into float32 drifts by 1e-3 over 10^5
// elements).
void sum_into(const Op& op, const NDArray& g, const Shape& target, NDArray& out) {
  const int off = g.ndim() - static_cast<int>(target.size());
  std::vector<int64_t> axes;
  for (int i = 0; i < off; ++i) axes.push_back(i);
  for (size_t i = 0; i < target.size(); ++i) {
    const int64_t have = g.shape(off + static_cast<int>(i));
    if (target[i] == have) continue;
    if (target[i] != 1) {
      throw ValueError(op_error(op, "cannot sum a gradient of shape " + shape_str(g.shape()) +
                                        " to shape " + shape_str(target)));
    }
    axes.push_back(off + static_cast<int64_t>(i));
  }
  if (axes.empty()) {  // nothing was broadcast: the gradient itself (a view, see view_map)
    out = g;
    return;
  }
  std::vector<NDArray> summed(1);
  make_reduce_op(ReduceKind::Sum, std::move(axes), true)->perform({g}, summed);
  const NDArray& flat = summed[0].dtype() == g.dtype() ? summed[0] : summed[0].astype(g.dtype());
  out = flat.reshaped_view(target);
}

// SumToShape(g, like): g summed to like's shape (like's value is not read).
class SumToShape : public Op {
 public:
  std::string type_name() const override { return "SumToShape"; }
  // The output is g itself when g already has the target's shape.
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != 2) throw TypeError(op_error(*this, "expected 2 inputs (g, like)"));
    if (in[0]->type.ndim() < in[1]->type.ndim()) {
      throw ValueError(op_error(*this, "gradient of " + std::to_string(in[0]->type.ndim()) +
                                           " dimensions cannot be summed to " +
                                           std::to_string(in[1]->type.ndim()) + " dimensions"));
    }
    return {TensorType(in[0]->type.dtype, in[1]->type.shape)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    sum_into(*this, in[0], in[1].shape(), out[0]);
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& gout) const override {
    // Summing is linear: the gradient is gout broadcast back to g's shape.
    return {add(gout[0], zeros_like(in[0])), nullptr};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[1]};  // like's shape
  }
};

// SumToDims{static shape}(g, d0, d1, ...): the same with the target shape given as int64
// scalars, so that the graph no longer needs the model tensor (the shape rewrites turn
// SumToShape into it). The static shape keeps the output's type that of the SumToShape.
class SumToDims : public Op {
 public:
  explicit SumToDims(StaticShape shape) : shape_(std::move(shape)) {}
  std::string type_name() const override { return "SumToDims"; }
  // The output is g itself when g already has the target's shape.
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }
  Props fields() const override { return {{"shape", PropValue::ints(shape_)}}; }
  std::string props() const override { return static_shape_str(shape_); }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != shape_.size() + 1 || in[0]->type.ndim() < static_cast<int>(shape_.size())) {
      throw TypeError(op_error(*this, "expected a gradient of at least " +
                                          std::to_string(shape_.size()) + " dimensions and " +
                                          std::to_string(shape_.size()) + " int64 sizes"));
    }
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i]->type.ndim() != 0 || !is_integer(in[i]->type.dtype)) {
        throw TypeError(op_error(*this, "sizes must be integer scalars, got " + in[i]->type.str()));
      }
    }
    return {TensorType(in[0]->type.dtype, shape_)};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    Shape target;
    for (size_t i = 1; i < in.size(); ++i)
      target.push_back(static_cast<int64_t>(in[i].flat_as_double(0)));
    sum_into(*this, in[0], target, out[0]);
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& gout) const override {
    std::vector<Var> grads(in.size(), nullptr);
    grads[0] = add(gout[0], zeros_like(in[0]));
    return grads;
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& in, const std::vector<std::vector<Var>>&) const override {
    return std::vector<std::vector<Var>>{std::vector<Var>(in.begin() + 1, in.end())};
  }

 private:
  StaticShape shape_;
};

}  // namespace

Var sum_to_dims(const Var& g, const std::vector<Var>& dims, const StaticShape& static_shape) {
  std::vector<Var> in{g};
  in.insert(in.end(), dims.begin(), dims.end());
  return make_node1(std::make_shared<SumToDims>(static_shape), in);
}

Var sum_to_shape(const Var& g, const Var& like) {
  const StaticShape& gs = g->type.shape;
  const StaticShape& ls = like->type.shape;
  // A dimension of `like` was not stretched if its static size is known and not 1 (the result
  // then has that size too), or if both sizes are statically 1.
  bool same = gs.size() == ls.size();
  for (size_t i = 0; same && i < gs.size(); ++i) {
    same = (ls[i] != kUnknownDim && ls[i] != 1) || (ls[i] == 1 && gs[i] == 1);
  }
  if (same) return g;
  return make_node1(std::make_shared<SumToShape>(), {g, like});
}

THEON_OP_FILE(sum_to_shape) {
  register_op_factory("SumToShape",
                      [](const PropReader&) -> OpPtr { return std::make_shared<SumToShape>(); });
  register_op_factory("SumToDims", [](const PropReader& f) -> OpPtr {
    const std::vector<int64_t>& shape = f.get_ints("shape");
    for (int64_t d : shape) {
      if (d < kUnknownDim) throw ValueError(f.context("shape") + ": negative size");
    }
    return std::make_shared<SumToDims>(shape);
  });
  register_builder("sum_to_shape", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sum_to_shape(in[0], in[1])};
  });
}

}  // namespace theon
