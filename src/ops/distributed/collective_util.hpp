// Checks the collective op files share: inputs, the reduction parameter of a builder, and the
// world size read back from a serialized graph.
#pragma once

#include <string>

#include "theon/graph/props.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/distributed.hpp"

namespace theon {

// Throws TypeError naming `op` when it reduces by mean and `input` is not a float type.
void check_mean_input(const CollectiveOp& op, const TensorType& input);

// Throws TypeError naming `op` when `input` has no axis 0 (the axis the op `verb`, e.g.
// "gathered", along).
void check_has_axis0(const CollectiveOp& op, const TensorType& input, const std::string& verb);

// A builder's "op" parameter ("sum" when absent); ValueError naming `who` for another name.
ReduceOp reduce_op_param(const Params& params, const std::string& who);

// The "world_size" field of a factory's properties: a positive int, else ValueError.
int world_size_field(const PropReader& fields);

}  // namespace theon
