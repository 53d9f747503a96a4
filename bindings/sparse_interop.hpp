// scipy.sparse matrices <-> Theon's SparseMatrix values (see sparse.cpp).
#pragma once

#include <nanobind/nanobind.h>

#include <optional>
#include <string>
#include <vector>

#include "theon/core/value.hpp"
#include "theon/graph/variable.hpp"
#include "theon/ops/sparse.hpp"

namespace theon::py {

namespace nb = nanobind;

// Whether `obj` is a scipy.sparse matrix or array (of any format).
bool is_scipy_sparse(nb::handle obj);
// The matrix `obj` (a scipy.sparse csr or csc matrix) as a SparseMatrix viewing its arrays where
// their dtypes and form allow; TypeError/ValueError beginning with `what` otherwise, or when
// `format` is given and differs. Values are converted to `dtype` when that is a safe cast.
SparsePtr sparse_from_python(nb::handle obj, const std::string& what,
                             std::optional<SparseFormat> format,
                             std::optional<DType> dtype = std::nullopt);
// A scipy.sparse matrix viewing m's arrays, copying those that share memory with `avoid`.
nb::object sparse_to_python(const SparseMatrix& m, const std::vector<Value>& avoid);
// A NumPy array or a scipy.sparse matrix for a function's result.
nb::object value_to_python(const Value& v, const std::vector<Value>& avoid);

// Shared variables holding sparse matrices: theon.shared(scipy matrix), get_value, set_value.
Var shared_sparse(nb::handle value, const std::string& name, bool borrow);
nb::object get_sparse_value(const Var& v, bool borrow);
void set_sparse_value(const Var& v, nb::handle value, bool borrow);

}  // namespace theon::py
