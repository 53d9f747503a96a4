// theon._core: the compiled half of the Python package.
#include <nanobind/nanobind.h>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/core/error.hpp"

namespace nb = nanobind;

NB_MODULE(_core, m) {
  theon::py::init_numpy();
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const theon::Error& e) {
      PyObject* cls = PyExc_RuntimeError;
      switch (e.kind()) {
        case theon::ErrorKind::Type: cls = PyExc_TypeError; break;
        case theon::ErrorKind::Value: cls = PyExc_ValueError; break;
        case theon::ErrorKind::Index: cls = PyExc_IndexError; break;
        case theon::ErrorKind::NotImplemented: cls = PyExc_NotImplementedError; break;
        case theon::ErrorKind::Runtime: break;
      }
      PyErr_SetString(cls, e.what());
    }
  });
  theon::py::bind_graph(m);
  theon::py::bind_function(m);
  theon::py::bind_config(m);
}
