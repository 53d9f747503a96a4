// Constants and the conversion of C++ scalars into graph variables.
#pragma once

#include <cstdint>

#include "theon/core/dtype.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

Var constant(NDArray value, std::string name = "");
// A 0-d constant of the given dtype holding `value` converted (NumPy unsafe casting).
Var scalar_constant(double value, DType dtype);
Var scalar_constant(int64_t value, DType dtype);
// A Python-style scalar combined with `other`: takes the dtype NumPy 2 gives weak scalars.
// Throws OverflowError-like ValueError when an int does not fit the integer dtype it adopts.
Var weak_scalar(double value, const Var& other);
Var weak_scalar(int64_t value, const Var& other);
Var weak_scalar(bool value, const Var& other);
Var weak_scalar(double value, DType other);
Var weak_scalar(int64_t value, DType other);
Var weak_scalar(bool value, DType other);

}  // namespace theon
