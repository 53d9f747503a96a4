// C++ API of the blas op family (see src/ops/blas.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
