// C++ API of the sort op family (see src/ops/sort.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
