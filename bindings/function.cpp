#include "theon/compile/function.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <unordered_map>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "sparse_interop.hpp"
#include "theon/compile/saved_function.hpp"
#include "theon/compile/shared.hpp"
#include "theon/core/error.hpp"
#include "theon/device/shared.hpp"
#include "theon/graph/printing.hpp"
#include "theon/ops/random.hpp"

namespace nb = nanobind;

namespace theon::py {
namespace {

// The Python face of a compiled function: argument conversion and the call stay in C++ so
// that a call costs microseconds.
class PyFunction {
 public:
  PyFunction(std::shared_ptr<Function> fn, bool single) : fn_(std::move(fn)), single_(single) {
    for (size_t i = 0; i < fn_->inputs().size(); ++i) {
      const std::string& name = fn_->inputs()[i].name;
      if (!name.empty()) positions_.emplace(name, i);
    }
  }

  // args: a tuple; kwargs: a dict or null.
  nb::object call(nb::handle args, nb::handle kwargs) {
    const size_t n = fn_->inputs().size();
    const size_t nargs = static_cast<size_t>(PyTuple_GET_SIZE(args.ptr()));
    if (nargs > n) {
      throw TypeError(label() + " takes " + std::to_string(n) + " arguments, got " +
                      std::to_string(nargs));
    }
    // An argument is given once its value is defined. Origins stay empty (all arrays, what
    // call_values assumes of missing entries) unless some argument is Python data: a tiny
    // call's cost is mostly such small allocations.
    std::vector<Value> values(n);
    std::vector<ArgOrigin> origins;
    auto take = [&](size_t i, nb::handle obj) {
      if (!fn_->inputs()[i].variable->type.is_tensor() && is_scipy_sparse(obj)) {
        const Type& type = fn_->inputs()[i].variable->type;
        values[i] = Value(sparse_from_python(obj, argument_label(i), std::nullopt, type.dtype));
        return;
      }
      values[i] = from_python_arg(obj, [&] { return argument_label(i); });
      if (!is_ndarray(obj.ptr()) && !nb::hasattr(obj, "dtype")) {
        if (origins.empty()) origins.assign(n, ArgOrigin::Array);
        origins[i] = ArgOrigin::PythonData;
      }
    };
    for (size_t i = 0; i < nargs; ++i) take(i, PyTuple_GET_ITEM(args.ptr(), i));
    if (kwargs.ptr()) {
      for (auto [key, value] : nb::borrow<nb::dict>(kwargs)) {
        std::string k = nb::cast<std::string>(key);
        auto it = positions_.find(k);
        if (it == positions_.end()) {
          throw TypeError(label() + " got an unexpected keyword argument '" + k + "'");
        }
        if (values[it->second].defined()) {
          throw TypeError(label() + " got multiple values for argument '" + k + "'");
        }
        take(it->second, value);
      }
    }
    std::vector<Value> outs;
    {
      nb::gil_scoped_release release;
      outs = fn_->call_values(values, origins);
    }
    if (single_) return value_to_python(outs[0], values);
    nb::list result;
    for (const auto& o : outs) result.append(value_to_python(o, values));
    return result;
  }

  std::string label() const {
    return fn_->name().empty() ? "theon function" : "theon function '" + fn_->name() + "'";
  }
  // "theon function 'f': argument 2 ('y', TensorType(float64, shape=(None,)))": the position
  // from 1, as Python counts.
  std::string argument_label(size_t i) const {
    const In& in = fn_->inputs()[i];
    const std::string& name = in.name.empty() ? in.variable->name : in.name;
    return label() + ": argument " + std::to_string(i + 1) + " (" +
           (name.empty() ? std::string() : "'" + name + "', ") + in.variable->type.str() + ")";
  }
  const std::shared_ptr<Function>& fn() const { return fn_; }
  bool single() const { return single_; }

