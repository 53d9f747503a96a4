// Eye{dtype}(n, m, k): ones on the k-th diagonal of an n x m matrix, and its C++ API eye.
#include <algorithm>

#include "../shape_util.hpp"
#include "alloc_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

std::vector<TensorType> Eye::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 3) {
    throw TypeError(
        op_error(*this, "expected 3 inputs (n, m, k), got " + std::to_string(inputs.size())));
  }
  require_int_scalar(*this, inputs[0], "n");
  require_int_scalar(*this, inputs[1], "m");
  require_int_scalar(*this, inputs[2], "k");
  StaticShape out;
  for (int i = 0; i < 2; ++i) {
    auto v = static_int_scalar(inputs[i]);
    if (v && *v < 0) {
      throw ValueError(
          op_error(*this, "negative dimensions are not allowed, got " + std::to_string(*v)));
    }
    out.push_back(v ? *v : kUnknownDim);
  }
  return {TensorType(dtype_, out)};
}

void Eye::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const int64_t n = read_int(inputs[0], 0), m = read_int(inputs[1], 0), k = read_int(inputs[2], 0);
  if (n < 0 || m < 0) {
    throw ValueError(op_error(*this, "negative dimensions are not allowed: (" + std::to_string(n) +
                                         ", " + std::to_string(m) + ")"));
  }
  NDArray& out = reuse_or_empty(outputs[0], dtype_, {n, m});
  visit_dtype(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = out.data<T>();
    std::fill(p, p + n * m, T(0));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = i + k;
      if (j >= 0 && j < m) p[i * m + j] = T(1);
    }
  });
}

SymShapes Eye::infer_shape(const std::vector<Var>& inputs,
                           const std::vector<std::vector<Var>>&) const {
  return std::vector<SymShape>{{as_int64(inputs[0]), as_int64(inputs[1])}};
}

// n, m and k are integers.
std::vector<Var> Eye::L_op(const std::vector<Var>&, const std::vector<Var>&,
                           const std::vector<Var>&) const {
  return {nullptr, nullptr, nullptr};
}

Var eye(const Var& n, const Var& m, const Var& k, std::optional<DType> dtype) {
  return make_node1(std::make_shared<Eye>(dtype.value_or(float_x())),
                    {n, m ? m : n, k ? k : scalar_constant(int64_t{0}, DType::Int64)});
}
Var eye(int64_t n, std::optional<int64_t> m, int64_t k, std::optional<DType> dtype) {
  return eye(scalar_constant(n, DType::Int64), scalar_constant(m.value_or(n), DType::Int64),
             scalar_constant(k, DType::Int64), dtype);
}

THEON_OP_FILE(eye) {
  register_op_factory("Eye", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Eye>(f.get_dtype("dtype"));
  });
  // eye(n, m=None, k=0)
  register_builder("eye", 1, 3, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        eye(in[0], in.size() > 1 ? in[1] : nullptr, in.size() > 2 ? in[2] : nullptr, opt_dtype(p))};
  });
}

}  // namespace theon
