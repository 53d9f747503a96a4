// Transfer: x moved to another device (Theano's x.transfer('cpu'), theon.tensor.transfer(x,
// target)). The op only retypes its input; the copies are kernels of the device layer
// (src/device/transfer_kernels.cpp), registered by device like every device kernel.
#pragma once

#include "theon/core/device.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// x on `target` (x itself when it is there already).
Var transfer(const Var& x, Device target);

}  // namespace theon
