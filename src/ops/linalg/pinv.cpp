// pinv: the Moore-Penrose pseudo-inverse (numpy.linalg.pinv), a composition over the SVD:
// v diag(1/s) u^T keeping the singular values above rcond * max(s); its gradient comes from the
// SVD's (distinct singular values). From C++: pinv(a, rcond).
#include "linalg_util.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/linalg.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"

namespace theon {

Var pinv(const Var& a, double rcond) {
  const std::vector<Var> usv = svd(a, false, true);
  const Var& s = usv[1];
  const int last = s->type.ndim() - 1;
  // max(s) of an empty s is taken as 0 (the singular values are >= 0): s joined with a zero.
  const Var zero = sum(s, std::vector<int64_t>{last}, true) * 0.0;
  const Var cutoff = max(join(last, {s, zero}), std::vector<int64_t>{last}, true) * rcond;
  const Var kept = greater(s, cutoff);
  // 1/s only where kept, so that neither the value nor the gradient meets 1/0.
  const Var inv_s = where(kept, 1.0 / where(kept, s, ones_like(s)), zeros_like(s));
  return matmul(linalg::mT(usv[2]) * linalg::as_rows(inv_s), linalg::mT(usv[0]));
}

THEON_OP_FILE(pinv) {
  register_builder("pinv", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{pinv(in[0], p.has("rcond") ? p.get_double("rcond") : 1e-15)};
  });
}

}  // namespace theon
