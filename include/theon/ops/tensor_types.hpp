// Theano's variable constructors: scalar, vector, row, col, matrix, tensor3..tensor7, with an
// explicit dtype or config.floatX.
#pragma once

#include <optional>
#include <string>

#include "theon/graph/variable.hpp"

namespace theon {

// A free variable of the given dtype ("" for config.floatX) and static shape.
Var tensor(const std::string& dtype, StaticShape shape, const std::string& name = "");
Var scalar(const std::string& name = "", const std::string& dtype = "");
Var vector(const std::string& name = "", const std::string& dtype = "");
Var row(const std::string& name = "", const std::string& dtype = "");
Var col(const std::string& name = "", const std::string& dtype = "");
Var matrix(const std::string& name = "", const std::string& dtype = "");
// A free variable with `ndim` dimensions of unknown size (tensor3 is tensor_nd(3, ...)).
Var tensor_nd(int ndim, const std::string& name = "", const std::string& dtype = "");

}  // namespace theon
