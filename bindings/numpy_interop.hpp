// NDArray <-> NumPy without copies. All NumPy C-API use lives in numpy_interop.cpp.
#pragma once

#include <nanobind/nanobind.h>

#include "theon/core/ndarray.hpp"

namespace theon::py {

namespace nb = nanobind;

void init_numpy();
bool is_ndarray(PyObject* obj);
// A NumPy scalar (np.int64(3), np.bool_(True), ...).
bool is_numpy_scalar(PyObject* obj);
// Python's True/False or NumPy's np.True_/np.False_.
bool is_bool_scalar(PyObject* obj);
// A view of a NumPy array (kept alive by the NDArray). Throws TypeError for dtypes Theon
// does not have (float16, complex, object...). Misaligned or byte-swapped arrays are copied.
NDArray from_numpy(PyObject* array);
// np.asarray(obj) then from_numpy.
NDArray from_python(nb::handle obj);
// A NumPy array viewing `a`'s buffer (which it keeps alive).
nb::object to_numpy(const NDArray& a);

}  // namespace theon::py
