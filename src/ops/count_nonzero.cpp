// count_nonzero (np.count_nonzero): how many elements along the axes differ from zero, as
// int64; NaN counts (NaN != 0). Not a fold of its own results (a count of counts is not a
// count), so the reduce-of-reduce rewrite leaves it alone; no gradient (an integer output).
#include <limits>

#include "reduce/reduce_folds.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {
namespace {

template <class T>
struct CountNonzeroFold {
  using Acc = int64_t;
  static Acc convert(T x) { return x != T(0) ? 1 : 0; }
  static Acc combine(Acc a, Acc x) { return a + x; }
};

DType count_dtype(DType) {
  return DType::Int64;
}

}  // namespace

THEON_OP_FILE(count_nonzero) {
  ReductionRule rule{};
  rule.type_name = "CountNonzero";
  rule.name = "count_nonzero";
  rule.output_dtype = count_dtype;
  rule.identity = 0.0;
  rule.kernel = fold_kernel<CountNonzeroFold>;
  register_reduction(
      rule,
      "The number of elements of x along `axis` that are not zero, as np.count_nonzero.\n"
      "\n"
      "Parameters\n"
      "----------\n"
      "x : Variable or array_like\n"
      "    The input.\n"
      "axis : None, int or tuple of int\n"
      "    The axes counted over; None: every axis.\n"
      "keepdims : bool\n"
      "    Keep the reduced axes with size 1.\n"
      "\n"
      "Returns\n"
      "-------\n"
      "Variable\n"
      "    int64, x without the reduced axes.\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> x = T.dmatrix('x')\n"
      ">>> theon.function([x], T.count_nonzero(x, axis=1))([[0., 1., 2.], [0., 0., 3.]])\n"
      "array([2, 1])");
}

}  // namespace theon
