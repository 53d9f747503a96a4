// C++ API of the reduce op family (see src/ops/reduce.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
