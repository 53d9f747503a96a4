// Internal helpers shared by the shape, join and alloc families.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"

namespace theon {

// Element i of a 0-d or 1-d integer (or bool) array, as int64.
int64_t read_int(const NDArray& a, int64_t i);
// All elements of a 1-d array (a 0-d array gives one element), as int64.
std::vector<int64_t> read_int_vector(const NDArray& a);
// Throws TypeError naming `op` unless `v` is a 0-d integer variable.
void require_int_scalar(const Op& op, const Var& v, const std::string& what);
// "(1, 2)" / "(3,)" like a Python tuple.
std::string ints_str(const std::vector<int64_t>& v);

// ---- Symbolic shapes (the ops' infer_shape), defined in shape/symbolic.cpp ----
// Every result is a 0-d int64 variable; known values are folded into constants as the
// expressions are built, so shapes of static sizes stay constants.
using SymShape = std::vector<Var>;
using SymShapes = std::optional<std::vector<SymShape>>;
// Entry i of the integer vector `v` as int64, read without computing v where v is a constant,
// a MakeVector or a Shape; otherwise v[i].
Var vector_entry(const Var& v, int64_t i);
Var dims_sum(const std::vector<Var>& dims);

}  // namespace theon
