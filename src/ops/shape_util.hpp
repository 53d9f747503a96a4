// Internal helpers shared by the shape, join and alloc families.
#pragma once

#include <cstdint>
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

}  // namespace theon
