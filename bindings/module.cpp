// theon._core: the compiled half of the Python package.
#include <nanobind/nanobind.h>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/core/error.hpp"

namespace nb = nanobind;

namespace theon::py {

void set_python_error(const Error& e) {
  PyObject* cls = PyExc_RuntimeError;
  switch (e.kind()) {
    case ErrorKind::Type:
      cls = PyExc_TypeError;
      break;
    case ErrorKind::Value:
      cls = PyExc_ValueError;
      break;
    case ErrorKind::Index:
      cls = PyExc_IndexError;
      break;
    case ErrorKind::NotImplemented:
      cls = PyExc_NotImplementedError;
      break;
    case ErrorKind::Memory:
      cls = PyExc_MemoryError;
      break;
    case ErrorKind::Runtime:
      break;
  }
  PyErr_SetString(cls, e.what());
}

}  // namespace theon::py

NB_MODULE(_core, m) {
  theon::py::init_numpy();
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const theon::Error& e) {
      theon::py::set_python_error(e);
    }
  });
  theon::py::bind_graph(m);
  theon::py::bind_function(m);
  theon::py::bind_config(m);
  theon::py::bind_grad(m);
  theon::py::bind_indexing(m);
  theon::py::bind_python_op(m);
  theon::py::bind_sparse(m);
}
