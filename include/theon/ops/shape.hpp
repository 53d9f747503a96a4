// C++ API of the shape op family (see src/ops/shape.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
