// Fused: one loop over memory that computes a tree of elementwise ops (and optionally reduces
// its result over some axes), built by the fusion rewrite (src/rewrite/fusion.cpp). Its
// reference kernel (`perform`) runs the member ops one after another; the linker gives each
// Fused node a generated kernel (codegen/fused_kernel.hpp) that does the whole tree per element
// once it is compiled, so a function can start before its kernels are compiled. The op itself
// is an immutable value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {

// A generated kernel: loops over `shape` (ndim >= 1) for every operand (outputs first, then
// inputs), each at base[k] with byte strides strides[k * ndim + d]. For a reduction the one
// output has stride 0 along the reduced dimensions and arrives filled with the identity.
using FusedKernelFn = void (*)(int64_t ndim, const int64_t* shape, char* const* base,
                               const int64_t* strides);

// Values are numbered: the op's inputs first, then one per step.
struct FusedStep {
  std::shared_ptr<const Elemwise> op;
  std::vector<int> args;  // value numbers
  DType compute;          // the arguments are converted to this dtype
  DType output;
};

struct FusedReduction {
  ReduceKind kind;  // a kind whose rule is fusable
  std::vector<int64_t> axes;
  bool keepdims;
};

class Fused : public Op {
 public:
  // inplace_input >= 0: the (single, unreduced) output is written into that input's buffer
  // when, at run time, it has the output's shape and dtype and is writeable.
  Fused(std::vector<TensorType> input_types, std::vector<FusedStep> steps, std::vector<int> outputs,
        std::optional<FusedReduction> reduction, int inplace_input = -1);
  std::shared_ptr<Fused> with_inplace_input(int input) const;
  int inplace_input() const { return inplace_input_; }
  std::vector<std::pair<int, int>> destroy_map() const override;

  const std::vector<TensorType>& input_types() const { return input_types_; }
  const std::vector<FusedStep>& steps() const { return steps_; }
  const std::vector<int>& outputs() const { return outputs_; }
  const std::optional<FusedReduction>& reduction() const { return reduction_; }
  DType value_dtype(int value) const;
  // Inputs whose static shape is all ones: loaded once per kernel call, not per element.
  bool is_scalar_input(int input) const;

  std::string type_name() const override { return "Fused"; }
  Props fields() const override;  // defined in fused_props.cpp, with the factory
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  // The member ops run one after another on whole arrays: what a generated kernel must match.
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::string pprint(const std::vector<std::string>& args) const override;

 private:
  std::vector<TensorType> input_types_;
  std::vector<FusedStep> steps_;
  std::vector<int> outputs_;
  std::optional<FusedReduction> reduction_;
  int inplace_input_ = -1;
};

}  // namespace theon
