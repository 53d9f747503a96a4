// OpFromGraph: an op defined by a graph (Theano's theano.compile.builders.OpFromGraph). Not
// inlined, its graph is compiled once per function that uses it (rewritten and linked like a
// function, src/compile/op_from_graph_kernel.cpp) and run by an inner VM; inlined, a rewrite
// replaces each node by a copy of the graph before the other rewrites. Shared variables the graph
// reads become implicit inputs, appended to the node's inputs.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"

namespace theon {

struct OpFromGraphOptions {
  bool inline_graph = false;
  std::string name;  // shown in the op's name; not part of its identity
  // A user-given gradient: a graph from the op's (explicit) inputs followed by one variable per
  // output (its gradient) to one gradient per explicit input (null: none). Empty: the
  // gradient of the inner graph.
  std::vector<Var> lop_inputs;
  std::vector<Var> lop_outputs;
};

class OpFromGraph final : public Op, public std::enable_shared_from_this<OpFromGraph> {
 public:
  // Throws ValueError when `outputs` read an input that is not among `inputs` (shared variables
  // and constants aside) or `inputs` are not distinct free inputs.
  OpFromGraph(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
              OpFromGraphOptions options);
  ~OpFromGraph() override;
  std::string type_name() const override { return "OpFromGraph"; }
  Props fields() const override;
  std::string props() const override { return options_.name; }
  bool same_properties(const Op& other) const override;

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

  // Builds a node of this op on the explicit inputs (the shared variables are appended).
  std::vector<Var> operator()(const std::vector<Var>& inputs) const;
  // The inner graph with the node's inputs in place of its own (what inlining builds).
  std::vector<Var> expand(const std::vector<Var>& node_inputs) const;

  bool inline_graph() const { return options_.inline_graph; }
  size_t num_explicit_inputs() const { return num_explicit_; }
  const std::vector<Var>& inner_inputs() const { return inputs_; }
  const std::vector<Var>& inner_outputs() const { return outputs_; }
  const std::vector<Var>& shared_inputs() const { return shared_; }

 private:
  std::shared_ptr<const OpFromGraph> gradient_op() const;

  std::vector<Var> inputs_;   // explicit inputs, then one fresh input per shared variable
  std::vector<Var> outputs_;  // reading inputs_ only
  std::vector<Var> shared_;   // the shared variables, in the order of their inputs
  size_t num_explicit_;
  OpFromGraphOptions options_;
  mutable std::once_flag gradient_once_;
  mutable std::shared_ptr<const OpFromGraph> gradient_;
  mutable std::vector<int> gradient_targets_;  // which input each gradient output is for
};

}  // namespace theon
