// The Op interface. An op is a value: two ops with the same class and typed properties are
// equal, which lets merge and caches treat them as the same computation.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/props.hpp"
#include "theon/graph/type.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

class Op {
 public:
  virtual ~Op() = default;

  // Class name without properties, e.g. "Elemwise", "Sum" (the profiler groups by it). With
  // fields() it determines the op: the op factory of this name rebuilds it from its fields.
  virtual std::string type_name() const = 0;
  // The typed properties that make two ops of the class different (none by default): equality,
  // hashing and serialization use them (see graph/props.hpp and graph/op_factory.hpp).
  virtual Props fields() const { return {}; }
  // The printed properties, e.g. "axis=(0,)" ("" if none). Display only: by default fields()
  // as "name=value,..."; an op overrides it where its printed form differs.
  virtual std::string props() const;
  // "Elemwise{add}", "Sum{axis=(0,)}".
  std::string name() const;
  bool equals(const Op& other) const;
  // Whether this op's properties equal those of `other`, an op of the same class: by default
  // fields() and props(). An op holding an inner graph compares the graph structurally (its
  // fields() then give the hash: equal ops must have equal fields).
  virtual bool same_properties(const Op& other) const;
  size_t hash() const;

  // Checks the inputs and returns the output types; throws TypeError/ValueError otherwise.
  virtual std::vector<TensorType> output_types(const std::vector<Var>& inputs) const = 0;
  // The reference kernel. `outputs` arrives sized to the number of outputs; an entry may hold
  // the array from an earlier call, which the op may reuse (see reuse_or_empty).
  virtual void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const = 0;

  // Reverse mode: the gradient of the cost with respect to each input, given the node's inputs,
  // its outputs and the gradient with respect to each output (null only for outputs that are
  // not float, which carry no gradient). An entry is null where the input is not
  // differentiable (integers, indices, shapes) or the cost does not depend on it through
  // this node. Built from other ops, so gradients can be optimized and differentiated again.
  // The default raises NotImplementedError naming the op.
  virtual std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                const std::vector<Var>& output_grads) const;

  // Symbolic output shapes: for each output, one int64 scalar per dimension, built from the
  // inputs' shapes (input_shapes[i][d], int64 scalars) and, where the shape depends on values
  // (reshape, arange, alloc), from the inputs themselves. Lets `x.shape` be computed without
  // computing x. nullopt (the default) means unknown: the shape is then read off the output.
  virtual std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
    return std::nullopt;
  }

  // Whether output_types chooses the outputs' devices itself (transfers between devices do).
  // Otherwise a node's outputs live on the device of its inputs (see make_node).
  virtual bool places_outputs() const { return false; }

  // Pairs (output, input) where the output is a view of that input's buffer.
  virtual std::vector<std::pair<int, int>> view_map() const { return {}; }
  // Pairs (output, input) where the output is written into that input's buffer: the input's
  // value is destroyed. Only the inplace rewrites build such ops, after checking that nothing
  // else reads the input (src/rewrite/inplace.cpp).
  virtual std::vector<std::pair<int, int>> destroy_map() const { return {}; }
  // Infix form for pprint given the printed inputs; "" to use name(args).
  virtual std::string pprint(const std::vector<std::string>& args) const;
};

// Returns `slot` if it already holds a C-contiguous array of this dtype and shape whose buffer
// nothing else references, else a fresh array (through the current allocator).
NDArray& reuse_or_empty(NDArray& slot, DType dtype, const Shape& shape);

// The context appended to an error raised while running `node` on `inputs`: the node, the
// inputs' shapes and dtypes, and where the node was built.
std::string node_error_context(const Apply& node, const std::vector<NDArray>& inputs);

// The node's op name, with the op the user wrote when a rewrite built the node in its place:
// "Gemv{...} (from Dot)".
std::string node_label(const Apply& node);
// `message` (an error raised by the node's op, which may begin with the op's name) as
// "<node_label>: message".
std::string node_error_message(const Apply& node, const std::string& message);

// Formats "Op{props}: message" with the op's name, as every op error begins.
std::string op_error(const Op& op, const std::string& message);

}  // namespace theon
