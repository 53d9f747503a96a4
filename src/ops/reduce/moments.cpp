// mean, var and std: composites of sum, elementwise ops and the element count (integers and
// bool are computed in float64); their gradients come from their parts.
#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>

#include "../axis_lines.hpp"
#include "reduce_detail.hpp"
#include "reduce_folds.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

using reduce_detail::as_float;
using reduce_detail::axes_str;
using reduce_detail::located;
using reduce_detail::reduced_mask;

Var mean(const Var& x, OptAxes axis, bool keepdims) {
  located([&] { return normalize_axes("mean", axis, x->type.ndim()); });
  Var s = sum(as_float(x), axis, keepdims);
  return true_divide(s, reduce_count(x, axis, 0, s->type.dtype));
}

Var var(const Var& x, OptAxes axis, bool keepdims, int64_t ddof) {
  located([&] { return normalize_axes("var", axis, x->type.ndim()); });
  Var xf = as_float(x);
  Var m = mean(xf, axis, true);
  Var d = sub(xf, m);
  Var s = sum(mul(d, d), axis, keepdims);
  return true_divide(s, reduce_count(x, axis, ddof, s->type.dtype));
}

Var std(const Var& x, OptAxes axis, bool keepdims, int64_t ddof) {
  located([&] { return normalize_axes("std", axis, x->type.ndim()); });
  return elemwise("sqrt", {var(x, axis, keepdims, ddof)});
}

THEON_OP_FILE(moments) {
  register_builder("mean", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        mean(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false))};
  });
  register_builder("var", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{var(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false),
                                p.get_int("ddof", 0))};
  });
  register_builder("std", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{std(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false),
                                p.get_int("ddof", 0))};
  });
}

}  // namespace theon
