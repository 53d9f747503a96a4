#include "theon/ops/tensor_types.hpp"

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"

namespace theon {

Var tensor(const std::string& dtype, StaticShape shape, const std::string& name) {
  DType dt = parse_dtype(dtype.empty() ? config_floatX() : dtype);
  for (int64_t d : shape) {
    if (d < 0 && d != kUnknownDim) {
      throw ValueError("tensor: static shape entries must be None or >= 0, got " +
                       static_shape_str(shape));
    }
  }
  return make_input(TensorType(dt, std::move(shape)), name);
}

Var scalar(const std::string& name, const std::string& dtype) {
  return tensor(dtype, {}, name);
}
Var vector(const std::string& name, const std::string& dtype) {
  return tensor(dtype, {kUnknownDim}, name);
}
Var row(const std::string& name, const std::string& dtype) {
  return tensor(dtype, {1, kUnknownDim}, name);
}
Var col(const std::string& name, const std::string& dtype) {
  return tensor(dtype, {kUnknownDim, 1}, name);
}
Var matrix(const std::string& name, const std::string& dtype) {
  return tensor(dtype, {kUnknownDim, kUnknownDim}, name);
}
Var tensor_nd(int ndim, const std::string& name, const std::string& dtype) {
  if (ndim < 0) throw ValueError("tensor_nd: ndim must be >= 0, got " + std::to_string(ndim));
  return tensor(dtype, StaticShape(ndim, kUnknownDim), name);
}

}  // namespace theon