 private:
  std::shared_ptr<Function> fn_;
  bool single_;
  std::unordered_map<std::string, size_t> positions_;
};

// tp_call of Function: called by CPython directly, without the method lookup and argument
// packing of a bound __call__, since call overhead is what a tiny function costs.
PyObject* function_tp_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  try {
    return nb::inst_ptr<PyFunction>(self)->call(args, kwargs).release().ptr();
  } catch (nb::python_error& e) {
    e.restore();
  } catch (const Error& e) {
    set_python_error(e);
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

PyType_Slot function_slots[] = {{Py_tp_call, reinterpret_cast<void*>(&function_tp_call)},
                                {0, nullptr}};

}  // namespace

void bind_function(nb::module_& m) {
  nb::class_<ProfileStats>(m, "ProfileStats")
      .def(
          "summary",
          [](const ProfileStats& p, nb::object file, size_t n_ops_to_print,
             size_t n_apply_to_print) {
            // Theano's signature: written to `file`, sys.stderr when None (read at the call,
            // so redirections apply); file='str' only returns the text.
            std::string text = p.summary(n_ops_to_print, n_apply_to_print);
            if (file.is_none()) file = nb::module_::import_("sys").attr("stderr");
            if (!nb::isinstance<nb::str>(file)) {
              file.attr("write")(nb::str(text.c_str(), text.size()));
            }
            return text;
          },
          nb::arg("file") = nb::none(), nb::arg("n_ops_to_print") = 20,
          nb::arg("n_apply_to_print") = 20)
      .def_ro("function_name", &ProfileStats::function_name)
      .def_ro("import_time", &ProfileStats::import_seconds)
      .def_ro("rewrite_time", &ProfileStats::rewrite_seconds)
      .def_ro("codegen_time", &ProfileStats::codegen_seconds)
      .def_ro("link_time", &ProfileStats::link_seconds)
      .def_ro("kernels", &ProfileStats::kernels)
      .def_prop_ro("compile_time",
                   [](const ProfileStats& p) {
                     return p.import_seconds + p.rewrite_seconds + p.codegen_seconds +
                            p.link_seconds;
                   })
      .def_ro("calls", &ProfileStats::calls)
      .def_ro("vm_time", &ProfileStats::run_seconds)
      .def_ro("peak_bytes", &ProfileStats::peak_bytes)
      .def_ro("timer_overhead", &ProfileStats::timer_seconds)
      .def_prop_ro("node_time", &ProfileStats::node_seconds)
      .def_prop_ro("nodes", [](const ProfileStats& p) {
        std::vector<std::tuple<std::string, std::string, std::string, double, int64_t>> out;
        for (const auto& n : p.nodes)
          out.emplace_back(n.op, n.op_type, n.where, n.seconds, n.calls);
        return out;
      })
      // What ran each node (in the order of `nodes`): "perform", "device elementwise",
      // "host fallback (no opencl0:0 kernel)", ...
      .def_prop_ro("node_kernels", [](const ProfileStats& p) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& n : p.nodes) out.emplace_back(n.op, n.kernel);
        return out;
      });

