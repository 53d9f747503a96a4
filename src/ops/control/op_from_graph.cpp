// OpFromGraph (see include/theon/ops/op_from_graph.hpp): the op, its gradient (another
// OpFromGraph) and shapes. perform evaluates the inner graph with the reference kernels (what
// DebugMode checks against); the compiled kernel that functions run lives in
// src/compile/op_from_graph_kernel.cpp, and inlining in src/rewrite/inline.cpp.
#include "theon/ops/op_from_graph.hpp"

#include <unordered_set>

#include "theon/core/error.hpp"
#include "theon/grad/grad.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/compare.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

OpFromGraph::OpFromGraph(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                         OpFromGraphOptions options)
    : inputs_(inputs), num_explicit_(inputs.size()), options_(std::move(options)) {
  const std::string who = "OpFromGraph" + (options_.name.empty() ? "" : "{" + options_.name + "}");
  if (outputs.empty()) throw ValueError(who + ": the graph has no outputs");
  std::unordered_set<const Variable*> explicit_inputs;
  for (const Var& in : inputs) {
    if (!in || in->owner || in->is_constant() || in->is_shared()) {
      throw TypeError(who + ": the inputs must be free input variables, got " +
                      (in ? var_label(*in) : std::string("None")));
    }
    if (!explicit_inputs.insert(in.get()).second) {
      throw ValueError(who + ": the input " + var_label(*in) + " is given twice");
    }
  }
  std::vector<std::pair<Var, Var>> replace;
  for (const Var& leaf : graph_leaves(outputs)) {
    if (leaf->is_shared()) {
      shared_.push_back(leaf);
      Var local = make_input(leaf->type, leaf->name);
      inputs_.push_back(local);
      replace.emplace_back(leaf, local);
    } else if (!leaf->is_constant() && !explicit_inputs.count(leaf.get())) {
      throw ValueError(who + ": the outputs depend on " + var_label(*leaf) +
                       ", which is not among the inputs (every free variable the graph reads "
                       "must be one of them)");
    }
  }
  outputs_ = replace.empty() ? outputs : clone_replace(outputs, replace);
}

OpFromGraph::~OpFromGraph() = default;

// Equal structures give equal counts and types: these hash what same_properties compares.
Props OpFromGraph::fields() const {
  std::vector<PropValue> types;
  for (const Var& in : inputs_) types.push_back(PropValue::type(in->type));
  for (const Var& out : outputs_) types.push_back(PropValue::type(out->type));
  return {{"inline", PropValue::boolean(options_.inline_graph)},
          {"num_inputs", PropValue::integer(static_cast<int64_t>(inputs_.size()))},
          {"types", PropValue::list(std::move(types))}};
}

bool OpFromGraph::same_properties(const Op& other) const {
  const auto& o = dynamic_cast<const OpFromGraph&>(other);
  if (fields() != o.fields() || options_.lop_outputs.size() != o.options_.lop_outputs.size()) {
    return false;
  }
  if (!equal_computations(outputs_, o.outputs_, inputs_, o.inputs_)) return false;
  if (options_.lop_outputs.empty()) return true;
  // Both user-given gradients compute the same thing from matching inputs.
  std::vector<Var> a, b;
  for (size_t k = 0; k < options_.lop_outputs.size(); ++k) {
    if (!options_.lop_outputs[k] != !o.options_.lop_outputs[k]) return false;
    if (options_.lop_outputs[k]) {
      a.push_back(options_.lop_outputs[k]);
      b.push_back(o.options_.lop_outputs[k]);
    }
  }
  return equal_computations(a, b, options_.lop_inputs, o.options_.lop_inputs);
}

std::vector<TensorType> OpFromGraph::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != inputs_.size()) {
    throw TypeError(op_error(
        *this,
        "expected " + std::to_string(num_explicit_) + " inputs" +
            (shared_.empty() ? std::string()
                             : " (and " + std::to_string(shared_.size()) + " shared variables)") +
            ", got " + std::to_string(inputs.size())));
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    const TensorType& want = inputs_[k]->type;
    const TensorType& got = inputs[k]->type;
    if (got.dtype != want.dtype || got.ndim() != want.ndim() || !got.compatible_with(want)) {
      throw TypeError(op_error(*this, "input " + std::to_string(k) + " must be " + want.str() +
                                          " as the graph's " + var_label(*inputs_[k]) + ", got " +
                                          var_label(*inputs[k]) + " of type " + got.str()));
    }
  }
  std::vector<TensorType> out;
  for (const Var& o : outputs_) out.push_back(o->type);
  return out;
}

void OpFromGraph::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  std::vector<std::pair<Var, NDArray>> values;
  for (size_t k = 0; k < inputs.size(); ++k) values.emplace_back(inputs_[k], inputs[k]);
  std::vector<NDArray> results = evaluate(outputs_, values);
  for (size_t i = 0; i < results.size(); ++i) {
    bool aliased = false;
    for (const NDArray& in : inputs) aliased = aliased || results[i].shares_buffer_with(in);
    for (size_t j = 0; j < i; ++j) aliased = aliased || results[i].shares_buffer_with(results[j]);
    outputs[i] = aliased ? results[i].copy() : std::move(results[i]);
  }
}

