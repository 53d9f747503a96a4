// Shared by the stabilize rules (private to src/rewrite): stabilize.cpp lists them, the fused
// softmax cross-entropy ones are in stabilize_xent.cpp.
#pragma once

#include "util.hpp"

namespace theon::stabilize_impl {

using rewrite_util::Result;

inline const Var& arg(const Var& v, int i) {
  return v->owner->inputs()[i];
}

inline bool is_sum_to_shape(const Var& v) {
  return v->owner && v->owner->op()->type_name() == "SumToShape";
}

// stabilize_xent.cpp
Result xent_from_log_softmax_indexed(FunctionGraph&, Apply* node);
Result xent_dx_from_softmax_grad(FunctionGraph&, Apply* node);
Result xent_dx_from_log_softmax_grad(FunctionGraph&, Apply* node);

}  // namespace theon::stabilize_impl
