// C++ API of the nnet op family (see src/ops/nnet.cpp).
#pragma once

#include "theon/graph/variable.hpp"

namespace theon {}  // namespace theon
