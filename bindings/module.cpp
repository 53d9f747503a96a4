// theon._core: the compiled half of the Python package.
#include <nanobind/nanobind.h>

#include <cstdio>
#include <string>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/print.hpp"

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
    case ErrorKind::LinAlg:
      PyErr_SetString(nb::module_::import_("numpy.linalg").attr("LinAlgError").ptr(), e.what());
      return;
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
  theon::py::bind_op_from_graph(m);
  theon::py::bind_sparse(m);
  theon::py::bind_distributed(m);
  // Print's lines go to sys.stdout as Python's print would, so notebooks, doctest and
  // contextlib.redirect_stdout see them; the running function holds no GIL, so take it.
  theon::set_print_sink([](const std::string& line) {
    if (!Py_IsInitialized()) {
      std::fwrite(line.data(), 1, line.size(), stdout);
      return;
    }
    nb::gil_scoped_acquire gil;
    try {
      nb::module_::import_("sys").attr("stdout").attr("write")(
          nb::str(line.c_str(), line.size()));
    } catch (const nb::python_error&) {
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
  });
}
