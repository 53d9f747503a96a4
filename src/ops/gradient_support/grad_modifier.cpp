// The gradient modifiers zero_grad, disconnected_grad, grad_clip and grad_scale: one op,
// GradModifier, that is the identity in the forward pass and changes the gradient through it.
#include <optional>

#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/math.hpp"

namespace theon {
namespace {

enum class Modifier { Zero, Disconnected, Clip, Scale };

class GradModifier : public Op {
 public:
  GradModifier(Modifier kind, double a = 0, double b = 0) : kind_(kind), a_(a), b_(b) {}
  std::string type_name() const override {
    switch (kind_) {
      case Modifier::Zero:
        return "ZeroGrad";
      case Modifier::Disconnected:
        return "DisconnectedGrad";
      case Modifier::Clip:
        return "GradClip";
      case Modifier::Scale:
        break;
    }
    return "GradScale";
  }
  Props fields() const override {
    if (kind_ == Modifier::Clip) {
      return {{"lower", PropValue::real(a_)}, {"upper", PropValue::real(b_)}};
    }
    if (kind_ == Modifier::Scale) return {{"multiplier", PropValue::real(a_)}};
    return {};
  }
  std::string props() const override {
    if (kind_ == Modifier::Clip) return std::to_string(a_) + "," + std::to_string(b_);
    if (kind_ == Modifier::Scale) return std::to_string(a_);
    return "";
  }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(op_error(*this, "expected 1 input"));
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    out[0] = in[0];
  }
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& gout) const override {
    switch (kind_) {
      case Modifier::Zero:
        return {zeros_like(in[0])};
      case Modifier::Disconnected:
        return {nullptr};
      case Modifier::Clip:
        return {clip(gout[0], scalar_constant(a_, gout[0]->type.dtype),
                     scalar_constant(b_, gout[0]->type.dtype))};
      case Modifier::Scale:
        break;
    }
    return {mul(gout[0], scalar_constant(a_, gout[0]->type.dtype))};
  }

 private:
  Modifier kind_;
  double a_, b_;
};

}  // namespace

Var zero_grad(const Var& x) {
  return make_node1(std::make_shared<GradModifier>(Modifier::Zero), {x});
}
Var disconnected_grad(const Var& x) {
  return make_node1(std::make_shared<GradModifier>(Modifier::Disconnected), {x});
}
Var grad_clip(const Var& x, double lo, double hi) {
  if (lo > hi)
    throw ValueError("grad_clip: lower bound " + std::to_string(lo) + " is above upper bound " +
                     std::to_string(hi));
  return make_node1(std::make_shared<GradModifier>(Modifier::Clip, lo, hi), {x});
}
Var grad_scale(const Var& x, double scale) {
  return make_node1(std::make_shared<GradModifier>(Modifier::Scale, scale), {x});
}

THEON_OP_FILE(grad_modifier) {
  register_op_factory("ZeroGrad", [](const PropReader&) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Zero);
  });
  register_op_factory("DisconnectedGrad", [](const PropReader&) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Disconnected);
  });
  register_op_factory("GradClip", [](const PropReader& f) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Clip, f.get_float("lower"),
                                          f.get_float("upper"));
  });
  register_op_factory("GradScale", [](const PropReader& f) -> OpPtr {
    return std::make_shared<GradModifier>(Modifier::Scale, f.get_float("multiplier"));
  });
  register_builder("zero_grad", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{zero_grad(in[0])};
  });
  register_builder("disconnected_grad", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{disconnected_grad(in[0])};
  });
  register_builder("grad_clip", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{grad_clip(in[0], p.get_double("lower"), p.get_double("upper"))};
  });
  register_builder("grad_scale", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{grad_scale(in[0], p.get_double("multiplier"))};
  });
}

}  // namespace theon
