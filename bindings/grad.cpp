#include "theon/grad/grad.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/grad/verify.hpp"

namespace nb = nanobind;

namespace theon::py {

void bind_grad(nb::module_& m) {
  m.def(
      "grad",
      [](std::optional<Var> cost, const std::vector<Var>& wrt,
         const std::vector<Var>& consider_constant, const std::string& disconnected_inputs,
         const std::vector<std::pair<Var, Var>>& known_grads,
         const std::string& return_disconnected, const std::string& null_gradients,
         const std::string& where) {
        LocationScope scope(where);
        GradOptions o;
        o.consider_constant = consider_constant;
        o.disconnected_inputs = disconnected_inputs;
        o.known_grads = known_grads;
        o.return_disconnected = return_disconnected;
        o.null_gradients = null_gradients;
        GradResult r = grad_ex(cost.value_or(nullptr), wrt, o);
        nb::list grads;
        for (const auto& g : r.grads) grads.append(g ? nb::cast(g) : nb::none());
        return nb::make_tuple(grads, r.warnings);
      },
      nb::arg("cost").none(), nb::arg("wrt"), nb::arg("consider_constant"),
      nb::arg("disconnected_inputs"), nb::arg("known_grads"), nb::arg("return_disconnected"),
      nb::arg("null_gradients"), nb::arg("where") = "");
  m.def("Rop", [](const std::vector<Var>& f, const std::vector<Var>& wrt,
                  const std::vector<Var>& eval_points) { return Rop(f, wrt, eval_points); });
  m.def("jacobian", [](const Var& expression, const std::vector<Var>& wrt,
                       const std::string& disconnected_inputs) {
    return jacobian(expression, wrt, disconnected_inputs);
  });
  m.def("hessian",
        [](const Var& cost, const std::vector<Var>& wrt, const std::string& disconnected_inputs) {
          return hessian(cost, wrt, disconnected_inputs);
        });
  m.def(
      "verify_grad",
      [](const std::function<Var(const std::vector<Var>&)>& fun, const std::vector<nb::object>& pt,
         int n_tests, uint64_t seed, std::optional<double> eps, std::optional<double> abs_tol,
         std::optional<double> rel_tol) {
        std::vector<NDArray> values;
        for (const auto& p : pt) values.push_back(from_python(p).copy());
        VerifyGradOptions o;
        o.n_tests = n_tests;
        o.seed = seed;
        o.eps = eps;
        o.abs_tol = abs_tol;
        o.rel_tol = rel_tol;
        verify_grad(fun, values, o);
      },
      nb::arg("fun"), nb::arg("pt"), nb::arg("n_tests"), nb::arg("seed"), nb::arg("eps").none(),
      nb::arg("abs_tol").none(), nb::arg("rel_tol").none());
}

}  // namespace theon::py
