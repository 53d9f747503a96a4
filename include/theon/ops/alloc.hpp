// C++ API of the alloc op family (see src/ops/alloc.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
