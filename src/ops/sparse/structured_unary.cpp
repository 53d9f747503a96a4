// Structured elementwise functions of a sparse matrix: f applied to the stored values only,
// keeping the positions (Theano's sparse neg, sqrt, abs, sin, tanh, ... and structured_exp,
// structured_log, structured_sigmoid). The gradient is g's values times f' of x's values,
// at x's positions (StructuredUnaryGrad).
#include <cmath>
#include <map>
#include <numbers>

#include "sparse_detail.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

struct UnaryFn {
  double (*f)(double);
  double (*df)(double);  // f'(x)
};

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// One row per function: its value and derivative, in double.
const std::map<std::string, UnaryFn>& unary_table() {
  static const std::map<std::string, UnaryFn> table = {
      {"neg", {[](double x) { return -x; }, [](double) { return -1.0; }}},
      {"abs", {[](double x) { return std::fabs(x); }, [](double x) { return double((x > 0) - (x < 0)); }}},
      {"sqrt", {[](double x) { return std::sqrt(x); }, [](double x) { return 0.5 / std::sqrt(x); }}},
      {"sqr", {[](double x) { return x * x; }, [](double x) { return 2 * x; }}},
      {"sin", {[](double x) { return std::sin(x); }, [](double x) { return std::cos(x); }}},
      {"tan", {[](double x) { return std::tan(x); }, [](double x) { return 1 + std::tan(x) * std::tan(x); }}},
      {"arcsin", {[](double x) { return std::asin(x); }, [](double x) { return 1 / std::sqrt(1 - x * x); }}},
      {"arctan", {[](double x) { return std::atan(x); }, [](double x) { return 1 / (1 + x * x); }}},
      {"sinh", {[](double x) { return std::sinh(x); }, [](double x) { return std::cosh(x); }}},
      {"arcsinh", {[](double x) { return std::asinh(x); }, [](double x) { return 1 / std::sqrt(x * x + 1); }}},
      {"tanh", {[](double x) { return std::tanh(x); }, [](double x) { return 1 - std::tanh(x) * std::tanh(x); }}},
      {"arctanh", {[](double x) { return std::atanh(x); }, [](double x) { return 1 / (1 - x * x); }}},
      {"expm1", {[](double x) { return std::expm1(x); }, [](double x) { return std::exp(x); }}},
      {"log1p", {[](double x) { return std::log1p(x); }, [](double x) { return 1 / (1 + x); }}},
      {"sgn", {[](double x) { return std::isnan(x) ? x : double((x > 0) - (x < 0)); }, [](double) { return 0.0; }}},
      {"ceil", {[](double x) { return std::ceil(x); }, [](double) { return 0.0; }}},
      {"floor", {[](double x) { return std::floor(x); }, [](double) { return 0.0; }}},
      {"trunc", {[](double x) { return std::trunc(x); }, [](double) { return 0.0; }}},
      {"rint", {[](double x) { return std::nearbyint(x); }, [](double) { return 0.0; }}},
      {"deg2rad", {[](double x) { return x * (std::numbers::pi / 180); }, [](double) { return std::numbers::pi / 180; }}},
      {"rad2deg", {[](double x) { return x * (180 / std::numbers::pi); }, [](double) { return 180 / std::numbers::pi; }}},
      {"exp", {[](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }}},
      {"log", {[](double x) { return std::log(x); }, [](double x) { return 1 / x; }}},
      {"sigmoid", {sigmoid, [](double x) { return sigmoid(x) * (1 - sigmoid(x)); }}},
  };
  return table;
}

const UnaryFn& find_unary(const std::string& fn) {
  auto it = unary_table().find(fn);
  if (it == unary_table().end()) {
    std::string names;
    for (const auto& [n, _] : unary_table()) names += (names.empty() ? "" : ", ") + n;
    throw ValueError("structured_unary: unknown function '" + fn + "' (one of " + names + ")");
  }
  return it->second;
}

// Values of x mapped by f (and, with g, multiplied by g's values at the same positions).
NDArray map_values(const SparseMatrix& x, double (*f)(double), const SparseMatrix* g) {
  NDArray out = NDArray::empty(x.dtype(), {x.nnz()});
  with_float(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* v = x.data.data<T>();
    T* o = out.data<T>();
    if (!g) {
      for (int64_t k = 0; k < x.nnz(); ++k) o[k] = static_cast<T>(f(v[k]));
      return;
    }
    NDArray gv = g->data.dtype() == x.dtype() ? g->data : g->data.astype(x.dtype());
    const T* gd = gv.data<T>();
    for (int64_t k = 0; k < x.nnz(); ++k) o[k] = static_cast<T>(gd[k] * f(v[k]));
  });
  return out;
}

class StructuredUnary final : public SparseOp {
 public:
  explicit StructuredUnary(std::string fn, bool grad) : fn_(std::move(fn)), grad_(grad), f_(find_unary(fn_)) {}
  std::string type_name() const override { return grad_ ? "StructuredUnaryGrad" : "StructuredUnary"; }
  Props fields() const override { return {{"fn", PropValue::string(fn_)}}; }
  std::string props() const override { return fn_; }

  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the input");
    if (grad_) {
      expect_sparse(*this, in[1], "the output gradient");
      if (sparse_format(in[1]->type) != sparse_format(in[0]->type)) {
        throw TypeError(op_error(*this, "the gradient " + in[1]->type.str() + " and the input " +
                                            in[0]->type.str() + " differ in format"));
      }
    }
    return {in[0]->type};
  }

  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& x = sparse_value(in[0], name());
    const SparseMatrix* g = nullptr;
    if (grad_) {
      g = &sparse_value(in[1], name());
      if (!x.same_pattern(*g)) {
        throw ValueError(op_error(*this, "the gradient (" + g->describe() +
                                             ") does not have the input's stored positions (" +
                                             x.describe() + ")"));
      }
    }
    out[0] = Value(with_data(x, map_values(x, grad_ ? f_.df : f_.f, g)));
  }

  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    if (grad_) throw NotImplementedError(op_error(*this, "second derivatives are not implemented"));
    return {make_node1(std::make_shared<StructuredUnary>(fn_, true), {in[0], g[0]})};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }

 private:
  std::string fn_;
  bool grad_;
  UnaryFn f_;
};

}  // namespace

Var structured_unary(const std::string& fn, const Var& x) {
  return make_node1(std::make_shared<StructuredUnary>(fn, false), {x});
}

std::vector<std::string> structured_unary_names() {
  std::vector<std::string> names;
  for (const auto& [n, _] : unary_table()) names.push_back(n);
  return names;
}

THEON_OP_FILE(sparse_structured_unary) {
  register_op_factory("StructuredUnary", [](const PropReader& f) -> OpPtr {
    return std::make_shared<StructuredUnary>(f.get_string("fn"), false);
  });
  register_op_factory("StructuredUnaryGrad", [](const PropReader& f) -> OpPtr {
    return std::make_shared<StructuredUnary>(f.get_string("fn"), true);
  });
  register_sparse_kernel("StructuredUnary");
  register_sparse_kernel("StructuredUnaryGrad");
  register_builder("sparse.structured_unary", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{structured_unary(p.get_string("fn", ""), in[0])};
  });
}

}  // namespace theon
