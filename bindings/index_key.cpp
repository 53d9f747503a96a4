// Python index keys (x[key]) parsed once into the C++ key that getitem takes: ints, slices,
// None (newaxis), Ellipsis, integer arrays and boolean masks (NumPy arrays, lists, NumPy and
// Python bools), and Variables (integer scalars, integer arrays, masks; lists holding
// Variables are stacked into one).
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/subtensor.hpp"

namespace nb = nanobind;

namespace theon::py {
namespace {

constexpr const char* kOp = "getitem";

std::string repr_of(nb::handle obj) {
  constexpr size_t kMaxRepr = 80;
  std::string r = nb::cast<std::string>(nb::repr(obj));
  return r.size() > kMaxRepr ? r.substr(0, kMaxRepr) + "..." : r;
}

[[noreturn]] void bad_index(const std::string& what_came) {
  throw IndexError(std::string(kOp) + ": " + kBadIndex + " (got " + what_came + ")");
}

int64_t python_int(nb::handle obj) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
  if (overflow) {
    throw IndexError(std::string(kOp) + ": index " + repr_of(obj) + " does not fit in int64");
  }
  if (v == -1 && PyErr_Occurred()) throw nb::python_error();
  return v;
}

int64_t int_value(const NDArray& a) {
  return a.astype(DType::Int64).data<int64_t>()[0];
}

// np.asarray(obj) as Theon's array, or nullopt when its dtype is not one of Theon's.
std::optional<NDArray> as_array(nb::handle obj) {
  try {
    return from_python(obj);
  } catch (const TypeError&) {
    return std::nullopt;
  }
}

class KeyParser {
 public:
  // The Variables the key refers to (including those stacked from lists), in key order.
  std::vector<Var> variables;

  IndexKey parse(nb::handle key) {
    IndexKey out;
    if (nb::isinstance<nb::tuple>(key)) {
      for (nb::handle entry : nb::borrow<nb::tuple>(key)) out.push_back(parse_entry(entry));
    } else {
      out.push_back(parse_entry(key));
    }
    return out;
  }

 private:
  Var variable(nb::handle obj) {
    Var v = nb::cast<Var>(obj);
    variables.push_back(v);
    return v;
  }

  IndexValue slice_part(nb::handle v) {
    const std::string what = std::string(kOp) + ": slice indices must be integers or None, got ";
    if (v.is_none()) return {};
    if (PyBool_Check(v.ptr())) throw TypeError(what + "a bool");
    if (PyLong_Check(v.ptr())) return python_int(v);
    if (nb::isinstance<Variable>(v)) {
      Var var = variable(v);
      if (var->type.ndim() != 0 || !is_integer(var->type.dtype)) {
        throw TypeError(std::string(kOp) +
                        ": slice indices must be integer scalars or None, got a " +
                        std::string(dtype_name(var->type.dtype)) + " variable with " +
                        std::to_string(var->type.ndim()) + " dims");
      }
      return var;
    }
    if (is_ndarray(v.ptr()) || is_numpy_scalar(v.ptr())) {
      const std::optional<NDArray> a = as_array(v);
      if (a && a->ndim() == 0 && is_bool(a->dtype())) throw TypeError(what + "a bool");
      if (a && a->ndim() == 0 && is_integer(a->dtype())) return int_value(*a);
    }
    throw TypeError(what + repr_of(v));
  }

  Index parse_entry(nb::handle k) {
    if (k.is_none()) return idx::newaxis();
    if (k.ptr() == Py_Ellipsis) return idx::ellipsis();
    if (PySlice_Check(k.ptr())) {
      IndexValue start = slice_part(k.attr("start"));
      IndexValue stop = slice_part(k.attr("stop"));
      IndexValue step = slice_part(k.attr("step"));
      return idx::slice(std::move(start), std::move(stop), std::move(step));
    }
    if (nb::isinstance<Variable>(k)) {
      Var v = variable(k);
      const DType dt = v->type.dtype;
      if (v->type.ndim() == 0 && is_integer(dt)) return idx::at(v);
      if (!is_integer(dt) && !is_bool(dt))
        bad_index("a " + std::string(dtype_name(dt)) + " variable");
      return idx::array(v);
    }
    // A Python bool is a 0-d boolean mask, as in NumPy (bool is a subclass of int).
    if (PyLong_Check(k.ptr()) && !PyBool_Check(k.ptr())) return idx::at(python_int(k));
    const bool sequence = nb::isinstance<nb::list>(k) || nb::isinstance<nb::tuple>(k);
    if (sequence) {
      bool symbolic = false;
      for (nb::handle e : k) symbolic = symbolic || nb::isinstance<Variable>(e);
      if (symbolic) return idx::array(stacked(k));
    }
    if (!sequence && !PyBool_Check(k.ptr()) && !is_ndarray(k.ptr()) && !is_numpy_scalar(k.ptr())) {
      bad_index(repr_of(k));
    }
    std::optional<NDArray> a = as_array(k);
    if (!a) bad_index(repr_of(k));
    // NumPy indexes with [] as an empty integer array.
    if (a->size() == 0 && !is_integer(a->dtype()) && !is_bool(a->dtype())) {
      a = NDArray::empty(DType::Int64, a->shape());
    }
    if (a->ndim() == 0 && is_integer(a->dtype())) return idx::at(int_value(*a));
    if (!is_integer(a->dtype()) && !is_bool(a->dtype())) {
      bad_index(is_numpy_scalar(k.ptr())
                    ? repr_of(k)
                    : "an array of dtype " + std::string(dtype_name(a->dtype())));
    }
    return idx::array(constant(a->copy()));
  }

  // A list or tuple holding Variables, as one array: each element a Variable or a constant.
  Var stacked(nb::handle seq) {
    std::vector<Var> parts;
    for (nb::handle e : seq) {
      parts.push_back(nb::isinstance<Variable>(e) ? variable(e) : constant(from_python(e).copy()));
    }
    return stack(parts, 0);
  }
};

}  // namespace

void bind_indexing(nb::module_& m) {
  m.def(
      "getitem",
      [](const Var& x, nb::handle key, const std::string& where) {
        LocationScope scope(where);
        KeyParser parser;
        const IndexKey parsed = parser.parse(key);
        std::vector<Var> inputs{x};
        inputs.insert(inputs.end(), parser.variables.begin(), parser.variables.end());
        return nb::make_tuple(getitem(x, parsed), inputs);
      },
      nb::arg("x"), nb::arg("key").none(), nb::arg("where") = "",
      "x[key] with NumPy semantics; returns (the result, [x and the Variables in the key]).");
}

}  // namespace theon::py
