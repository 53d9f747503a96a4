// The C++ emitter: turns Fused ops into the source of native kernels.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "theon/ops/fused.hpp"

namespace theon::codegen {

// The C type a generated kernel uses for a dtype ("double", "int64_t", "bool", ...).
const char* c_type(DType dtype);

// A scalar op's C expression with {0}, {1}, ... replaced by the (parenthesized) arguments and
// {T} by the compute type; the device kernels generate from the same table.
std::string expand_c_expr(const std::string& pattern, const std::vector<std::string>& args,
                          const std::string& type);

// The definition of one kernel, `extern "C"` with the FusedKernelFn signature, named `symbol`.
std::string emit_kernel(const Fused& op, const std::string& symbol);

// A whole translation unit: the scalar functions, then each (op, symbol) kernel.
std::string emit_module(const std::vector<std::pair<const Fused*, std::string>>& kernels);

}  // namespace theon::codegen
