// Constant basic indices (ints and slices with constant parts) and the sizes they leave, so a
// rewrite through slices can show that two values have the same size along a dimension for
// every run-time size, not only where the static shape knows it (private to src/rewrite).
#pragma once

#include <optional>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::rewrite_util {

using Bound = std::optional<int64_t>;

// One basic entry with constant parts (Int: start holds the index).
struct Basic {
  bool is_int = false;
  Bound start, stop, step;
  bool full() const { return !is_int && (!start || *start == 0) && !stop && (!step || *step == 1); }
  bool unit_step() const { return !is_int && (!step || *step == 1); }
};

// The entries of an index over every dimension of an ndim-d value, or nullopt unless all are
// ints and slices with constant parts.
std::optional<std::vector<Basic>> basic_entries(const IndexSpec& spec, int ndim);

// Python's slice.indices(n) and the slice's length.
struct Range {
  int64_t start, step, len;
};
Range slice_range(const Basic& b, int64_t n);

Index to_index(const Basic& b);

// The size of a value along one dimension: a known size, or the length that a chain of
// constant slices leaves of a root value's dimension, whatever that dimension's size.
struct DimSize {
  int64_t known = kUnknownDim;
  const Variable* root = nullptr;
  int dim = 0;
  std::vector<Basic> slices;  // applied in order to the root's size
  int64_t length(int64_t n) const;
};

// s after the slice b.
DimSize sliced(DimSize s, const Basic& b);

// Follows slices, elementwise ops whose operands agree (no broadcasting), Alloc, Fill and
// IncSubtensor back to the value whose size they take.
DimSize dim_size(const Var& v, int d);

// True when a and b are the same for every size of their root: with steps of 1 or -1 the
// lengths are piecewise linear in it with breaks below the sum of the constants' magnitudes, so
// checking every size up to past that bound checks them all (other steps: false).
bool same_size(const DimSize& a, const DimSize& b);

// True when the graph is compiled for the host (config.device is the CPU). The views and unset
// arrays the slice rewrites build (BroadcastView, AllocEmpty) have host kernels only: with a
// device target those rewrites hold back rather than bring values back to the host.
bool host_target();

// x's dimensions as int64 scalars: the static sizes, else what x's op infers from its inputs'
// dimensions (so that asking for them does not compute x), else shape_i(x, d).
std::vector<Var> inferred_dims(const Var& x);

}  // namespace theon::rewrite_util
