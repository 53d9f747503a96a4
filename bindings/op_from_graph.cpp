#include "theon/ops/op_from_graph.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "theon/graph/variable.hpp"

namespace nb = nanobind;

namespace theon::py {

void bind_op_from_graph(nb::module_& m) {
  nb::class_<OpFromGraph>(m, "OpFromGraphOp")
      .def(
          "__call__",
          [](const OpFromGraph& op, const std::vector<Var>& inputs, const std::string& where) {
            LocationScope scope(where);
            return op(inputs);
          },
          nb::arg("inputs"), nb::arg("where") = "")
      .def("__eq__", [](const OpFromGraph& a, const OpFromGraph& b) { return a.equals(b); })
      .def("__hash__", [](const OpFromGraph& op) { return op.hash(); })
      .def("__str__", [](const OpFromGraph& op) { return op.name(); })
      .def_prop_ro(
          "inputs",
          [](const OpFromGraph& op) {
            return std::vector<Var>(
                op.inner_inputs().begin(),
                op.inner_inputs().begin() + static_cast<std::ptrdiff_t>(op.num_explicit_inputs()));
          })
      .def_prop_ro("outputs", [](const OpFromGraph& op) { return op.inner_outputs(); })
      .def_prop_ro("shared_inputs", [](const OpFromGraph& op) { return op.shared_inputs(); })
      .def_prop_ro("is_inline", &OpFromGraph::inline_graph);
  m.def(
      "op_from_graph",
      [](const std::vector<Var>& inputs, const std::vector<Var>& outputs, bool inline_graph,
         const std::string& name, const std::vector<Var>& lop_inputs, nb::list lop_outputs) {
        std::vector<Var> grads;
        for (nb::handle g : lop_outputs) grads.push_back(g.is_none() ? nullptr : nb::cast<Var>(g));
        OpFromGraphOptions options{inline_graph, name, lop_inputs, std::move(grads)};
        return std::make_shared<OpFromGraph>(inputs, outputs, std::move(options));
      },
      nb::arg("inputs"), nb::arg("outputs"), nb::arg("inline_graph"), nb::arg("name"),
      nb::arg("lop_inputs"), nb::arg("lop_outputs"),
      "An op defined by the graph from inputs to outputs; lop_inputs (the inputs, then one "
      "gradient per output) to lop_outputs (one gradient per input, None for none) replaces "
      "its gradient when given.");
}

}  // namespace theon::py
