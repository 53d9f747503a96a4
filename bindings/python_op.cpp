// PythonOp: an op whose computation is defined in Python (Theano's Op subclassing and as_op).
// The Python glue (theon/pyop.py) hands over callables for perform, grad and infer_shape; the
// op calls them with the GIL held, from whichever thread runs it. Errors raised in Python come
// back as Theon errors of the same kind, so the VM adds the node's context to them.
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"

namespace nb = nanobind;

namespace theon::py {
namespace {

// The Python callables of every live PythonOp, by id, are in theon.pyop._callbacks: a tuple
// (perform, grad, infer_shape). An op holds only its id, so that no Python object is owned
// from C++: a graph kept by a module's globals until exit would otherwise hold the callables,
// and through them that module, in a cycle Python's collector cannot see.
nb::object callbacks(int64_t id) {
  return nb::module_::import_("theon.pyop").attr("_callbacks")[nb::int_(id)];
}

bool interpreter_usable() {
#if PY_VERSION_HEX >= 0x030D0000
  const bool finalizing = Py_IsFinalizing();
#else
  const bool finalizing = _Py_IsFinalizing();
#endif
  return Py_IsInitialized() && !finalizing;
}

// The Python exception being handled, as a Theon error of the same kind whose message names
// the op and the method that raised.
[[noreturn]] void rethrow_python_error(const Op& op, const char* method, nb::python_error& e) {
  ErrorKind kind = ErrorKind::Runtime;
  if (e.matches(PyExc_NotImplementedError)) {
    kind = ErrorKind::NotImplemented;
  } else if (e.matches(PyExc_TypeError)) {
    kind = ErrorKind::Type;
  } else if (e.matches(PyExc_IndexError)) {
    kind = ErrorKind::Index;
  } else if (e.matches(PyExc_ValueError)) {
    kind = ErrorKind::Value;
  }
  nb::handle type = e.type();
  const std::string type_name = nb::cast<std::string>(type.attr("__name__"));
  const std::string text = nb::cast<std::string>(nb::str(e.value()));
  rethrow_with_message(Error(kind, ""),
                       op_error(op, std::string(method) + " raised " + type_name + ": " + text));
}

std::string types_str(const std::vector<TensorType>& types) {
  std::string out = "(";
  for (size_t i = 0; i < types.size(); ++i) out += (i ? ", " : "") + types[i].str();
  return out + ")";
}

class PythonOp final : public Op {
 public:
  PythonOp(std::string label, std::string key, std::vector<TensorType> in_types,
           std::vector<TensorType> out_types, int64_t id, bool has_grad, bool has_infer_shape)
      : label_(std::move(label)),
        key_(std::move(key)),
        in_types_(std::move(in_types)),
        out_types_(std::move(out_types)),
        id_(id),
        has_grad_(has_grad),
        has_infer_shape_(has_infer_shape) {}
  PythonOp(const PythonOp&) = delete;
  PythonOp& operator=(const PythonOp&) = delete;

  // Drops the callables. At exit (or on another thread while Python shuts down) they go with
  // their module instead.
  ~PythonOp() override {
    if (!interpreter_usable()) return;
    nb::gil_scoped_acquire gil;
    // The op may go while a Python exception is being raised (its graph unwinding): keep it.
    nb::error_scope keep_pending_error;
    try {
      nb::module_::import_("theon.pyop").attr("_callbacks").attr("pop")(id_, nb::none());
    } catch (nb::python_error& e) {
      e.discard_as_unraisable("theon: dropping a Python op's callables");
    }
  }

  // One type name for every Python op, so that no rewrite keyed on a built-in op's name can
  // mistake a user's class for it; the class shows in props().
  std::string type_name() const override { return "PythonOp"; }
  Props fields() const override { return {{"key", PropValue::string(key_)}}; }
  std::string props() const override { return label_; }
  std::string pprint(const std::vector<std::string>& args) const override {
    std::string out = label_ + "(";
    for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i];
    return out + ")";
  }

