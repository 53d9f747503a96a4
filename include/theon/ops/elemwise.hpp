// Elemwise: maps a scalar op over arrays with NumPy broadcasting; and the C++ API of the
// elementwise functions and operators.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/ops/scalar.hpp"

namespace theon {

class Elemwise : public Op {
 public:
  // inplace_input >= 0: the output is written into that input's buffer when, at run time, it
  // has the output's shape and dtype and is writeable (else a fresh array, as without it).
  explicit Elemwise(const ScalarOp& scalar, std::optional<DType> cast_target = std::nullopt,
                    int inplace_input = -1);
  const ScalarOp& scalar() const { return *scalar_; }
  std::optional<DType> cast_target() const { return cast_target_; }
  int inplace_input() const { return inplace_input_; }

  std::string type_name() const override { return "Elemwise"; }
  std::string props() const override;
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::string pprint(const std::vector<std::string>& args) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::vector<std::pair<int, int>> destroy_map() const override;

 private:
  const ScalarOp* scalar_;
  std::optional<DType> cast_target_;
  int inplace_input_ = -1;
};

// Applies the scalar op named `name` elementwise.
Var elemwise(const std::string& name, std::vector<Var> inputs);
Var cast(const Var& x, DType dtype);

Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var true_divide(const Var& a, const Var& b);
Var neg(const Var& x);
Var exp(const Var& x);
Var log(const Var& x);

Var operator+(const Var& a, const Var& b);
Var operator-(const Var& a, const Var& b);
Var operator*(const Var& a, const Var& b);
Var operator/(const Var& a, const Var& b);
Var operator-(const Var& x);
Var operator+(const Var& a, double b);
Var operator+(double a, const Var& b);
Var operator-(const Var& a, double b);
Var operator-(double a, const Var& b);
Var operator*(const Var& a, double b);
Var operator*(double a, const Var& b);
Var operator/(const Var& a, double b);
Var operator/(double a, const Var& b);

// The one registration of an elementwise op defined in a file of its own (see THEON_OP_FILE):
// the scalar op, its gradient (null when it has none), its builder, and theon.tensor.<name> in
// Python with `doc` as its docstring. C++ callers use elemwise(name, inputs).
void register_elementwise_op(ScalarOp op, ScalarGrad grad, std::string doc);

// Registers the builders of every scalar op ("add", "exp", ...) and "cast".
void register_elemwise_ops();

}  // namespace theon
