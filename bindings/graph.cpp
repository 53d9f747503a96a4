#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/compare.hpp"
#include "theon/graph/dot.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/printing.hpp"
#include "theon/graph/registry.hpp"
#include "theon/graph/serialize.hpp"
#include "theon/graph/svg.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/scalar.hpp"

namespace nb = nanobind;

namespace theon::py {
namespace {

ParamValue to_param(const std::string& key, nb::handle v) {
  if (v.is_none()) return std::monostate{};
  if (PyBool_Check(v.ptr())) return nb::cast<bool>(v);
  if (PyLong_Check(v.ptr()) || nb::hasattr(v, "__index__")) {
    if (!PyFloat_Check(v.ptr()) && !nb::isinstance<nb::str>(v) && !is_ndarray(v.ptr())) {
      return nb::cast<int64_t>(nb::int_(v));
    }
  }
  if (PyFloat_Check(v.ptr())) return nb::cast<double>(v);
  if (nb::isinstance<nb::str>(v)) return nb::cast<std::string>(v);
  if (nb::isinstance<nb::list>(v) || nb::isinstance<nb::tuple>(v) || is_ndarray(v.ptr())) {
    std::vector<int64_t> out;
    for (nb::handle item : nb::iter(v)) {
      if (PyBool_Check(item.ptr()) || PyFloat_Check(item.ptr()) ||
          !nb::hasattr(item, "__index__")) {
        throw TypeError("parameter '" + key + "': expected a list of ints, got an element " +
                        nb::cast<std::string>(nb::repr(item)));
      }
      out.push_back(nb::cast<int64_t>(nb::int_(item)));
    }
    return out;
  }
  throw TypeError("parameter '" + key + "': unsupported value " +
                  nb::cast<std::string>(nb::repr(v)));
}

nb::tuple static_shape_tuple(const StaticShape& s) {
  nb::list l;
  for (int64_t d : s) l.append(d == kUnknownDim ? nb::object(nb::none()) : nb::object(nb::int_(d)));
  return nb::tuple(l);
}

nb::tuple broadcastable_tuple(const TensorType& t) {
  nb::list l;
  for (int i = 0; i < t.ndim(); ++i) l.append(nb::bool_(t.broadcastable(i)));
  return nb::tuple(l);
}

// A static shape given either as sizes (ints, None where unknown) or as Theano's broadcastable
// pattern (bools, True for a dimension of size 1, False for an unknown size). Mixing the two
// is refused: (False, 1) has no single reading.
StaticShape static_shape_from(nb::handle shape, const char* who) {
  std::vector<nb::handle> items;
  for (nb::handle d : nb::iter(shape)) items.push_back(d);
  size_t bools = 0;
  for (nb::handle d : items) bools += is_bool_scalar(d.ptr()) ? 1 : 0;
  const std::string got = nb::cast<std::string>(nb::repr(shape));
  if (bools > 0 && bools != items.size()) {
    throw TypeError(std::string(who) +
                    ": expected a shape of sizes (ints, None for unknown) or a broadcastable "
                    "pattern of bools, got the mixture " +
                    got);
  }
  StaticShape out;
  for (nb::handle d : items) {
    if (bools > 0) {
      out.push_back(PyObject_IsTrue(d.ptr()) ? 1 : kUnknownDim);
    } else if (d.is_none()) {
      out.push_back(kUnknownDim);
    } else if (PyFloat_Check(d.ptr()) || !nb::hasattr(d, "__index__")) {
      throw TypeError(std::string(who) + ": expected sizes (ints or None) or bools, got " + got);
    } else {
      const auto n = nb::cast<int64_t>(nb::int_(d));
      if (n < 0) throw ValueError(std::string(who) + ": negative size in shape " + got);
      out.push_back(n);
    }
  }
  return out;
}

}  // namespace

void bind_graph(nb::module_& m) {
  nb::class_<TensorType>(
      m, "TensorType",
      "The type of a tensor variable: dtype, static shape and device.\n"
      "\n"
      "Calling it makes a variable: ``TensorType('float32', (None, 1))('x')``.\n"
      "\n"
      "Parameters\n"
      "----------\n"
      "dtype : str\n"
      "    'bool', 'int8' ... 'int64', 'uint8' ... 'uint64', 'float32' or 'float64'.\n"
      "shape : sequence of int or None\n"
      "    The static sizes, None where any size is accepted.\n"
      "broadcastable : sequence of bool\n"
      "    Theano's form of ``shape``: True means a static size of 1.\n"
      "device : str\n"
      "    'cpu' (or a GPU device where the build has one).\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> t = T.TensorType('float32', (None, 1))\n"
      ">>> t.broadcastable, t.ndim\n"
      "((False, True), 2)\n"
      ">>> t('x').type == t\n"
      "True")
      .def(
          "__init__",
          [](TensorType* t, const std::string& dtype, nb::handle shape, nb::handle broadcastable,
             const std::string& device) {
            // Theano's TensorType(dtype, broadcastable) and Theon's TensorType(dtype, shape):
            // the second argument is read as a pattern when it holds bools.
            if (shape.is_none() && broadcastable.is_none()) {
              throw TypeError(
                  "TensorType: give shape=(...) (sizes, None for unknown) or "
                  "broadcastable=(...) (bools)");
            }
            StaticShape s =
                shape.is_none() ? StaticShape{} : static_shape_from(shape, "TensorType");
            if (!broadcastable.is_none()) {
              StaticShape b = static_shape_from(broadcastable, "TensorType");
              for (nb::handle d : nb::iter(broadcastable)) {
                if (!is_bool_scalar(d.ptr())) {
                  throw TypeError("TensorType: broadcastable must hold bools, got " +
                                  nb::cast<std::string>(nb::repr(broadcastable)));
                }
              }
              if (!shape.is_none() && TensorType(DType::Float64, s).broadcastable() !=
                                          TensorType(DType::Float64, b).broadcastable()) {
                throw TypeError("TensorType: shape " + nb::cast<std::string>(nb::repr(shape)) +
                                " disagrees with broadcastable " +
                                nb::cast<std::string>(nb::repr(broadcastable)));
              }
              if (shape.is_none()) s = b;
            }
            new (t) TensorType(parse_dtype(dtype), s, parse_device(device));
          },
          nb::arg("dtype"), nb::arg("shape") = nb::none(), nb::kw_only(),
          nb::arg("broadcastable") = nb::none(), nb::arg("device") = "cpu")
      .def_prop_ro(
          "dtype", [](const TensorType& t) { return std::string(dtype_name(t.dtype)); },
          "The element type's name, e.g. 'float32'.")
      .def_prop_ro(
          "device", [](const TensorType& t) { return t.device.str(); },
          "The device the values live on, e.g. 'cpu'.")
      .def_prop_ro(
          "shape", [](const TensorType& t) { return static_shape_tuple(t.shape); },
          "The static sizes, a tuple with None where any size is accepted.")
      .def_prop_ro(
          "ndim", [](const TensorType& t) { return t.ndim(); }, "The number of dimensions.")
      .def_prop_ro("broadcastable", &broadcastable_tuple,
                   "True for each dimension of static size 1 (Theano's broadcastable pattern).")
      .def(
          "__call__",
          [](const TensorType& t, std::optional<std::string> name) {
            return make_input(t, name.value_or(""));
          },
          nb::arg("name") = nb::none())
      .def("__eq__", [](const TensorType& a, const TensorType& b) { return a == b; })
      .def("__hash__", [](const TensorType& t) { return std::hash<std::string>()(t.str()); })
      .def("__repr__", &TensorType::str)
      .def("__str__", &TensorType::str);

  nb::class_<Apply>(
      m, "Apply",
      "A node of a graph: an op applied to input variables, giving output variables.\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> x = T.dvector('x')\n"
      ">>> node = T.exp(x).owner\n"
      ">>> node.op, node.inputs[0] is x\n"
      "('Elemwise{exp}', True)")
      .def_prop_ro(
          "op", [](const Apply& a) { return a.op()->name(); },
          "The op's name with its parameters, as printed in graphs.")
      .def_prop_ro(
          "op_type", [](const Apply& a) { return a.op()->type_name(); }, "The op's class name.")
      .def_prop_ro(
          "inputs", [](const Apply& a) { return a.inputs(); }, "The input variables, in order.")
      .def_prop_ro(
          "outputs", [](Apply& a) { return a.outputs(); }, "The output variables, in order.")
      .def_prop_ro("where", &Apply::where, "The user's line that built the node.")
      .def("__repr__", [](const Apply& a) { return "<Apply " + a.op()->name() + ">"; });

  nb::class_<Variable>(
      m, "Variable", nb::dynamic_attr(),
      "A symbolic value in a graph: an input, a constant, a shared variable or an op's output.\n"
      "\n"
      "Each has a type; NumPy-style operators and methods build new nodes.\n"
      "\n"
      "Examples\n"
      "--------\n"
      ">>> x = T.dmatrix('x')\n"
      ">>> y = (x * 2).sum(axis=1)\n"
      ">>> y.type, y.owner is not None\n"
      "(TensorType(float64, shape=(None,)), True)\n"
      ">>> theon.function([x], y)([[1., 2.]])\n"
      "array([6.])")
      .def_prop_ro(
          "type", [](const Variable& v) { return v.type; }, "The TensorType (or sparse type).")
      .def_prop_ro(
          "dtype", [](const Variable& v) { return std::string(dtype_name(v.type.dtype)); },
          "The element type's name, e.g. 'float32'.")
      .def_prop_ro(
          "ndim", [](const Variable& v) { return v.type.ndim(); }, "The number of dimensions.")
      .def_prop_ro(
          "broadcastable", [](const Variable& v) { return broadcastable_tuple(v.type); },
          "True for each dimension of static size 1 (Theano's broadcastable pattern).")
      .def_prop_ro(
          "static_shape", [](const Variable& v) { return static_shape_tuple(v.type.shape); },
          "The sizes known from the type, a tuple with None where unknown.")
      .def_prop_rw(
          "name",
          [](const Variable& v) -> nb::object {
            return v.name.empty() ? nb::object(nb::none()) : nb::object(nb::str(v.name.c_str()));
          },
          [](Variable& v, std::optional<std::string> n) { v.name = n.value_or(""); },
          "The name shown in printed graphs and errors, or None.")
      .def_prop_ro(
          "owner",
          [](const Variable& v) -> nb::object {
            if (!v.owner) return nb::none();
            return nb::cast(v.owner->shared_from_this());
          },
          "The Apply node computing the variable; None for inputs, constants and shared ones.")
      .def_prop_ro(
          "index", [](const Variable& v) { return v.index; },
          "Which output of its owner the variable is.")
      .def_prop_ro("is_constant", &Variable::is_constant, "Whether the variable is a constant.")
      .def_prop_ro("is_shared", &Variable::is_shared,
                   "Whether the variable is shared (theon.shared).")
      .def_prop_ro(
          "where", [](const Variable& v) { return v.where; },
          "The user's line that made the variable.")
      .def_prop_ro(
          "auto_name", [](const Variable& v) { return "auto_" + std::to_string(v.id); },
          "A name unique in the process (Theano's auto_name).")
      .def_prop_ro(
          "data",
          [](const Variable& v) -> nb::object {
            if (!v.constant) {
              throw TypeError("'data' is only defined for constants; " + var_label(v) +
                              " is not one");
            }
            nb::object a = to_numpy(*v.constant);
            a.attr("flags").attr("writeable") = false;
            return a;
          },
          "The value of a constant, a read-only array.")
      .def("_label", [](const Variable& v) { return var_label(v); })
      .def("_pprint", [](Var v) { return pprint(v, 8); });

  m.def(
      "build",
      [](const std::string& name, const std::vector<Var>& inputs, nb::dict params,
         const std::string& where) {
        Params p;
        for (auto [k, v] : params) {
          std::string key = nb::cast<std::string>(k);
          p.set(key, to_param(key, v));
        }
        LocationScope scope(where);
        return build(name, inputs, p);
      },
      nb::arg("name"), nb::arg("inputs"), nb::arg("params"), nb::arg("where") = "");
  // Test values: computes `outputs` from `values` given for `inputs` (the reference kernels);
  // the Python layer calls it right after building a node.
  m.def(
      "evaluate",
      [](const std::vector<Var>& outputs, const std::vector<Var>& inputs, nb::list values) {
        if (inputs.size() != values.size()) {
          throw ValueError("evaluate: " + std::to_string(inputs.size()) + " inputs but " +
                           std::to_string(values.size()) + " values");
        }
        std::vector<std::pair<Var, NDArray>> given;
        for (size_t i = 0; i < inputs.size(); ++i) {
          NDArray a = from_python(values[i]);
          if (a.dtype() != inputs[i]->type.dtype) a = a.astype(inputs[i]->type.dtype);
          given.emplace_back(inputs[i], a);
        }
        std::vector<NDArray> out = evaluate(outputs, given);
        nb::list l;
        for (const auto& a : out) l.append(to_numpy(a.copy()));
        return l;
      },
      nb::arg("outputs"), nb::arg("inputs"), nb::arg("values"));
  m.def(
      "dot_graph",
      [](const std::vector<Var>& outputs, const std::string& name) {
        DotOptions o;
        o.graph_name = name;
        return dot_graph(outputs, o);
      },
      nb::arg("outputs"), nb::arg("name") = "theon");
  m.def(
      "svg_graph",
      [](const std::vector<Var>& outputs, const std::string& name) {
        return svg_graph(outputs, name);
      },
      nb::arg("outputs"), nb::arg("name") = "theon");
  m.def("clone_replace",
        [](const std::vector<Var>& outputs, const std::vector<std::pair<Var, Var>>& replace) {
          return clone_replace(outputs, replace);
        });
  m.def(
      "equal_computations",
      [](const std::vector<Var>& xs, const std::vector<Var>& ys, const std::vector<Var>& in_xs,
         const std::vector<Var>& in_ys) { return equal_computations(xs, ys, in_xs, in_ys); },
      nb::arg("xs"), nb::arg("ys"), nb::arg("in_xs") = std::vector<Var>{},
      nb::arg("in_ys") = std::vector<Var>{});
  m.def("serialize", [](const std::vector<Var>& outputs) {
    const std::string bytes = serialize(outputs);
    return nb::bytes(bytes.data(), bytes.size());
  });
  m.def("deserialize", [](nb::bytes bytes) {
    return deserialize(std::string(static_cast<const char*>(bytes.data()), bytes.size()));
  });
  m.def("serialize_with_leaves", [](const std::vector<Var>& outputs) {
    std::vector<Var> leaves;
    const std::string bytes = serialize(outputs, leaves);
    return std::make_pair(nb::bytes(bytes.data(), bytes.size()), leaves);
  });
  m.def("deserialize_with_leaves", [](nb::bytes bytes, const std::vector<Var>& leaves) {
    return deserialize(std::string(static_cast<const char*>(bytes.data()), bytes.size()), &leaves);
  });
  m.def("has_builder", &has_builder);
  m.def("builder_names", &builder_names);
  m.def("python_exports", [] {
    nb::list out;
    for (const PythonExport& e : python_exports()) {
      out.append(
          nb::make_tuple(e.module, e.name, e.builder, e.doc, e.elementwise, e.inputs, e.params));
    }
    return out;
  });
  m.def(
      "scalar_ops",
      [] {
        nb::list out;
        for (const auto& name : scalar_op_names()) {
          const ScalarOp& op = find_scalar_op(name);
          nb::list types;
          for (int d = 0; d < kNumDTypes; ++d) {
            if (op.types & (1u << d)) types.append(std::string(dtype_name(static_cast<DType>(d))));
          }
          out.append(nb::make_tuple(name, op.arity, types));
        }
        return out;
      },
      "The scalar op table: (name, arity, compute dtypes) per op.");
  m.def(
      "dtype_table",
      [] {
        nb::list out;
        for (const DTypeInfo& row : kDTypeTable) {
          nb::dict d;
          d["name"] = std::string(row.name);
          d["itemsize"] = row.itemsize;
          d["kind"] = std::string(1, row.numpy_kind);
          d["char"] = std::string(1, row.numpy_char);
          d["num"] = row.numpy_typenum;
          d["c_name"] = row.c_name;
          d["opencl_name"] = row.opencl_name;
          d["cuda_name"] = row.cuda_name;
          out.append(d);
        }
        return out;
      },
      "The dtype table: one dict per dtype, in Theon's dtype order.");
  m.def(
      "reduction_rules",
      [] {
        nb::list out;
        for (const ReductionRule& rule : reduction_rules()) {
          nb::dict d;
          d["name"] = rule.name;
          d["type_name"] = rule.type_name;
          d["combine"] = rule.combine ? nb::object(nb::str(rule.combine)) : nb::none();
          d["identity"] = rule.identity;
          d["empty_error"] = rule.empty_error ? nb::object(nb::str(rule.empty_error)) : nb::none();
          d["fusable"] = rule.fusable;
          d["differentiable"] = rule.grad != nullptr;
          out.append(d);
        }
        return out;
      },
      "The reduction rules: one dict per reduction kind.");
  m.def(
      "input",
      [](const std::string& dtype, nb::handle shape, std::optional<std::string> name,
         const std::string& where) {
        LocationScope scope(where);
        return make_input(TensorType(parse_dtype(dtype), static_shape_from(shape, "tensor")),
                          name.value_or(""));
      },
      nb::arg("dtype"), nb::arg("shape"), nb::arg("name") = nb::none(), nb::arg("where") = "");
  m.def(
      "constant",
      [](nb::handle value, std::optional<std::string> name, const std::string& where) {
        LocationScope scope(where);
        return constant(from_python(value).copy(), name.value_or(""));
      },
      nb::arg("value"), nb::arg("name") = nb::none(), nb::arg("where") = "");
  m.def(
      "weak_constant",
      [](nb::handle value, const std::string& other, const std::string& where) {
        LocationScope scope(where);
        DType dt = parse_dtype(other);
        if (PyBool_Check(value.ptr())) return weak_scalar(nb::cast<bool>(value), dt);
        if (PyLong_Check(value.ptr())) {
          int overflow = 0;
          long long x = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
          if (overflow) {
            throw ValueError("Python integer " + nb::cast<std::string>(nb::repr(value)) +
                             " out of bounds for " + other);
          }
          return weak_scalar(static_cast<int64_t>(x), dt);
        }
        return weak_scalar(nb::cast<double>(value), dt);
      },
      nb::arg("value"), nb::arg("other"), nb::arg("where") = "");
  m.def("promote", [](const std::string& a, const std::string& b) {
    return std::string(dtype_name(promote(parse_dtype(a), parse_dtype(b))));
  });
  m.def("can_cast_safe", [](const std::string& a, const std::string& b) {
    return can_cast_safe(parse_dtype(a), parse_dtype(b));
  });
  m.def(
      "pprint", [](Var v, int max_depth) { return pprint(v, max_depth); }, nb::arg("v"),
      nb::arg("max_depth") = -1);
  m.def(
      "debugprint",
      [](const std::vector<Var>& outs, bool print_type, int depth) {
        DebugPrintOptions o;
        o.print_type = print_type;
        o.max_depth = depth;
        return debugprint(outs, o);
      },
      nb::arg("outputs"), nb::arg("print_type") = true, nb::arg("depth") = -1);
}

}  // namespace theon::py
