// NDArray <-> NumPy without copies. All NumPy C-API use lives in numpy_interop.cpp.
#pragma once

#include <nanobind/nanobind.h>

#include "theon/core/error.hpp"
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
// Throws the TypeError of from_python_arg: `what` must be an array of numbers, what `obj` is,
// and `why` (the first line of the conversion's error, if any).
[[noreturn]] void throw_not_an_array(nb::handle obj, const std::string& what,
                                     const std::string& why);
// from_python for an argument the user passed: anything that is not an array of numbers
// (None, a string, a ragged list, an object array) is a TypeError that begins with `label()`
// (e.g. "theon function 'f': argument 1 ('x', ...)"), built only then, and says what came.
template <class Label>
NDArray from_python_arg(nb::handle obj, Label&& label) {
  std::string why;
  try {
    if (!obj.is_none()) return from_python(obj);
  } catch (nb::python_error& e) {
    why = e.what();  // NumPy's reason, e.g. for a ragged nested sequence
  } catch (const Error& e) {
    why = e.what();
  }
  throw_not_an_array(obj, label(), why);
}
// A NumPy array viewing `a`'s buffer (which it keeps alive).
nb::object to_numpy(const NDArray& a);

}  // namespace theon::py