  // The types make_node gave. A graph copy may rebuild the node on other inputs (givens);
  // those must have the dtypes and ndims the op was applied to.
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    bool same = inputs.size() == in_types_.size();
    for (size_t i = 0; same && i < inputs.size(); ++i) {
      same = inputs[i]->type.dtype == in_types_[i].dtype &&
             inputs[i]->type.ndim() == in_types_[i].ndim();
    }
    if (!same) {
      std::vector<TensorType> got;
      for (const auto& v : inputs) got.push_back(v->type);
      throw TypeError(op_error(*this, "was applied to inputs " + types_str(in_types_) +
                                          " and cannot take " + types_str(got) +
                                          "; apply the op to the new inputs instead"));
    }
    return out_types_;
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    nb::gil_scoped_acquire gil;
    nb::list args;
    for (const NDArray& a : inputs) {
      nb::object view = to_numpy(a);
      view.attr("flags").attr("writeable") = false;
      args.append(view);
    }
    nb::list results;
    try {
      results = nb::cast<nb::list>(callbacks(id_)[0](args));
    } catch (nb::python_error& e) {
      rethrow_python_error(*this, "perform", e);
    }
    const auto n = static_cast<size_t>(nb::len(results));
    if (n != out_types_.size()) {
      throw ValueError(op_error(*this, "perform gave " + std::to_string(n) + " outputs, expected " +
                                           std::to_string(out_types_.size())));
    }
    for (size_t i = 0; i < n; ++i) {
      nb::object r = results[i];
      if (r.is_none()) {
        throw ValueError(op_error(*this, "perform left output " + std::to_string(i) + " unset"));
      }
      // A copy: the value may alias an input or stay referenced from Python.
      NDArray a = from_python(r).copy();
      const TensorType& t = out_types_[i];
      if (a.dtype() != t.dtype || a.ndim() != t.ndim()) {
        throw TypeError(op_error(*this, "perform gave output " + std::to_string(i) + " of dtype " +
                                            std::string(dtype_name(a.dtype())) + " with " +
                                            std::to_string(a.ndim()) + " dimensions, expected " +
                                            t.str()));
      }
      for (int d = 0; d < t.ndim(); ++d) {
        if (t.shape[d] != kUnknownDim && t.shape[d] != a.shape(d)) {
          throw ValueError(op_error(*this, "perform gave output " + std::to_string(i) +
                                               " of size " + std::to_string(a.shape(d)) +
                                               " in dimension " + std::to_string(d) +
                                               ", expected " + t.str()));
        }
      }
      outputs[i] = std::move(a);
    }
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    if (!has_grad_) {
      throw NotImplementedError(op_error(*this, "defines no grad method"));
    }
    nb::gil_scoped_acquire gil;
    nb::list gz;
    for (const Var& g : output_grads) gz.append(g ? nb::cast(g) : nb::none());
    nb::object results;
    try {
      results = callbacks(id_)[1](inputs, outputs, gz);
    } catch (nb::python_error& e) {
      rethrow_python_error(*this, "grad", e);
    }
    std::vector<Var> out;
    for (nb::handle r : nb::iter(results)) out.push_back(r.is_none() ? nullptr : nb::cast<Var>(r));
    return out;
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override {
    if (!has_infer_shape_) return std::nullopt;
    nb::gil_scoped_acquire gil;
    try {
      return nb::cast<std::vector<std::vector<Var>>>(callbacks(id_)[2](inputs, input_shapes));
    } catch (nb::python_error& e) {
      rethrow_python_error(*this, "infer_shape", e);
    }
  }

 private:
  std::string label_;
  std::string key_;
  std::vector<TensorType> in_types_;
  std::vector<TensorType> out_types_;
  int64_t id_;  // the key of the callables in theon.pyop._callbacks
  bool has_grad_;
  bool has_infer_shape_;
};

}  // namespace

void bind_python_op(nb::module_& m) {
  m.def(
      "python_op_apply",
      [](const std::string& label, const std::string& key, const std::vector<Var>& inputs,
         const std::vector<TensorType>& out_types, int64_t id, bool has_grad, bool has_infer_shape,
         const std::string& where) {
        LocationScope scope(where);
        std::vector<TensorType> in_types;
        for (const Var& v : inputs) in_types.push_back(v->type);
        return make_node(std::make_shared<PythonOp>(label, key, std::move(in_types), out_types, id,
                                                    has_grad, has_infer_shape),
                         inputs);
      },
      nb::arg("label"), nb::arg("key"), nb::arg("inputs"), nb::arg("out_types"), nb::arg("id"),
      nb::arg("has_grad"), nb::arg("has_infer_shape"), nb::arg("where") = "",
      "Applies an op defined in Python whose callables are theon.pyop._callbacks[id]: "
      "perform(arrays) -> arrays, grad(inputs, outputs, output_grads) -> variables or None, "
      "infer_shape(inputs, shapes) -> shapes.");
}

}  // namespace theon::py
