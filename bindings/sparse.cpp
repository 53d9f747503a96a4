// scipy.sparse <-> SparseMatrix: the three arrays of a CSR/CSC matrix are viewed without a
// copy when they already have Theon's dtypes and the matrix is in canonical form (sorted
// indices without duplicates); otherwise a converted copy is viewed. Results come back as
// scipy.sparse matrices viewing the result's arrays, copied only where they share memory with
// an argument.
#include "theon/ops/sparse.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "numpy_interop.hpp"
#include "sparse_interop.hpp"
#include "theon/device/device_array.hpp"
#include "theon/compile/shared.hpp"

namespace theon::py {
namespace {

nb::object scipy_sparse() {
  static nb::object* module = new nb::object(nb::module_::import_("scipy.sparse"));
  return *module;
}

// The array attribute `name` of `m` as a C-contiguous array of `dtype` (a view when it is one).
NDArray array_attr(nb::handle m, const char* name, const char* dtype) {
  nb::object np = nb::module_::import_("numpy");
  return from_python(np.attr("ascontiguousarray")(m.attr(name), dtype));
}

bool holds_array(const NDArray& a, const std::vector<Value>& values) {
  for (const Value& v : values) {
    if (v.is_array() && a.shares_buffer_with(v.array())) return true;
    if (const auto* m = dynamic_cast<const SparseMatrix*>(v.object().get())) {
      if (a.shares_buffer_with(m->data) || a.shares_buffer_with(m->indices) ||
          a.shares_buffer_with(m->indptr)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool is_scipy_sparse(nb::handle obj) {
  if (obj.is_none() || is_ndarray(obj.ptr())) return false;
  return nb::cast<bool>(scipy_sparse().attr("issparse")(obj));
}

SparsePtr sparse_from_python(nb::handle obj, const std::string& what,
                             std::optional<SparseFormat> format, std::optional<DType> dtype) {
  nb::object m = nb::borrow(obj);
  std::string f = nb::cast<std::string>(m.attr("format"));
  if (format && f != format_name(*format)) {
    throw TypeError(what + ": expected a " + std::string(format_name(*format)) +
                    " matrix, got a scipy.sparse " + f + " matrix (convert it with .to" +
                    format_name(*format) + "())");
  }
  if (f != "csr" && f != "csc") {
    throw TypeError(what + ": expected a csr or csc matrix, got a scipy.sparse " + f +
                    " matrix (convert it with .tocsr())");
  }
  nb::object shape = m.attr("shape");
  if (nb::len(shape) != 2) throw TypeError(what + ": expected a 2-d sparse matrix");
  std::string kind = nb::cast<std::string>(m.attr("dtype").attr("kind"));
  std::string dt = nb::cast<std::string>(m.attr("dtype").attr("name"));
  if (kind == "c") throw TypeError(what + ": complex sparse matrices are not supported");
  if (dt != "float32") dt = "float64";
  if (dtype && dtype_name(*dtype) != dt && can_cast_safe(parse_dtype(dt), *dtype)) {
    dt = std::string(dtype_name(*dtype));
  }
  auto s = std::make_shared<SparseMatrix>();
  s->format = parse_sparse_format(f, what);
  s->rows = nb::cast<int64_t>(shape[0]);
  s->cols = nb::cast<int64_t>(shape[1]);
  auto read_arrays = [&] {
    s->data = array_attr(m, "data", dt.c_str());
    s->indices = array_attr(m, "indices", "int32");
    s->indptr = array_attr(m, "indptr", "int32");
  };
  read_arrays();
  if (!nb::cast<bool>(m.attr("has_canonical_format"))) {
    // The structure is checked before SciPy sorts and sums duplicates: its routines read out
    // of bounds on a corrupt indptr.
    s->validate(what, false);
    m = m.attr("copy")();
    m.attr("sum_duplicates")();
    read_arrays();
  }
  s->validate(what);
  return s;
}

nb::object sparse_to_python(const SparseMatrix& m, const std::vector<Value>& avoid) {
  auto view = [&](const NDArray& a) { return to_numpy(holds_array(a, avoid) ? a.copy() : a); };
  nb::object cls = scipy_sparse().attr(m.format == SparseFormat::Csr ? "csr_matrix" : "csc_matrix");
  return cls(nb::make_tuple(view(m.data), view(m.indices), view(m.indptr)),
             nb::arg("shape") = nb::make_tuple(m.rows, m.cols), nb::arg("copy") = false);
}

nb::object value_to_python(const Value& v, const std::vector<Value>& avoid) {
  if (v.is_array()) return to_numpy(v.array());
  if (const auto* m = dynamic_cast<const SparseMatrix*>(v.object().get())) {
    return sparse_to_python(*m, avoid);
  }
  // Device arrays come back as NumPy arrays (a copy to the host).
  if (const auto* d = dynamic_cast<const device::DeviceArray*>(v.object().get())) {
    return to_numpy(d->to_host());
  }
  throw NotImplementedError("cannot return a " + v.describe() + " to Python");
}

namespace {

SparsePtr deep_copy(const SparseMatrix& m) {
  return make_sparse(m.format, m.rows, m.cols, m.data.copy(), m.indices.copy(), m.indptr.copy());
}

}  // namespace

Var shared_sparse(nb::handle value, const std::string& name, bool borrow) {
  const std::string what = "shared" + (name.empty() ? std::string() : " '" + name + "'");
  SparsePtr s = sparse_from_python(value, what + ": the value", std::nullopt);
  return shared_object(borrow ? s : deep_copy(*s), name, sparse_type(s->format, s->dtype()));
}

nb::object get_sparse_value(const Var& v, bool borrow) {
  std::shared_ptr<const Object> value;
  {
    nb::gil_scoped_release release;  // a call holding the lock may need the GIL
    value = get_object(v);
  }
  const auto& m = dynamic_cast<const SparseMatrix&>(*value);
  return sparse_to_python(borrow ? m : *deep_copy(m), {});
}

void set_sparse_value(const Var& v, nb::handle value, bool borrow) {
  const std::string what = "set_value of shared variable '" + v->name + "'";
  SparsePtr s = sparse_from_python(value, what, sparse_format(v->type), v->type.dtype);
  if (!borrow) s = deep_copy(*s);
  nb::gil_scoped_release release;
  set_object(v, s);
}

void bind_sparse(nb::module_& m) {
  m.def(
      "sparse_input",
      [](const std::string& format, const std::string& dtype, nb::handle shape,
         std::optional<std::string> name, const std::string& where) {
        LocationScope scope(where);
        const SparseFormat f = parse_sparse_format(format, "sparse matrix");
        Var v = sparse_input(f, parse_dtype(dtype), name.value_or(""));
        if (!shape.is_none()) {
          StaticShape s;
          for (nb::handle d : nb::iter(shape))
            s.push_back(d.is_none() ? kUnknownDim : nb::cast<int64_t>(d));
          if (s.size() != 2) throw TypeError("sparse matrix: shape must have 2 entries");
          v->type.shape = s;
        }
        return v;
      },
      nb::arg("format"), nb::arg("dtype"), nb::arg("shape") = nb::none(),
      nb::arg("name") = nb::none(), nb::arg("where") = "");
  m.def("sparse_format", [](const Var& v) -> nb::object {
    auto f = sparse_format(v->type);
    if (!f) return nb::none();
    return nb::str(format_name(*f));
  });
  m.def("structured_unary_names", &structured_unary_names);
}

}  // namespace theon::py
