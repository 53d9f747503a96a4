// Ops that gradients are built from: summing a gradient back to the shape of a broadcast
// input, the gradient modifiers (zero_grad, disconnected_grad, grad_clip, grad_scale), and a
// loop over a range used by jacobian and hessian.
#pragma once

#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// `g` (an output-shaped gradient) summed over the dimensions that NumPy broadcasting added to
// or stretched in `like`, so that the result has like's shape (known only at run time when
// like's static shape is not). Returns g itself when the static shapes prove nothing was
// broadcast.
Var sum_to_shape(const Var& g, const Var& like);
// The same with the target shape as int64 scalars and its static shape given: what the shape
// rewrites turn sum_to_shape into, so that the model tensor need not be computed or kept.
Var sum_to_dims(const Var& g, const std::vector<Var>& dims, const StaticShape& static_shape);

// Identity in the forward pass; the gradient through them is zero, disconnected (none),
// clipped to [lo, hi], or multiplied by `scale`.
Var zero_grad(const Var& x);
Var disconnected_grad(const Var& x);
Var grad_clip(const Var& x, double lo, double hi);
Var grad_scale(const Var& x, double scale);

// For i in range(n): evaluates `body` (a graph that may use `index`, an int64 scalar input,
// and any other variables of the enclosing graph) and stacks the results along a new first
// axis. Each body output becomes one output of shape (n, *body shape).
std::vector<Var> map_range(const Var& n, const Var& index, const std::vector<Var>& body);

}  // namespace theon
