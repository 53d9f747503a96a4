// IfElse (see include/theon/ops/ifelse.hpp): the op, its gradient and shapes, its C++ API and
// the "ifelse" builder. Laziness is the linker's and the VM's business; perform only picks.
#include "theon/ops/ifelse.hpp"

#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"

namespace theon {

IfElse::IfElse(int n_outs) : n_outs_(n_outs) {
  if (n_outs < 1) throw ValueError("IfElse: expected at least one output per branch");
}

Props IfElse::fields() const {
  return {{"n_outs", PropValue::integer(n_outs_)}};
}

std::vector<TensorType> IfElse::output_types(const std::vector<Var>& inputs) const {
  const size_t expected = 1 + 2 * static_cast<size_t>(n_outs_);
  if (inputs.size() != expected) {
    throw TypeError(op_error(*this, "expected the condition and " + std::to_string(n_outs_) +
                                        " outputs per branch (" + std::to_string(expected) +
                                        " inputs), got " + std::to_string(inputs.size())));
  }
  const TensorType& c = inputs[0]->type;
  if (!c.is_tensor() || c.ndim() != 0) {
    throw TypeError(op_error(*this, "the condition must be a scalar, got " + var_label(*inputs[0]) +
                                        " of type " + c.str()));
  }
  std::vector<TensorType> out;
  for (int i = 0; i < n_outs_; ++i) {
    const TensorType& t = inputs[then_input(i)]->type;
    const TensorType& e = inputs[else_input(i)]->type;
    if (!t.is_tensor() || !e.is_tensor() || t.dtype != e.dtype || t.ndim() != e.ndim()) {
      throw TypeError(op_error(
          *this, "the branches must have the same dtype and number of dimensions; output " +
                     std::to_string(i) + " is " + t.str() + " in the then branch (" +
                     var_label(*inputs[then_input(i)]) + ") and " + e.str() +
                     " in the else branch (" + var_label(*inputs[else_input(i)]) + ")"));
    }
    StaticShape shape(t.shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
      shape[d] = t.shape[d] == e.shape[d] ? t.shape[d] : kUnknownDim;
    }
    out.emplace_back(t.dtype, std::move(shape), t.device);
  }
  return out;
}

bool condition_holds(const NDArray& cond) {
  return cond.flat_as_double(0) != 0;
}

void IfElse::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const bool take_then = condition_holds(inputs[0]);
  for (int i = 0; i < n_outs_; ++i) {
    const NDArray& chosen = inputs[take_then ? then_input(i) : else_input(i)];
    if (!chosen.defined()) {
      throw ValueError(op_error(*this, std::string("the ") + (take_then ? "then" : "else") +
                                           " branch's output " + std::to_string(i) +
                                           " was not computed"));
    }
    outputs[i] = chosen;
  }
}

// The gradient reaches the branch that was taken: ifelse(c, g, 0) for the then branch's inputs
// and ifelse(c, 0, g) for the else branch's, where the zeros have the shape of the branch's own
// output (computed lazily, in the branch not taken). The merge rewrite makes the two one node.
std::vector<Var> IfElse::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                              const std::vector<Var>& output_grads) const {
  std::vector<int> connected;
  std::vector<Var> then_g, then_zero, else_g, else_zero;
  for (int i = 0; i < n_outs_; ++i) {
    const Var& g = output_grads[i];
    if (!g || !is_float(inputs[then_input(i)]->type.dtype)) continue;
    connected.push_back(i);
    then_g.push_back(g);
    then_zero.push_back(zeros_like(inputs[then_input(i)], g->type.dtype));
    else_zero.push_back(zeros_like(inputs[else_input(i)], g->type.dtype));
  }
  std::vector<Var> grads(inputs.size());
  if (connected.empty()) return grads;
  const std::vector<Var> to_then = ifelse(inputs[0], then_g, then_zero);
  const std::vector<Var> to_else = ifelse(inputs[0], else_zero, then_g);
  for (size_t k = 0; k < connected.size(); ++k) {
    grads[then_input(connected[k])] = to_then[k];
    grads[else_input(connected[k])] = to_else[k];
  }
  return grads;
}

// Each dimension is the chosen branch's: ifelse(c, then's, else's) where the two differ, one
// IfElse node for all of them (so a shape costs only the taken branch's shape graph).
std::optional<std::vector<std::vector<Var>>> IfElse::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  std::vector<Var> then_dims, else_dims;
  for (int i = 0; i < n_outs_; ++i) {
    const auto& ts = input_shapes[then_input(i)];
    const auto& es = input_shapes[else_input(i)];
    for (size_t d = 0; d < ts.size(); ++d) {
      if (ts[d] != es[d]) {
        then_dims.push_back(ts[d]);
        else_dims.push_back(es[d]);
      }
    }
  }
  std::vector<Var> chosen;
  if (!then_dims.empty()) chosen = ifelse(inputs[0], then_dims, else_dims);
  std::vector<std::vector<Var>> out;
  size_t next = 0;
  for (int i = 0; i < n_outs_; ++i) {
    const auto& ts = input_shapes[then_input(i)];
    const auto& es = input_shapes[else_input(i)];
    std::vector<Var> dims;
    for (size_t d = 0; d < ts.size(); ++d) dims.push_back(ts[d] == es[d] ? ts[d] : chosen[next++]);
    out.push_back(std::move(dims));
  }
  return out;
}

std::vector<std::pair<int, int>> IfElse::view_map() const {
  std::vector<std::pair<int, int>> views;
  for (int i = 0; i < n_outs_; ++i) {
    views.emplace_back(i, then_input(i));
    views.emplace_back(i, else_input(i));
  }
  return views;
}

std::vector<Var> ifelse(const Var& cond, const std::vector<Var>& then_branch,
                        const std::vector<Var>& else_branch, const std::string& name) {
  if (then_branch.size() != else_branch.size()) {
    throw ValueError("ifelse: the branches must have as many outputs; the then branch has " +
                     std::to_string(then_branch.size()) + " and the else branch " +
                     std::to_string(else_branch.size()));
  }
  if (then_branch.empty()) throw ValueError("ifelse: the branches have no outputs");
  std::vector<Var> inputs{cond};
  inputs.insert(inputs.end(), then_branch.begin(), then_branch.end());
  inputs.insert(inputs.end(), else_branch.begin(), else_branch.end());
  std::vector<Var> out =
      make_node(std::make_shared<IfElse>(static_cast<int>(then_branch.size())), inputs);
  if (!name.empty()) {
    for (size_t i = 0; i < out.size(); ++i) {
      out[i]->name = out.size() == 1 ? name : name + "[" + std::to_string(i) + "]";
    }
  }
  return out;
}

THEON_OP_FILE(ifelse) {
  register_op_factory("IfElse", [](const PropReader& f) -> OpPtr {
    return std::make_shared<IfElse>(static_cast<int>(f.get_int("n_outs")));
  });
  // Inputs: the condition, the then branch's outputs, the else branch's outputs.
  register_builder("ifelse", 3, -1, [](const std::vector<Var>& in, const Params& p) {
    if (in.size() % 2 == 0) {
      throw ValueError("ifelse: expected the condition and as many then as else outputs, got " +
                       std::to_string(in.size()) + " inputs");
    }
    const auto half = static_cast<std::ptrdiff_t>((in.size() - 1) / 2);
    return ifelse(in[0], std::vector<Var>(in.begin() + 1, in.begin() + 1 + half),
                  std::vector<Var>(in.begin() + 1 + half, in.end()), p.get_string("name", ""));
  });
}

}  // namespace theon
