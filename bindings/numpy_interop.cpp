#define PY_ARRAY_UNIQUE_SYMBOL theon_ARRAY_API
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include "numpy_interop.hpp"

#include <numpy/arrayobject.h>

#include "theon/core/error.hpp"

namespace theon::py {
namespace {

// The table's NumPy numbers are written without NumPy's headers; these check them here.
static_assert(dtype_info(DType::Bool).numpy_typenum == NPY_BOOL);
static_assert(dtype_info(DType::Int8).numpy_typenum == NPY_INT8);
static_assert(dtype_info(DType::Int16).numpy_typenum == NPY_INT16);
static_assert(dtype_info(DType::Int32).numpy_typenum == NPY_INT32);
static_assert(dtype_info(DType::Int64).numpy_typenum == NPY_INT64);
static_assert(dtype_info(DType::UInt8).numpy_typenum == NPY_UINT8);
static_assert(dtype_info(DType::UInt16).numpy_typenum == NPY_UINT16);
static_assert(dtype_info(DType::UInt32).numpy_typenum == NPY_UINT32);
static_assert(dtype_info(DType::UInt64).numpy_typenum == NPY_UINT64);
static_assert(dtype_info(DType::Float32).numpy_typenum == NPY_FLOAT32);
static_assert(dtype_info(DType::Float64).numpy_typenum == NPY_FLOAT64);

// NumPy's kind letter and item size name one of Theon's dtypes, or none (float16, complex...).
bool dtype_of_descr(PyArray_Descr* d, DType* out) {
  const size_t size = static_cast<size_t>(PyDataType_ELSIZE(d));
  for (const DTypeInfo& row : kDTypeTable) {
    if (row.numpy_kind == d->kind && row.itemsize == size) {
      *out = row.dtype;
      return true;
    }
  }
  return false;
}

void release_capsule(PyObject* capsule) {
  delete static_cast<NDArray*>(PyCapsule_GetPointer(capsule, "theon.NDArray"));
}

}  // namespace

void init_numpy() {
  if (_import_array() < 0) throw nb::python_error();
}

bool is_ndarray(PyObject* obj) {
  return PyArray_Check(obj);
}

bool is_numpy_scalar(PyObject* obj) {
  return PyArray_IsScalar(obj, Generic);
}

bool is_bool_scalar(PyObject* obj) {
  return PyBool_Check(obj) || PyArray_IsScalar(obj, Bool);
}

NDArray from_numpy(PyObject* obj) {
  auto* arr = reinterpret_cast<PyArrayObject*>(obj);
  DType dt;
  if (!dtype_of_descr(PyArray_DESCR(arr), &dt)) {
    nb::str name =
        nb::steal<nb::str>(PyObject_Str(reinterpret_cast<PyObject*>(PyArray_DESCR(arr))));
    throw TypeError("arrays of dtype " + std::string(name.c_str()) +
                    " are not supported; use bool, (u)int8-64, float32 or float64");
  }
  if (!PyArray_ISNOTSWAPPED(arr) || !PyArray_ISALIGNED(arr)) {
    PyObject* fixed = PyArray_FromAny(obj, PyArray_DescrFromType(dtype_info(dt).numpy_typenum), 0,
                                      0, NPY_ARRAY_CARRAY | NPY_ARRAY_ENSURECOPY, nullptr);
    if (!fixed) throw nb::python_error();
    NDArray a = from_numpy(fixed);
    Py_DECREF(fixed);
    return a;
  }
  const int nd = PyArray_NDIM(arr);
  Shape shape(PyArray_DIMS(arr), PyArray_DIMS(arr) + nd);
  Strides strides(PyArray_STRIDES(arr), PyArray_STRIDES(arr) + nd);
  Py_INCREF(obj);
  std::shared_ptr<void> owner(obj, [](void* p) {
    if (PyGILState_Check()) {
      Py_DECREF(static_cast<PyObject*>(p));
    } else {
      nb::gil_scoped_acquire gil;
      Py_DECREF(static_cast<PyObject*>(p));
    }
  });
  return NDArray::wrap(std::move(owner), PyArray_DATA(arr), dt, std::move(shape),
                       std::move(strides), PyArray_ISWRITEABLE(arr));
}

NDArray from_python(nb::handle obj) {
  if (PyArray_Check(obj.ptr())) return from_numpy(obj.ptr());
  PyObject* arr = PyArray_FromAny(obj.ptr(), nullptr, 0, 0, 0, nullptr);
  if (!arr) throw nb::python_error();
  NDArray a;
  try {
    a = from_numpy(arr);
  } catch (...) {
    Py_DECREF(arr);
    throw;
  }
  Py_DECREF(arr);
  return a;
}

namespace {

// "NoneType", "str", "list", "numpy.ndarray of dtype object": what the user passed.
std::string describe(nb::handle obj) {
  std::string s = Py_TYPE(obj.ptr())->tp_name;
  if (PyArray_Check(obj.ptr())) {
    auto* arr = reinterpret_cast<PyArrayObject*>(obj.ptr());
    nb::str dt = nb::steal<nb::str>(PyObject_Str(reinterpret_cast<PyObject*>(PyArray_DESCR(arr))));
    s += " of dtype " + std::string(dt.c_str());
  }
  return s;
}

}  // namespace

void throw_not_an_array(nb::handle obj, const std::string& what, const std::string& why) {
  std::string message =
      what + " must be an array of numbers (bool, integer or float), got " + describe(obj);
  if (!why.empty()) message += ": " + why.substr(0, why.find('\n'));
  throw TypeError(message);
}

nb::object to_numpy(const NDArray& a) {
  const int nd = a.ndim();
  PyArray_Descr* descr = PyArray_DescrFromType(dtype_info(a.dtype()).numpy_typenum);
  const int flags = a.writeable() ? NPY_ARRAY_WRITEABLE : 0;
  PyObject* arr = PyArray_NewFromDescr(
      &PyArray_Type, descr, nd,
      const_cast<npy_intp*>(reinterpret_cast<const npy_intp*>(a.shape().data())),
      const_cast<npy_intp*>(reinterpret_cast<const npy_intp*>(a.strides().data())), a.raw(), flags,
      nullptr);
  if (!arr) throw nb::python_error();
  PyObject* capsule = PyCapsule_New(new NDArray(a), "theon.NDArray", &release_capsule);
  if (!capsule || PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(arr), capsule) < 0) {
    Py_DECREF(arr);
    throw nb::python_error();
  }
  return nb::steal(arr);
}

}  // namespace theon::py
