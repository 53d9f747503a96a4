#include "theon/compile/rewrite_check.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/rewrite/rewriter.hpp"

namespace theon {
namespace {

// Index of the first root whose values differ, or -1. Floats are compared within a tolerance
// that the numerical rewrites (log1p, softplus, fused kernels) stay well inside.
int first_difference(const std::vector<NDArray>& want, const std::vector<NDArray>& got) {
  for (size_t r = 0; r < want.size(); ++r) {
    const NDArray& a = want[r];
    const NDArray& b = got[r];
    if (a.shape() != b.shape()) return static_cast<int>(r);
    const bool f32 = a.dtype() == DType::Float32 || b.dtype() == DType::Float32;
    const double rtol = f32 ? 1e-3 : 1e-6;
    for (int64_t i = 0; i < a.size(); ++i) {
      const double x = a.flat_as_double(i), y = b.flat_as_double(i);
      if (!std::isfinite(x)) continue;
      if (!(std::fabs(x - y) <= rtol * (1.0 + std::fabs(x)))) return static_cast<int>(r);
    }
  }
  return -1;
}

std::string summary(const NDArray& a) {
  std::string s = std::string(dtype_name(a.dtype())) + shape_str(a.shape()) + " [";
  for (int64_t i = 0; i < a.size() && i < 6; ++i) {
    s += (i ? ", " : "") + std::to_string(a.flat_as_double(i));
  }
  return s + (a.size() > 6 ? ", ...]" : "]");
}

}  // namespace

RewriteChecker::RewriteChecker(std::vector<Var> inputs, std::vector<Var> roots,
                               std::vector<std::pair<Var, Var>> givens, Mode mode,
                               int64_t replacements)
    : inputs_(std::move(inputs)),
      roots_(std::move(roots)),
      givens_(std::move(givens)),
      mode_(std::move(mode)),
      replacements_(replacements) {}

std::vector<NDArray> RewriteChecker::evaluate_after(int64_t replacements,
                                                    const std::vector<NDArray>& args,
                                                    std::string* last_rewrite) const {
  FunctionGraph fg(inputs_, roots_, givens_);
  auto history = std::make_shared<RewriteHistory>();
  fg.add_feature(history);
  if (replacements >= 0) {
    fg.limit_replacements(replacements);
    optimize(fg, mode_);
  }
  if (last_rewrite && !history->entries().empty()) {
    const auto& e = history->entries().back();
    *last_rewrite = "'" + e.rewrite + "' (replaced " + e.before + " by " + e.after + ")";
  }
  std::vector<std::pair<Var, NDArray>> values;
  for (size_t i = 0; i < inputs_.size() && i < args.size(); ++i) {
    values.emplace_back(fg.inputs()[i], args[i]);
  }
  return evaluate(fg.outputs(), values);
}

void RewriteChecker::check(const std::vector<NDArray>& args,
                           const std::vector<NDArray>& results) const {
  const std::vector<NDArray> reference = evaluate_after(-1, args, nullptr);
  const int root = first_difference(reference, results);
  if (root < 0) return;
  int64_t lo = 0, hi = replacements_;
  // Invariant: after lo replacements the values agree; after hi they differ (or the kernels,
  // not a rewrite, are at fault when even hi agrees).
  std::string culprit;
  if (first_difference(reference, evaluate_after(hi, args, nullptr)) < 0) {
    throw ValueError("DebugMode: output " + std::to_string(root) +
                     " of the compiled function differs from the graph as written, although "
                     "the rewritten graph's reference kernels agree: a kernel is at fault. "
                     "Written graph: " +
                     summary(reference[root]) + "; compiled: " + summary(results[root]));
  }
  while (hi - lo > 1) {
    const int64_t mid = (lo + hi) / 2;
    if (first_difference(reference, evaluate_after(mid, args, nullptr)) < 0) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const std::vector<NDArray> bad = evaluate_after(hi, args, &culprit);
  const int r = std::max(0, first_difference(reference, bad));
  throw ValueError("DebugMode: rewrite " + culprit + " changed the values of output " +
                   std::to_string(r) + ": the graph as written gives " + summary(reference[r]) +
                   ", after the rewrite " + summary(bad[r]));
}

}  // namespace theon
