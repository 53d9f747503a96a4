// all_reduce_buckets: many tensors all-reduced in few calls. Each call costs a latency (and the
// argument check another), so gradients are flattened and joined into buckets of a bounded
// size, as data-parallel training does; the bound keeps a bucket's copy small.
#include <algorithm>

#include "theon/core/error.hpp"
#include "theon/ops/distributed.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// Indices of xs in buckets: consecutive, one dtype, at most `bucket_bytes` unless one tensor
// alone is larger (or of unknown size).
std::vector<std::vector<size_t>> plan_buckets(const std::vector<Var>& xs,
                                              const std::vector<int64_t>& counts,
                                              int64_t bucket_bytes) {
  std::vector<std::vector<size_t>> buckets;
  int64_t filled = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const DType dt = xs[i]->type.dtype;
    const int64_t bytes = counts[i] < 0 ? -1 : counts[i] * static_cast<int64_t>(itemsize(dt));
    const bool fits = !buckets.empty() && bytes >= 0 && filled >= 0 &&
                      xs[buckets.back().front()]->type.dtype == dt &&
                      bytes <= bucket_bytes - filled;
    if (fits) {
      buckets.back().push_back(i);
      filled += bytes;
    } else {
      buckets.push_back({i});
      filled = bytes;
    }
  }
  return buckets;
}

}  // namespace

std::vector<Var> all_reduce_buckets(const std::vector<Var>& xs,
                                    const std::vector<int64_t>& element_counts, ReduceOp op,
                                    int64_t bucket_bytes) {
  if (element_counts.size() != xs.size()) {
    throw ValueError("all_reduce_buckets: expected one element count per tensor (" +
                     std::to_string(xs.size()) + "), got " + std::to_string(element_counts.size()));
  }
  if (bucket_bytes < 1) {
    throw ValueError("all_reduce_buckets: bucket_bytes must be positive, got " +
                     std::to_string(bucket_bytes));
  }
  for (const Var& x : xs) {
    if (!x->type.is_tensor()) {
      throw TypeError("all_reduce_buckets: expected dense tensors, got " + x->type.str());
    }
  }
  std::vector<Var> out(xs.size());
  for (const std::vector<size_t>& bucket : plan_buckets(xs, element_counts, bucket_bytes)) {
    if (bucket.size() == 1) {
      out[bucket[0]] = all_reduce(xs[bucket[0]], op);
      continue;
    }
    std::vector<Var> flat, sizes;
    for (size_t i : bucket) {
      flat.push_back(flatten(xs[i], 1));
      sizes.push_back(size(xs[i]));
    }
    const Var reduced = all_reduce(join(0, flat), op);
    const std::vector<Var> parts =
        split(reduced, make_vector(sizes), static_cast<int64_t>(bucket.size()), 0);
    for (size_t k = 0; k < bucket.size(); ++k) {
      const TensorType& t = xs[bucket[k]]->type;
      const bool known = std::find(t.shape.begin(), t.shape.end(), kUnknownDim) == t.shape.end();
      out[bucket[k]] =
          known ? reshape(parts[k], t.shape) : reshape(parts[k], shape(xs[bucket[k]]), t.ndim());
    }
  }
  return out;
}

}  // namespace theon
