// C++ API of the subtensor op family (see src/ops/subtensor.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
