// Random draws. A generator state is a variable of its own type (a ValueKind, so it cannot be
// mixed into arithmetic): four uint32 words (seed low, seed high, stream, call count). Each
// random op takes a state and returns (new state, sample); the new state counts one more call.
// Element i of a draw comes from Philox-4x32-10 keyed by the seed at the counter (i, stream,
// call), so a draw does not depend on the number of threads or on how the graph is rewritten.
// Streams (theon.tensor.random) hold one state per draw in a shared variable whose
// default_update is the new state, so that every call of a function gives new numbers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "theon/core/dtype.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/type.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// The type of generator states.
TensorType generator_state_type();
bool is_generator_state(const TensorType& type);
// The value of a fresh state: call count 0.
NDArray generator_state_value(uint64_t seed, uint32_t stream);
// A shared variable holding a fresh state.
Var generator_state(uint64_t seed, uint32_t stream, const std::string& name = "");

struct RandomDraw {
  Var new_state;
  Var sample;
};

// A draw of the scalar distribution `distribution` ("uniform", "normal", "standard_normal",
// "truncated_normal", "beta", "gamma", "exponential", "binomial", "poisson", "integers"; see
// src/ops/random/distributions.cpp for their parameters), of shape `size` (an int vector;
// null: the parameters' broadcast shape), parameters broadcast to it. dtype: floatX (real
// distributions) or int64 (integer ones) by default.
RandomDraw random_draw(const std::string& distribution, const Var& state, const Var& size,
                       const std::vector<Var>& params, std::optional<DType> dtype = std::nullopt);

// One call's draw of a RandomVariable, its elements computed a range at a time: a fused loop
// draws a mask tile by tile this way (FusedDraw), with the values the op's kernel gives.
class DrawRanges {
 public:
  virtual ~DrawRanges() = default;
  virtual DType dtype() const = 0;
  virtual const Shape& shape() const = 0;
  // Elements [begin, end) of the draw in C order, into out[0 .. end - begin). Thread-safe.
  virtual void fill(int64_t begin, int64_t end, void* out) const = 0;
  // The whole draw into `slot` (reused when it fits), filled on the kernel threads.
  void sample_into(NDArray& slot) const;
};
// The draw of `op`, a RandomVariable, for its inputs (state, [size], params), checked as its
// kernel checks them; `new_state` receives the state after the call. TypeError for other ops.
std::unique_ptr<DrawRanges> draw_ranges(const Op& op, const std::vector<NDArray>& inputs,
                                        NDArray& new_state);

// The state after `calls` more calls (an integer scalar) of `state`.
Var advance_generator_state(const Var& state, const Var& calls);

// Counts of n trials over categories with probabilities pvals (last axis): shape
// size + (k,), or broadcast(n.shape, pvals.shape[:-1]) + (k,) without size.
RandomDraw random_multinomial(const Var& state, const Var& size, const Var& n, const Var& pvals,
                              DType dtype = DType::Int64);
// Samples of `a` (an int n: range(n); a vector: its elements), with probabilities p (null:
// uniform), with or without replacement; shape `size` (null: a scalar).
RandomDraw random_choice(const Var& state, const Var& size, const Var& a, const Var& p,
                         bool replace);
// Independent permutations of range(n), shape size + (n,).
RandomDraw random_permutation(const Var& state, const Var& size, const Var& n);
// x with the elements of each row (last axis) permuted independently.
RandomDraw random_shuffle_rows(const Var& state, const Var& x);

}  // namespace theon
