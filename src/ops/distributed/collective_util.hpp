// Checks the collective op files share: the input of a mean, and the world size read back
// from a serialized graph.
#pragma once

#include "theon/graph/props.hpp"
#include "theon/ops/distributed.hpp"

namespace theon {

// Throws TypeError naming `op` when it reduces by mean and `input` is not a float type.
void check_mean_input(const CollectiveOp& op, const TensorType& input);

// The "world_size" field of a factory's properties: a positive int, else ValueError.
int world_size_field(const PropReader& fields);

}  // namespace theon
