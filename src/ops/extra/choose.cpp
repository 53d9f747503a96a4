// Choose{mode}(a, choices): np.choose with the choices stacked along a first axis of length n:
// out[i] = choices[a[i], i], a and choices[0] broadcast against each other. An index outside
// [0, n) raises (mode 'raise'), wraps around ('wrap') or is clipped ('clip'). The gradient goes
// to the chosen entries of the choices: where(a == k, g, 0) for each k, summed back to the
// choices' shape; a, being integer, has none.
#include <array>
#include <cstring>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

constexpr std::array<const char*, 3> kModes = {"raise", "wrap", "clip"};

int64_t mode_code(const std::string& mode) {
  for (size_t i = 0; i < kModes.size(); ++i) {
    if (mode == kModes[i]) return static_cast<int64_t>(i);
  }
  throw ValueError("choose: mode must be 'raise', 'wrap' or 'clip', got '" + mode + "'");
}

// The element shape of the choices (without their leading axis).
StaticShape element_shape(const StaticShape& s) {
  return StaticShape(s.begin() + 1, s.end());
}

class Choose final : public Op {
 public:
  explicit Choose(int64_t mode) : mode_(mode) {}
  std::string type_name() const override { return "Choose"; }
  Props fields() const override { return {{"mode", PropValue::string(kModes[mode_])}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 2) {
      throw TypeError(
          op_error(*this, "expected 2 inputs (a, choices), got " + std::to_string(inputs.size())));
    }
    const TensorType& a = inputs[0]->type;
    const TensorType& c = inputs[1]->type;
    if (!is_integer(a.dtype)) {
      throw TypeError(op_error(*this, "a must hold integers, got " + a.str()));
    }
    if (c.ndim() == 0) {
      throw ValueError(
          op_error(*this, "the choices need a leading axis to choose along, got " + c.str()));
    }
    if (c.shape[0] == 0)
      throw ValueError(op_error(*this, "there are no choices (" + c.str() + ")"));
    return {TensorType(c.dtype, broadcast_static({a.shape, element_shape(c.shape)}, name()))};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray& c = inputs[1];
    const int64_t n = c.shape(0);
    if (n == 0) throw ValueError(op_error(*this, "there are no choices (an empty choices axis)"));
    const Shape element(c.shape().begin() + 1, c.shape().end());
    const Shape shape = broadcast_shapes({inputs[0].shape(), element}, name());
    Shape stacked = shape;
    stacked.insert(stacked.begin(), n);
    const NDArray a = inputs[0].broadcast_to(shape).astype(DType::Int64);
    // The choices seen with size-1 dimensions inserted after their leading axis, so that
    // their elements align with the result's last dimensions.
    Shape padded = element;
    Strides padded_strides(c.strides().begin() + 1, c.strides().end());
    padded.insert(padded.begin(), shape.size() - element.size(), 1);
    padded_strides.insert(padded_strides.begin(), shape.size() - element.size(), 0);
    padded.insert(padded.begin(), n);
    padded_strides.insert(padded_strides.begin(), c.strides()[0]);
    const NDArray values = c.view(c.raw(), padded, padded_strides).broadcast_to(stacked).copy();
    NDArray& out = reuse_or_empty(outputs[0], c.dtype(), shape);
    const int64_t size = out.size();
    const size_t item = itemsize(c.dtype());
    const int64_t* idx = a.data<int64_t>();
    for (int64_t j = 0; j < size; ++j) {
      int64_t k = idx[j];
      if (k < 0 || k >= n) {
        if (mode_ == 0) {
          throw ValueError(op_error(*this, "index " + std::to_string(k) + " is out of range for " +
                                               std::to_string(n) + " choices (mode='raise')"));
        }
        k = mode_ == 1 ? ((k % n) + n) % n : (k < 0 ? 0 : n - 1);
      }
      std::memcpy(out.raw() + j * item, values.raw() + (k * size + j) * item, item);
    }
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>& output_grads) const override {
    const Var& c = inputs[1];
    const Var& g = output_grads[0];
    if (!g || !is_float(c->type.dtype)) return {nullptr, nullptr};
    const Var n = shape_i(c, 0);
    Var a = inputs[0];
    if (mode_ == 1) a = mod(a, n);
    if (mode_ == 2) a = clip(a, int64_const(0), n - int64_const(1));
    // which[i, k] = (a[i] == k), with the choices' axis last so that the dimensions a adds
    // to the choices' elements lead and sum_to_shape removes them.
    const int64_t nd = g->type.ndim();
    const int64_t cnd = c->type.ndim();
    std::vector<int64_t> last_axis;
    for (int64_t d = 0; d < a->type.ndim(); ++d) last_axis.push_back(d);
    last_axis.push_back(kNewAxis);
    std::vector<int64_t> g_last;
    for (int64_t d = 0; d < nd; ++d) g_last.push_back(d);
    g_last.push_back(kNewAxis);
    std::vector<int64_t> c_last, c_back{cnd - 1};
    for (int64_t d = 1; d < cnd; ++d) c_last.push_back(d);
    c_last.push_back(0);
    for (int64_t d = 0; d + 1 < cnd; ++d) c_back.push_back(d);
    const Var which = equal(dimshuffle(a, last_axis), arange(n));
    const Var chosen =
        switch_(which, dimshuffle(g, g_last), zeros(std::vector<int64_t>{}, g->type.dtype));
    return {nullptr, dimshuffle(sum_to_shape(chosen, dimshuffle(c, c_last)), c_back)};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override {
    const std::vector<Var> element(input_shapes[1].begin() + 1, input_shapes[1].end());
    return std::vector<std::vector<Var>>{broadcast_dims(
        {input_shapes[0], element}, {inputs[0]->type.shape, element_shape(inputs[1]->type.shape)})};
  }

 private:
  int64_t mode_;
};

}  // namespace

THEON_OP_FILE(choose) {
  register_op_factory("Choose", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Choose>(mode_code(f.get_string("mode")));
  });
  register_builder("choose", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    const int64_t mode = mode_code(p.get_string("mode", "raise"));
    return std::vector<Var>{make_node1(std::make_shared<Choose>(mode), in)};
  });
}

}  // namespace theon
