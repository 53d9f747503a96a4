// The canonicalization rules (private to src/rewrite), one file per kind of op they simplify;
// canonicalize.cpp lists them and says which are IEEE-exact.
#pragma once

#include <vector>

#include "util.hpp"

namespace theon::canon {

using rewrite_util::Result;

// canonicalize_elemwise.cpp
// x + 0 -> x (either operand) and x - 0 -> x, x converted to the output's dtype. Unless
// any_sign, a float output needs the zero whose sign keeps every x: x + 0.0 is +0.0 at
// x = -0.0, x + -0.0 is x.
Result additive_zero(Apply* node, bool is_sub, bool any_sign);
Result mul_zero(FunctionGraph&, Apply* node);
Result mul_div_cancel(FunctionGraph&, Apply* node);
Result cast_cast(FunctionGraph&, Apply* node);
Result switch_constant(FunctionGraph&, Apply* node);
Result collect_constants(FunctionGraph&, Apply* node);
// A 0-d constant, or null.
const NDArray* scalar_const(const Var& v);

// canonicalize_nary.cpp
Result nary_add(FunctionGraph& fg, Apply* node);
Result nary_mul(FunctionGraph& fg, Apply* node);

// canonicalize_shape.cpp
Var make_dimshuffle(const Var& x, std::vector<int64_t> pattern);
bool is_identity(const std::vector<int64_t>& pattern, int ndim);
Result dimshuffle_merge(FunctionGraph&, Apply* node);
Result reshape_reshape(FunctionGraph&, Apply* node);
Result useless_reshape(FunctionGraph&, Apply* node);
Result useless_alloc(FunctionGraph&, Apply* node);
Result useless_fill(FunctionGraph&, Apply* node);
Result subtensor_make_vector(FunctionGraph&, Apply* node);
Result subtensor_shape(FunctionGraph&, Apply* node);

// canonicalize_subtensor.cpp
Result subtensor_subtensor(FunctionGraph&, Apply* node);
Result subtensor_lift_elemwise(FunctionGraph& fg, Apply* node);
Result dimshuffle_lift_elemwise(FunctionGraph& fg, Apply* node);

// canonicalize_slices.cpp
Result subtensor_of_set_subtensor(FunctionGraph&, Apply* node);
Result elemwise_of_set_fill(FunctionGraph& fg, Apply* node);

// canonicalize_reduce.cpp
Result reduce_reduce(FunctionGraph&, Apply* node);
Result reduce_size_one_axes(FunctionGraph&, Apply* node);

}  // namespace theon::canon
