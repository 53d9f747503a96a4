// The steps of a scan whose body is one generated elementwise loop (a single Fused node whose
// native kernel is built), run without the VM: each operand's address at the first step and
// how it moves per step are worked out once, and one call of the kernel's generated step loop
// (codegen/emit.hpp) runs every remaining step, reading the sequences' and taps' rows in place
// and writing straight into the output rows. Through the VM a step costs microseconds (storage
// slots, array views, the kernel's shape checks, the copy of each output into its row).
#pragma once

#include <cstdint>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/core/value.hpp"
#include "theon/ops/scan_op.hpp"

namespace theon {

// Row i of a stacked array (a view).
NDArray scan_row(const NDArray& stack, int64_t i);

// Runs steps [first, n) of `scan` (inputs `in`, the op's outer inputs), whose steps before
// `first` the VM ran, so that the rows' shapes are known and checked: recurrent outputs go to
// their rows of `buffers` (rings where the spec keeps few rows) and stacked outputs to row t,
// as the VM path puts them. Returns false, having run nothing, when the body is not one
// installed generated elementwise loop with its step loop, or the loop does not suit it (carried
// values, `until`, a reduction, operands of other dtypes or shapes, rows the kernel would split
// across threads).
bool run_steps_in_generated_loop(const Scan& scan, const Program& program,
                                 const std::vector<Value>& in, const std::vector<NDArray>& buffers,
                                 int64_t first, int64_t n);

}  // namespace theon