std::vector<Var> OpFromGraph::operator()(const std::vector<Var>& inputs) const {
  if (inputs.size() != num_explicit_) {
    throw TypeError(op_error(*this, "expected " + std::to_string(num_explicit_) + " inputs, got " +
                                        std::to_string(inputs.size())));
  }
  std::vector<Var> all = inputs;
  all.insert(all.end(), shared_.begin(), shared_.end());
  return make_node(std::const_pointer_cast<OpFromGraph>(shared_from_this()), all);
}

std::vector<Var> OpFromGraph::expand(const std::vector<Var>& node_inputs) const {
  std::vector<std::pair<Var, Var>> replace;
  for (size_t k = 0; k < inputs_.size(); ++k) replace.emplace_back(inputs_[k], node_inputs[k]);
  return clone_replace(outputs_, replace);
}

// The gradient op, built once: from the user's graph when given, else from the inner graph's
// own gradient. Its inputs are this op's inputs followed by one gradient per output; its
// outputs are the gradients of the inputs gradient_targets_ lists.
std::shared_ptr<const OpFromGraph> OpFromGraph::gradient_op() const {
  std::call_once(gradient_once_, [&] {
    OpFromGraphOptions o;
    o.name = (options_.name.empty() ? std::string("OpFromGraph") : options_.name) + ".grad";
    o.inline_graph = options_.inline_graph;
    std::vector<Var> grad_inputs, grads;
    if (!options_.lop_outputs.empty()) {
      grad_inputs = options_.lop_inputs;
      for (size_t k = 0; k < options_.lop_outputs.size(); ++k) {
        if (!options_.lop_outputs[k]) continue;
        grads.push_back(options_.lop_outputs[k]);
        gradient_targets_.push_back(static_cast<int>(k));
      }
    } else {
      grad_inputs = inputs_;
      GradOptions g;
      g.disconnected_inputs = "ignore";
      g.return_disconnected = "none";
      for (const Var& out : outputs_) {
        Var og = make_input(out->type, "g_" + out->name);
        grad_inputs.push_back(og);
        if (is_float(out->type.dtype)) g.known_grads.emplace_back(out, og);
      }
      std::vector<Var> wrt;
      std::vector<int> targets;
      for (size_t k = 0; k < inputs_.size(); ++k) {
        if (!is_float(inputs_[k]->type.dtype)) continue;
        wrt.push_back(inputs_[k]);
        targets.push_back(static_cast<int>(k));
      }
      const std::vector<Var> all = wrt.empty() || g.known_grads.empty()
                                       ? std::vector<Var>{}
                                       : grad_ex(nullptr, wrt, g).grads;
      for (size_t k = 0; k < all.size(); ++k) {
        if (!all[k]) continue;
        grads.push_back(all[k]);
        gradient_targets_.push_back(targets[k]);
      }
    }
    if (!grads.empty()) gradient_ = std::make_shared<OpFromGraph>(grad_inputs, grads, o);
  });
  return gradient_;
}

std::vector<Var> OpFromGraph::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                   const std::vector<Var>& output_grads) const {
  std::vector<Var> result(inputs.size());
  const auto grad_op = gradient_op();
  if (!grad_op) return result;
  std::vector<Var> grad_inputs(inputs.begin(), inputs.begin() + grad_op->num_explicit_inputs() -
                                                   static_cast<std::ptrdiff_t>(outputs.size()));
  for (size_t i = 0; i < outputs.size(); ++i) {
    grad_inputs.push_back(output_grads[i] ? output_grads[i] : zeros_like(outputs[i]));
  }
  const std::vector<Var> grads = (*grad_op)(grad_inputs);
  for (size_t k = 0; k < grads.size(); ++k) result[gradient_targets_[k]] = grads[k];
  return result;
}

// The inner graph's shapes with the node's inputs in place of the inner inputs; nullopt where
// a dimension cannot be inferred without computing the outputs.
std::optional<std::vector<std::vector<Var>>> OpFromGraph::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>&) const {
  std::vector<Var> dims;
  for (const Var& out : outputs_) {
    for (int d = 0; d < out->type.ndim(); ++d) dims.push_back(shape_i(out, d));
  }
  if (dims.empty()) return std::vector<std::vector<Var>>(outputs_.size());
  std::vector<std::pair<Var, Var>> replace;
  for (size_t k = 0; k < inputs_.size(); ++k) replace.emplace_back(inputs_[k], inputs[k]);
  dims = clone_replace(dims, replace);
  std::vector<std::vector<Var>> out;
  size_t next = 0;
  for (const Var& o : outputs_) {
    std::vector<Var> s(dims.begin() + static_cast<std::ptrdiff_t>(next),
                       dims.begin() + static_cast<std::ptrdiff_t>(next + o->type.ndim()));
    next += o->type.ndim();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace theon
