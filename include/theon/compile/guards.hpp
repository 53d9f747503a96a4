// Run-time checks installed on the VM after every node: NanGuardMode (NaN/Inf/huge values in
// float outputs) and DebugMode (inputs left unchanged, no undeclared aliasing, a second run on
// copies agrees, a generated kernel agrees with its member ops' reference kernels; DebugMode
// waits for the generated kernels so that they are the ones checked). Each raises ValueError naming
// the node (op and where it was built).
#pragma once

#include <memory>

#include "theon/runtime/vm.hpp"

namespace theon {

// big > 0: values with |x| > big are errors too.
std::shared_ptr<InstructionHook> make_nan_guard(bool nan = true, bool inf = true, double big = 0);
std::shared_ptr<InstructionHook> make_debug_checks();

}  // namespace theon
