#include "theon/graph/compare.hpp"

#include <cstring>
#include <map>
#include <utility>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"

namespace theon {
namespace {

bool same_value(const NDArray& a, const NDArray& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const NDArray ca = a.is_c_contiguous() ? a : a.copy();
  const NDArray cb = b.is_c_contiguous() ? b : b.copy();
  return std::memcmp(ca.raw(), cb.raw(), ca.nbytes()) == 0;
}

class Comparer {
 public:
  Comparer(const std::vector<Var>& in_xs, const std::vector<Var>& in_ys) {
    if (in_xs.size() != in_ys.size()) {
      throw ValueError("equal_computations: " + std::to_string(in_xs.size()) +
                       " inputs on one side and " + std::to_string(in_ys.size()) + " on the other");
    }
    for (size_t i = 0; i < in_xs.size(); ++i) known_[{in_xs[i].get(), in_ys[i].get()}] = true;
  }

  bool equal(const Variable* x, const Variable* y) {
    if (x == y) return true;
    auto it = known_.find({x, y});
    if (it != known_.end()) return it->second;
    const bool result = compare(x, y);
    known_[{x, y}] = result;
    return result;
  }

 private:
  bool compare(const Variable* x, const Variable* y) {
    if (!(x->type == y->type)) return false;
    if (x->is_constant() && y->is_constant()) return same_value(*x->constant, *y->constant);
    if (!x->owner || !y->owner || x->index != y->index) return false;
    const Apply& a = *x->owner;
    const Apply& b = *y->owner;
    if (!a.op()->equals(*b.op()) || a.inputs().size() != b.inputs().size()) return false;
    for (size_t i = 0; i < a.inputs().size(); ++i) {
      if (!equal(a.inputs()[i].get(), b.inputs()[i].get())) return false;
    }
    return true;
  }

  std::map<std::pair<const Variable*, const Variable*>, bool> known_;
};

}  // namespace

bool equal_computations(const std::vector<Var>& xs, const std::vector<Var>& ys,
                        const std::vector<Var>& in_xs, const std::vector<Var>& in_ys) {
  if (xs.size() != ys.size()) return false;
  Comparer c(in_xs, in_ys);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!c.equal(xs[i].get(), ys[i].get())) return false;
  }
  return true;
}

}  // namespace theon
