// C++ API of the math op family (see src/ops/math.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
