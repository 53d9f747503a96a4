#include "theon/grad/verify.hpp"

#include <cmath>
#include <random>
#include <sstream>

#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/grad/grad.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/reduce.hpp"

namespace theon {
namespace {

double cost_at(const Var& cost, const std::vector<Var>& inputs, const std::vector<NDArray>& xs) {
  std::vector<std::pair<Var, NDArray>> values;
  for (size_t i = 0; i < inputs.size(); ++i) values.emplace_back(inputs[i], xs[i]);
  return evaluate({cost}, values)[0].flat_as_double(0);
}

}  // namespace

void verify_grad(const std::function<Var(const std::vector<Var>&)>& fun,
                 const std::vector<NDArray>& pt, const VerifyGradOptions& options) {
  bool low_precision = false;
  std::vector<Var> inputs;
  std::vector<NDArray> xs;
  for (size_t i = 0; i < pt.size(); ++i) {
    if (!is_float(pt[i].dtype())) {
      throw TypeError("verify_grad: input " + std::to_string(i) + " has dtype " +
                      std::string(dtype_name(pt[i].dtype())) +
                      "; only float inputs have gradients");
    }
    low_precision = low_precision || pt[i].dtype() == DType::Float32;
    // The test point's broadcastable pattern (Theano's rule): a dimension of size 1 is static,
    // so that ops needing one (dimshuffle dropping it, say) can be built; other sizes stay
    // unknown, so that the gradients are checked on the general graphs.
    StaticShape shape(pt[i].ndim(), kUnknownDim);
    for (int d = 0; d < pt[i].ndim(); ++d) {
      if (pt[i].shape()[d] == 1) shape[d] = 1;
    }
    inputs.push_back(make_input(TensorType(pt[i].dtype(), shape), "input" + std::to_string(i)));
    xs.push_back(pt[i].copy());
  }
  const double eps = options.eps.value_or(low_precision ? 1e-3 : 1e-7);
  const double abs_tol = options.abs_tol.value_or(low_precision ? 1e-2 : 1e-4);
  const double rel_tol = options.rel_tol.value_or(low_precision ? 1e-2 : 1e-4);

  const Var out = fun(inputs);
  if (!out) throw TypeError("verify_grad: the function returned no variable");
  const std::string op = out->owner ? out->owner->op()->name() : var_label(*out);
  std::vector<std::pair<Var, NDArray>> values;
  for (size_t i = 0; i < inputs.size(); ++i) values.emplace_back(inputs[i], xs[i]);
  const Shape out_shape = evaluate({out}, values)[0].shape();

  std::mt19937_64 gen(options.seed);
  std::uniform_real_distribution<double> unif(0.5, 1.5);
  for (int t = 0; t < options.n_tests; ++t) {
    NDArray projection = NDArray::empty(DType::Float64, out_shape);
    for (int64_t k = 0; k < projection.size(); ++k) projection.data<double>()[k] = unif(gen);
    // The projected cost is accumulated in float64 so float32 outputs lose nothing more there.
    const Var cost = sum(mul(cast(out, DType::Float64), constant(projection)));
    GradOptions go;
    go.disconnected_inputs = "ignore";
    const std::vector<Var> grads = grad(cost, inputs, go);
    const std::vector<NDArray> analytic = evaluate(grads, values);
    for (size_t i = 0; i < inputs.size(); ++i) {
      NDArray x = xs[i].copy();
      NDArray a = analytic[i].astype(DType::Float64);
      double worst = 0;
      int64_t worst_at = -1;
      double worst_a = 0, worst_n = 0;
      for (int64_t k = 0; k < x.size(); ++k) {
        // Sets element k of the C-contiguous copy; returns the value actually stored (float32
        // rounds the step, and the difference quotient must use the real step).
        auto set = [&](double v) {
          convert_strided(DType::Float64, reinterpret_cast<const char*>(&v), 0, x.dtype(),
                          x.raw() + k * static_cast<int64_t>(itemsize(x.dtype())), 0, 1);
          return x.flat_as_double(k);
        };
        const double x0 = xs[i].flat_as_double(k);
        std::vector<NDArray> trial = xs;
        trial[i] = x;
        const double x_up = set(x0 + eps);
        const double up = cost_at(cost, inputs, trial);
        const double x_down = set(x0 - eps);
        const double down = cost_at(cost, inputs, trial);
        set(x0);
        const double numeric = (up - down) / (x_up - x_down);
        const double analytic_k = a.flat_as_double(k);
        const double abs_err = std::abs(analytic_k - numeric);
        const double rel_err = abs_err / std::max(std::abs(analytic_k) + std::abs(numeric), 1e-300);
        const bool bad = !(abs_err <= abs_tol || rel_err <= rel_tol);
        if (bad && abs_err > worst) {
          worst = abs_err;
          worst_at = k;
          worst_a = analytic_k;
          worst_n = numeric;
        }
      }
      if (worst_at >= 0) {
        std::ostringstream msg;
        msg << "verify_grad: the gradient of " << op << " with respect to input " << i << " (shape "
            << shape_str(xs[i].shape()) << ", dtype " << dtype_name(xs[i].dtype())
            << ") disagrees with finite differences: at flat index " << worst_at << " analytic "
            << worst_a << ", numeric " << worst_n << " (abs error " << worst << "; tolerances abs "
            << abs_tol << ", rel " << rel_tol << ", eps " << eps << ", test " << t << ")";
        throw ValueError(msg.str());
      }
    }
  }
}

}  // namespace theon
