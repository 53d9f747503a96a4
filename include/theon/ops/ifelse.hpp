// IfElse: Theano's lazy conditional. ifelse(c, [t0, t1...], [e0, e1...]) returns the t's when
// the scalar c is nonzero and the e's otherwise, and only the chosen branch is computed: the
// linker puts the nodes that only one branch needs into a conditional block of the program
// (src/compile/lazy_schedule.cpp), which the VM skips when the branch is not taken.
#pragma once

#include <string>
#include <vector>

#include "theon/graph/op.hpp"

namespace theon {

// Inputs: the condition, then the n outputs of the then branch, then the n of the else branch.
// Output i is a view of the chosen branch's output i (no copy).
class IfElse final : public Op {
 public:
  explicit IfElse(int n_outs);
  std::string type_name() const override { return "IfElse"; }
  Props fields() const override;
  int n_outs() const { return n_outs_; }
  // Input positions of branch output i.
  static int then_input(int i) { return 1 + i; }
  int else_input(int i) const { return 1 + n_outs_ + i; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::vector<std::pair<int, int>> view_map() const override;

 private:
  int n_outs_;
};

// Whether a condition value (a scalar of any dtype) selects the then branch: nonzero, as
// Python's truth of a NumPy scalar (NaN is true).
bool condition_holds(const NDArray& cond);

// The outputs of ifelse(cond, then_branch, else_branch): each pair must agree in dtype and
// number of dimensions (TypeError otherwise); static sizes known equal on both sides are kept.
// `name` names the outputs (name, or name[i] when there are several).
std::vector<Var> ifelse(const Var& cond, const std::vector<Var>& then_branch,
                        const std::vector<Var>& else_branch, const std::string& name = "");

}  // namespace theon