  nb::class_<PyFunction>(m, "Function", nb::dynamic_attr(), nb::type_slots(function_slots),
                         "A compiled function (made by theon.function): call it with arrays.\n"
                         "\n"
                         "Arguments are given positionally or by the inputs' names; the result\n"
                         "is an array, or a list for a list of outputs.\n"
                         "\n"
                         "Examples\n"
                         "--------\n"
                         ">>> x = T.dvector('x')\n"
                         ">>> f = theon.function([x], x * 2, name='double')\n"
                         ">>> f([1., 2.]), f(x=[3.])\n"
                         "(array([2., 4.]), array([6.]))\n"
                         ">>> f.name, f.input_names\n"
                         "('double', ['x'])")
      .def_prop_ro(
          "name", [](const PyFunction& f) { return f.fn()->name(); },
          "The name given to theon.function, shown in profiles and errors.")
      .def_prop_ro(
          "input_names",
          [](const PyFunction& f) {
            std::vector<std::string> names;
            for (const auto& in : f.fn()->inputs()) names.push_back(in.name);
            return names;
          },
          "The keyword of each argument, in order.")
      .def_prop_ro(
          "inputs",
          [](const PyFunction& f) {
            std::vector<Var> vs;
            for (const auto& in : f.fn()->inputs()) vs.push_back(in.variable);
            return vs;
          },
          "The input variables, in order.")
      .def_prop_ro(
          "graph_outputs", [](const PyFunction& f) { return f.fn()->graph().outputs(); },
          "The outputs of the optimized graph.")
      .def_prop_ro(
          "warnings", [](const PyFunction& f) { return f.fn()->warnings(); },
          "The warnings compiling gave (they were also issued as Python warnings).")
      .def(
          "wait_for_kernels",
          [](const PyFunction& f) {
            nb::gil_scoped_release release;
            return f.fn()->native().wait();
          },
          "Blocks until the generated kernels are compiled and installed.\n"
          "\n"
          "Returns\n"
          "-------\n"
          "bool\n"
          "    False if there are none or they failed (the function then runs its precompiled\n"
          "    kernels).\n"
          "\n"
          "Examples\n"
          "--------\n"
          ">>> x = T.dvector('x')\n"
          ">>> f = theon.function([x], T.exp(x) * 2)\n"
          ">>> isinstance(f.wait_for_kernels(), bool)\n"
          "True")
      .def_prop_ro(
          "kernels",
          [](const PyFunction& f) {
            const codegen::NativeBuild& n = f.fn()->native();
            nb::dict d;
            d["state"] = !n.done()           ? "compiling"
                         : n.installed()     ? "installed"
                         : n.error().empty() ? "none"
                                             : "failed";
            d["from_cache"] = n.from_cache();
            d["error"] = n.error();
            d["source"] = n.source();
            d["key"] = kernel_key(*f.fn());
            return d;
          },
          "The generated kernels, a dict of state, from_cache, error, source and key (the kernel "
          "cache's key, which a saved function records).")
      .def_prop_ro(
          "profile",
          [](const PyFunction& f) {
            nb::gil_scoped_release release;  // waits for a running call
            return f.fn()->profile();
          },
          "The ProfileStats of a profiled function (profile=True), else None.")
      .def_prop_ro(
          "rewrites_applied",
          [](const PyFunction& f) {
            std::vector<std::tuple<std::string, std::string, std::string>> out;
            for (const auto& e : f.fn()->history().entries()) {
              out.emplace_back(e.rewrite, e.before, e.after);
            }
            return out;
          },
          "(rewrite, before, after) for each rewrite compiling applied, in order.")
      .def(
          "debugprint",
          [](const PyFunction& f, bool print_type, bool print_rewrites) {
            DebugPrintOptions o;
            o.print_type = print_type;
            if (print_rewrites) {
              const RewriteHistory& h = f.fn()->history();
              o.annotate = [&h](const Apply* node) { return h.built_by(node); };
            }
            return debugprint(f.fn()->graph().outputs(), o);
          },
          nb::arg("print_type") = true, nb::arg("print_rewrites") = false,
          "The optimized graph as text, one node a line (theon.printing.debugprint).\n"
          "\n"
          "Parameters\n"
          "----------\n"
          "print_type : bool\n"
          "    Show each variable's type.\n"
          "print_rewrites : bool\n"
          "    Mark each node built by a rewrite with the rewrite's name.\n"
          "\n"
          "Returns\n"
          "-------\n"
          "str\n"
          "\n"
          "Examples\n"
          "--------\n"
          ">>> x = T.dvector('x')\n"
          ">>> f = theon.function([x], T.exp(x))\n"
          ">>> 'exp' in f.debugprint()\n"
          "True");

  m.def(
      "function",
      [](const std::vector<Var>& inputs, const std::vector<std::optional<std::string>>& names,
         const std::vector<nb::object>& defaults, const std::vector<Var>& outputs,
         const std::vector<bool>& borrow, bool single,
         const std::vector<std::pair<Var, Var>>& updates,
         const std::vector<std::pair<Var, Var>>& givens, bool allow_input_downcast,
         const std::string& on_unused_input, const std::string& name, const std::string& mode,
         const std::vector<std::string>& including, const std::vector<std::string>& excluding,
         std::optional<bool> profile, double nan_guard_big, bool no_default_updates,
         const std::vector<Var>& no_default_updates_for) {
        std::vector<In> ins;
        for (size_t i = 0; i < inputs.size(); ++i) {
          std::optional<NDArray> value;
          if (i < defaults.size() && !defaults[i].is_none())
            value = from_python(defaults[i]).copy();
          ins.emplace_back(inputs[i], i < names.size() ? names[i].value_or("") : "", value);
        }
        std::vector<Out> outs;
        for (size_t i = 0; i < outputs.size(); ++i) {
          outs.emplace_back(outputs[i], i < borrow.size() && borrow[i]);
        }
        FunctionOptions opts;
        opts.updates = updates;
        opts.givens = givens;
        opts.allow_input_downcast = allow_input_downcast;
        opts.on_unused_input = on_unused_input;
        opts.name = name;
        opts.mode.name = mode;
        opts.mode.including.insert(including.begin(), including.end());
        opts.mode.excluding.insert(excluding.begin(), excluding.end());
        opts.mode.nan_guard_big = nan_guard_big;
        opts.profile = profile;
        opts.no_default_updates = no_default_updates;
        opts.no_default_updates_for = no_default_updates_for;
        return PyFunction(function(std::move(ins), std::move(outs), std::move(opts)), single);
      },
      nb::arg("inputs"), nb::arg("names"), nb::arg("defaults"), nb::arg("outputs"),
      nb::arg("borrow"), nb::arg("single"), nb::arg("updates"), nb::arg("givens"),
      nb::arg("allow_input_downcast"), nb::arg("on_unused_input"), nb::arg("name"),
      nb::arg("mode") = "", nb::arg("including") = std::vector<std::string>{},
      nb::arg("excluding") = std::vector<std::string>{}, nb::arg("profile") = nb::none(),
      nb::arg("nan_guard_big") = 0.0, nb::arg("no_default_updates") = false,
      nb::arg("no_default_updates_for") = std::vector<Var>{});

