#define PY_ARRAY_UNIQUE_SYMBOL theon_ARRAY_API
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include "numpy_interop.hpp"

#include <numpy/arrayobject.h>

#include "theon/core/error.hpp"

namespace theon::py {
namespace {

int typenum_of(DType dt) {
  switch (dt) {
    case DType::Bool:
      return NPY_BOOL;
    case DType::Int8:
      return NPY_INT8;
    case DType::Int16:
      return NPY_INT16;
    case DType::Int32:
      return NPY_INT32;
    case DType::Int64:
      return NPY_INT64;
    case DType::UInt8:
      return NPY_UINT8;
    case DType::UInt16:
      return NPY_UINT16;
    case DType::UInt32:
      return NPY_UINT32;
    case DType::UInt64:
      return NPY_UINT64;
    case DType::Float32:
      return NPY_FLOAT32;
    case DType::Float64:
      return NPY_FLOAT64;
  }
  return NPY_FLOAT64;
}

// NumPy's kind letter and item size name one of Theon's dtypes, or none (float16, complex...).
bool dtype_of_descr(PyArray_Descr* d, DType* out) {
  DKind kind;
  switch (d->kind) {
    case 'b':
      kind = DKind::Bool;
      break;
    case 'i':
      kind = DKind::Signed;
      break;
    case 'u':
      kind = DKind::Unsigned;
      break;
    case 'f':
      kind = DKind::Float;
      break;
    default:
      return false;
  }
  const size_t size = static_cast<size_t>(PyDataType_ELSIZE(d));
  for (int k = 0; k < kNumDTypes; ++k) {
    const DType dt = static_cast<DType>(k);
    if (dtype_kind(dt) == kind && itemsize(dt) == size) {
      *out = dt;
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
    PyObject* fixed = PyArray_FromAny(obj, PyArray_DescrFromType(typenum_of(dt)), 0, 0,
                                      NPY_ARRAY_CARRAY | NPY_ARRAY_ENSURECOPY, nullptr);
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

nb::object to_numpy(const NDArray& a) {
  const int nd = a.ndim();
  PyArray_Descr* descr = PyArray_DescrFromType(typenum_of(a.dtype()));
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
