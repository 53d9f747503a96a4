// C++ API of the join op family (see src/ops/join.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
