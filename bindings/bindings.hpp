// The parts of the theon._core module, one file each.
#pragma once

#include <nanobind/nanobind.h>

#include "theon/core/error.hpp"

namespace theon::py {

// Sets the Python exception of the class matching e.kind() (TypeError, ValueError, ...).
void set_python_error(const Error& e);

void bind_graph(nanobind::module_& m);     // Variable, TensorType, Apply, build, constants
void bind_function(nanobind::module_& m);  // Function, shared values
void bind_config(nanobind::module_& m);    // config flags, printing
void bind_grad(nanobind::module_& m);      // grad, Rop, jacobian, hessian, verify_grad
void bind_indexing(nanobind::module_& m);  // getitem: Python index keys parsed into C++ keys
void bind_python_op(nanobind::module_& m);  // ops whose perform/grad/infer_shape are Python
void bind_op_from_graph(nanobind::module_& m);  // OpFromGraph
void bind_sparse(nanobind::module_& m);  // sparse matrix variables and scipy.sparse values
void bind_distributed(nanobind::module_& m);  // the distributed world, bucketed all-reduce

}  // namespace theon::py
