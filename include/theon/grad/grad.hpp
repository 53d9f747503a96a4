// Symbolic differentiation: reverse mode over the graph. Gradients are graphs, so they can be
// compiled, optimized and differentiated again.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

struct GradOptions {
  // Variables treated as constants: no gradient flows through them.
  std::vector<Var> consider_constant;
  // What to do when the cost does not depend on a `wrt` variable: "raise", "warn", "ignore".
  std::string disconnected_inputs = "raise";
  // Gradients of the cost with respect to intermediate variables, given by the caller; they
  // are propagated from there (the cost may then be null).
  std::vector<std::pair<Var, Var>> known_grads;
  // What a disconnected `wrt` gets: "zero" (zeros of its shape), "none" or "disconnected"
  // (both give a null result).
  std::string return_disconnected = "zero";
  // When the gradient passes through an op that has none: "raise" or "return" (null result
  // for the affected `wrt`).
  std::string null_gradients = "raise";
};

struct GradResult {
  std::vector<Var> grads;             // one per wrt; null where none is returned
  std::vector<std::string> warnings;  // with disconnected_inputs="warn"
};

// d cost / d wrt[i]. `cost` must be a float scalar (unless known_grads is given). Integer and
// boolean wrt get zeros (they are not differentiable).
GradResult grad_ex(const Var& cost, const std::vector<Var>& wrt, const GradOptions& options = {});
std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt,
                      const GradOptions& options = {});
Var grad(const Var& cost, const Var& wrt, const GradOptions& options = {});

// L-operator: sum_j eval_points[j] * d f[j] / d wrt (a vector-Jacobian product).
std::vector<Var> Lop(const std::vector<Var>& f, const std::vector<Var>& wrt,
                     const std::vector<Var>& eval_points);
// R-operator: d f / d wrt applied to eval_points (a Jacobian-vector product), derived from two
// L-operators.
std::vector<Var> Rop(const std::vector<Var>& f, const std::vector<Var>& wrt,
                     const std::vector<Var>& eval_points);

// The Jacobian of `expression` with respect to each wrt: shape expression.shape + wrt.shape.
std::vector<Var> jacobian(const Var& expression, const std::vector<Var>& wrt,
                          const std::string& disconnected_inputs = "raise");
// The Hessian of the scalar `cost` with respect to each wrt: shape wrt.shape + wrt.shape.
std::vector<Var> hessian(const Var& cost, const std::vector<Var>& wrt,
                         const std::string& disconnected_inputs = "raise");

}  // namespace theon
