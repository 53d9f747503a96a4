// Collective ops: communication between the processes of a distributed run as graph nodes, so
// gradients flow through them and a compiled function exchanges data without returning to
// Python. Every rank must run the same graph (the ops run in schedule order, which is the same
// on every rank because the graph is). The host kernel is the op's perform, through the
// process's world (core/communicator.hpp); a device backend registers kernels for the op type
// names below by (op, DeviceKind) and reads the call from the CollectiveOp accessors.
#pragma once

#include <cstdint>
#include <vector>

#include "theon/core/communicator.hpp"
#include "theon/graph/op.hpp"

namespace theon {

class CollectiveOp : public Op {
 public:
  CollectiveOp(CollectiveKind kind, ReduceOp op, int root, int world_size)
      : kind_(kind), op_(op), root_(root), world_size_(world_size) {}
  CollectiveKind kind() const { return kind_; }
  ReduceOp reduce_op() const { return op_; }
  int root() const { return root_; }
  // The world size the static output shape was computed for (all_gather, reduce_scatter);
  // running in a world of another size is an error.
  int world_size() const { return world_size_; }

  // The output shape of one rank given its input's.
  virtual Shape output_shape(const Shape& input) const = 0;
  // The host kernel: the exchange through world() (output shape checked first).
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;

 protected:
  // Checks there is one input, a tensor, and returns its type.
  const TensorType& check_one_input(const std::vector<Var>& inputs) const;

 private:
  CollectiveKind kind_;
  ReduceOp op_;
  int root_;
  int world_size_;
};

// Whether a node of `op` communicates: such nodes are never folded at compile time.
bool is_collective(const Op& op);

// The op-wise combination of x over the ranks; every rank gets the result.
Var all_reduce(const Var& x, ReduceOp op = ReduceOp::Sum);
// The ranks' x concatenated along axis 0 in rank order.
Var all_gather(const Var& x);
// The root's x on every rank.
Var broadcast(const Var& x, int root = 0);
// The op-wise combination of x on the root; zeros on the other ranks (broadcast's adjoint).
Var reduce_to_root(const Var& x, ReduceOp op = ReduceOp::Sum, int root = 0);
// Rank r's block r (axis 0 split in world-size blocks) of the combination of x.
Var reduce_scatter(const Var& x, ReduceOp op = ReduceOp::Sum);

// all_reduce of several tensors in few calls: consecutive tensors of one dtype are flattened
// and joined into buckets of at most `bucket_bytes` (a tensor larger than that is a bucket of
// its own), each bucket all-reduced, and the results split and reshaped back. `element_counts`
// gives each tensor's number of elements (-1: unknown, a bucket of its own).
std::vector<Var> all_reduce_buckets(const std::vector<Var>& xs,
                                    const std::vector<int64_t>& element_counts, ReduceOp op,
                                    int64_t bucket_bytes);

}  // namespace theon
