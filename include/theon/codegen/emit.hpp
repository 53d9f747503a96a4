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

// The definition of one kernel with the FusedKernelFn signature, named `symbol`: `extern "C"`,
// or when not `exported` a static function for other code of the module to call.
std::string emit_kernel(const Fused& op, const std::string& symbol, bool exported = true);

// A step loop (FusedStepLoopFn) of the op's kernel (not a reduction), `extern "C"`, named
// `symbol`.
std::string emit_step_loop(const Fused& op, const std::string& symbol);

// What a kernel's step loop is named: the kernel's symbol and this.
inline constexpr const char* kStepLoopSuffix = "_steps";

// A whole translation unit: the scalar functions, then each (op, symbol) kernel, and with
// `step_loops` the step loop of each kernel that does not reduce.
std::string emit_module(const std::vector<std::pair<const Fused*, std::string>>& kernels,
                        bool step_loops = false);

}  // namespace theon::codegen
