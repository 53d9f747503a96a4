// Internal to the reduce op files: axis helpers and the location of errors raised before a
// node exists.
#pragma once

#include <string>
#include <vector>

#include "theon/core/error.hpp"
#include "theon/graph/variable.hpp"
#include "theon/ops/elemwise.hpp"

namespace theon::reduce_detail {

inline std::string axes_str(const std::vector<int64_t>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  if (axes.size() == 1) s += ",";
  return s + ")";
}

inline std::vector<bool> reduced_mask(const std::vector<int64_t>& axes, int ndim) {
  std::vector<bool> m(ndim, false);
  for (int64_t a : axes) m[a] = true;
  return m;
}

// Errors raised before a node exists carry the user's location as make_node's errors do.
[[noreturn]] inline void rethrow_located(const Error& e) {
  const std::string& where = current_location();
  if (where.empty()) throw;
  rethrow_with_message(e, std::string(e.what()) + "\n  (node built at " + where + ")");
}

template <class F>
auto located(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    rethrow_located(e);
  }
}

inline Var as_float(const Var& x) {
  return is_float(x->type.dtype) ? x : cast(x, DType::Float64);
}

}  // namespace theon::reduce_detail