  m.def(
      "save_function",
      [](const PyFunction& f) {
        std::vector<Var> leaves;
        const std::string bytes = save_function(*f.fn(), leaves);
        return std::make_tuple(nb::bytes(bytes.data(), bytes.size()), leaves, f.single());
      },
      "(bytes, leaves, single): the function's rewritten graph and settings, its inputs and "
      "shared variables kept outside (see load_function).");
  m.def(
      "load_function",
      [](nb::bytes bytes, const std::vector<Var>& leaves, bool single) {
        std::string key;
        std::shared_ptr<Function> fn = load_function(
            std::string(static_cast<const char*>(bytes.data()), bytes.size()), leaves, &key);
        return std::make_pair(PyFunction(std::move(fn), single), key);
      },
      nb::arg("bytes"), nb::arg("leaves"), nb::arg("single"),
      "(function, the kernels' cache key when saved), linked without rewriting.");
  m.def(
      "set_default_update", [](const Var& v, const Var& update) { set_default_update(v, update); },
      nb::arg("variable"), nb::arg("update").none());
  m.def(
      "default_update", [](const Var& v) { return default_update(v); }, nb::arg("variable"));
  m.def(
      "generator_state",
      [](uint64_t seed, uint32_t stream, const std::string& name, const std::string& where) {
        LocationScope scope(where);
        return generator_state(seed, stream, name);
      },
      nb::arg("seed"), nb::arg("stream"), nb::arg("name") = "", nb::arg("where") = "");
  m.def(
      "shared",
      [](nb::handle value, std::optional<std::string> name, bool borrow,
         std::optional<std::vector<std::optional<int64_t>>> shape, const std::string& where,
         const std::string& target) {
        LocationScope scope(where);
        if (is_scipy_sparse(value)) return shared_sparse(value, name.value_or(""), borrow);
        NDArray v = from_python_arg(value, [&] {
          return "shared" + (name ? " '" + *name + "'" : std::string()) + ": the value";
        });
        std::optional<StaticShape> st;
        if (shape) {
          StaticShape s;
          for (const auto& d : *shape) s.push_back(d.value_or(kUnknownDim));
          st = s;
        }
        const Device device = parse_device(target);
        if (!device.is_cpu()) return device::shared_on_device(v, device, name.value_or(""), st);
        // A borrowed NumPy array is shared as is; anything else (or no borrow) is copied.
        return shared(v, name.value_or(""), borrow, st);
      },
      nb::arg("value").none(), nb::arg("name") = nb::none(), nb::arg("borrow") = false,
      nb::arg("shape") = nb::none(), nb::arg("where") = "", nb::arg("target") = "cpu");
  // get_value and set_value wait for the shared value's lock without the GIL: a call holding
  // the lock may need the GIL to drop a NumPy array.
  m.def(
      "get_value",
      [](const Var& v, bool borrow) -> nb::object {
        if (is_sparse(v->type)) return get_sparse_value(v, borrow);
        NDArray value;
        {
          nb::gil_scoped_release release;
          value = v->type.device.is_cpu() ? get_value(v, borrow) : device::get_device_value(v);
        }
        return to_numpy(value);
      },
      nb::arg("variable"), nb::arg("borrow") = false);
  m.def(
      "set_value",
      [](const Var& v, nb::handle value, bool borrow) {
        if (is_sparse(v->type)) return set_sparse_value(v, value, borrow);
        NDArray a = from_python_arg(value, [&] {
          return "set_value of shared variable " + (v->name.empty() ? "" : "'" + v->name + "' ") +
                 "(" + v->type.str() + ")";
        });
        if (a.dtype() != v->type.dtype && can_cast_safe(a.dtype(), v->type.dtype)) {
          a = a.astype(v->type.dtype);
          borrow = true;
        }
        nb::gil_scoped_release release;
        if (!v->type.device.is_cpu()) return device::set_device_value(v, a);
        set_value(v, a, borrow);
      },
      nb::arg("variable"), nb::arg("value").none(), nb::arg("borrow") = false);
}

}  // namespace theon::py
