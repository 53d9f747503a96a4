// Theon: symbolic tensor expressions compiled into fast callables. The one header to include.
#pragma once

#include "theon/compile/function.hpp"
#include "theon/compile/shared.hpp"
#include "theon/core/config.hpp"
#include "theon/core/dtype.hpp"
#include "theon/core/error.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/printing.hpp"
#include "theon/graph/registry.hpp"
#include "theon/graph/type.hpp"
#include "theon/graph/variable.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/tensor_types.hpp"
