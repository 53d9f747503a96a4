// Gradients of the reduce family (sum, prod, max, min, mean, var, std, cumsum, cumprod) and of
// sort: verify_grad against finite differences on every axis form, exact values where the
// formula has special cases (zeros for prod/cumprod, ties for max/min), the non-differentiable
// ops, and second order.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::values;

using Fun = std::function<Var(const std::vector<Var>&)>;

// Uniform values in [lo, hi], each negated with probability 1/2 when `signs`.
NDArray random_array(DType dt, const Shape& shape, unsigned seed, double lo = 0.5, double hi = 1.5,
                     bool signs = true) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::bernoulli_distribution flip(0.5);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<double> v(n);
  for (double& e : v) e = (signs && flip(gen)) ? -u(gen) : u(gen);
  return NDArray::from_vector(v, shape).astype(dt);
}

NDArray from(const std::vector<double>& v, const Shape& shape) {
  return NDArray::from_vector(v, shape);
}

// The gradient of sum(f(x) * w) with respect to x at `pt` (w: the output's weights, or all
// ones when empty), evaluated with the reference kernels.
std::vector<double> grad_at(const Fun& f, const NDArray& pt, const std::vector<double>& w = {}) {
  Var x = tensor(std::string(dtype_name(pt.dtype())), StaticShape(pt.ndim(), kUnknownDim), "x");
  Var out = f({x});
  Var cost =
      w.empty() ? sum(out) : sum(out * constant(from(w, evaluate({out}, {{x, pt}})[0].shape())));
  return values(evaluate({grad(cost, x)}, {{x, pt}})[0]);
}

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want,
                     double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// verify_grad, reporting the case on failure.
void check(const Fun& f, const std::vector<NDArray>& pt, const std::string& what,
           const VerifyGradOptions& o = {}) {
  try {
    verify_grad(f, pt, o);
  } catch (const NotImplementedError&) {
    throw;  // a missing gradient (see skip_reason)
  } catch (const Error& e) {
    ADD_FAILURE() << what << ": " << e.what();
  }
}

// Second-order checks differentiate the gradient graphs of this family, which are made of
// other families' ops (DimShuffle, Fill, Subtensor, sqrt...). Until those ops have their own
// L_op (other branches), a NotImplementedError NOT raised by an op of this family skips the
// test; one raised by an op of this family fails it.
std::string skip_reason(const std::function<void()>& body) {
  try {
    body();
  } catch (const NotImplementedError& e) {
    const std::string msg = e.what();
    for (const char* mine : {"Sum{", "Prod{", "Max{", "Min{", "CumSum{", "CumProd{", "Sort{",
                             "ReduceCount{", "Argmax{", "Argmin{", "Any{", "All{", "ArgSort{"}) {
      if (msg.rfind(mine, 0) == 0) {
        ADD_FAILURE() << "an op of the reduce family has no gradient: " << msg;
        return "";
      }
    }
    return "needs another family's gradient: " + msg.substr(0, msg.find('\n'));
  }
  return "";
}

#define SKIP_IF_MISSING(...)                               \
  do {                                                     \
    const std::string why_ = skip_reason([&] __VA_ARGS__); \
    if (!why_.empty()) GTEST_SKIP() << why_;               \
  } while (0)

// Every axis form for an array of `nd` dimensions: None, each axis (positive and negative),
// pairs, the empty tuple.
std::vector<OptAxes> axis_forms(int nd) {
  std::vector<OptAxes> forms{std::nullopt, std::vector<int64_t>{}};
  for (int a = 0; a < nd; ++a) {
    forms.push_back(std::vector<int64_t>{a});
    forms.push_back(std::vector<int64_t>{a - nd});
  }
  if (nd >= 2) forms.push_back(std::vector<int64_t>{0, nd - 1});
  if (nd >= 3) forms.push_back(std::vector<int64_t>{-1, 1});
  return forms;
}

std::string axes_label(const OptAxes& a) {
  if (!a) return "None";
  std::string s = "(";
  for (int64_t v : *a) s += std::to_string(v) + ",";
  return s + ")";
}

const std::vector<Shape> kShapes{{}, {5}, {3, 4}, {1, 4}, {2, 3, 4}, {3, 1, 2}};

using ReduceFn = Var (*)(const Var&, OptAxes, bool);

void check_every_axis_form(ReduceFn fn, const char* name, DType dt, double lo, double hi) {
  unsigned seed = 1;
  for (const Shape& s : kShapes) {
    for (const OptAxes& axes : axis_forms(static_cast<int>(s.size()))) {
      for (bool keep : {false, true}) {
        check([&](const std::vector<Var>& in) { return fn(in[0], axes, keep); },
              {random_array(dt, s, seed++, lo, hi)},
              std::string(name) + " shape " + shape_str(s) + " axis " + axes_label(axes) +
                  " keepdims " + (keep ? "True" : "False") + " " + std::string(dtype_name(dt)));
      }
    }
  }
}

// ---- sum ----

TEST(ReduceGrad, SumEveryAxisFormFloat64) {
  check_every_axis_form(&sum, "sum", DType::Float64, 0.5, 1.5);
}

TEST(ReduceGrad, SumFloat32) {
  check_every_axis_form(&sum, "sum", DType::Float32, 0.5, 1.5);
}

TEST(ReduceGrad, SumGradientIsTheOutputGradientBroadcast) {
  // d/dx sum(x, axis=1) . w = w broadcast along axis 1.
  auto g = grad_at([](const std::vector<Var>& in) { return sum(in[0], {{1}}); },
                   from({1, 2, 3, 4, 5, 6}, {2, 3}), {10, 20});
  expect_near_all(g, {10, 10, 10, 20, 20, 20});
  auto gk = grad_at([](const std::vector<Var>& in) { return sum(in[0], {{0}}, true); },
                    from({1, 2, 3, 4, 5, 6}, {2, 3}), {1, 2, 3});
  expect_near_all(gk, {1, 2, 3, 1, 2, 3});
}

TEST(ReduceGrad, SumOfEmptyAndBroadcastInputs) {
  // An empty reduced axis: the gradient is empty of x's shape.
  Var x = matrix("x");
  Var g = grad(sum(sum(x, {{1}}) * 2.0), x);
  NDArray r = evaluate({g}, {{x, NDArray::zeros(DType::Float64, {3, 0})}})[0];
  EXPECT_EQ(r.shape(), (Shape{3, 0}));
  // Sum of a broadcast product: the gradient of the broadcast operand sums over the rows.
  check([](const std::vector<Var>& in) { return sum(in[0] * in[1], {{0}}); },
        {random_array(DType::Float64, {3, 4}, 1), random_array(DType::Float64, {1, 4}, 2)},
        "sum of a broadcast product");
}

// ---- prod ----

TEST(ReduceGrad, ProdEveryAxisFormFloat64) {
  check_every_axis_form(&prod, "prod", DType::Float64, 0.5, 1.5);
}

TEST(ReduceGrad, ProdFloat32) {
  check([](const std::vector<Var>& in) { return prod(in[0], {{1}}); },
        {random_array(DType::Float32, {3, 4}, 3)}, "prod float32");
  check([](const std::vector<Var>& in) { return prod(in[0]); },
        {random_array(DType::Float32, {2, 3}, 4)}, "prod float32 all");
}

// The product of the other elements of each row, by loops.
std::vector<double> prod_others_by_rows(const std::vector<double>& x, int rows, int cols) {
  std::vector<double> g(x.size());
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < cols; ++i) {
      double p = 1;
      for (int j = 0; j < cols; ++j)
        if (j != i) p *= x[r * cols + j];
      g[r * cols + i] = p;
    }
  }
  return g;
}

TEST(ReduceGrad, ProdWithZerosIsTheProductOfTheOthers) {
  // Row 0: no zero; row 1: one zero; row 2: two zeros; row 3: a zero at the end; -0.0 counts.
  const std::vector<double> x{2,   -3, 0.5, 4,   //
                              2,   0,  3,   -1,  //
                              0,   5,  0,   2,   //
                              1.5, 2,  3,   -0.0};
  auto f = [](const std::vector<Var>& in) { return prod(in[0], {{1}}); };
  expect_near_all(grad_at(f, from(x, {4, 4})), prod_others_by_rows(x, 4, 4));
  // prod is linear in each element, so finite differences are exact across the zeros too.
  check(f, {from(x, {4, 4})}, "prod with zeros");
  check([](const std::vector<Var>& in) { return prod(in[0]); }, {from(x, {4, 4})},
        "prod of everything with zeros");
  // Along axis 0 (columns): column 1 holds a single zero, column 0 and 2 one zero each.
  auto f0 = [](const std::vector<Var>& in) { return prod(in[0], {{0}}, true); };
  check(f0, {from(x, {4, 4})}, "prod axis 0 with zeros");
}

// ---- max / min ----

TEST(ReduceGrad, MaxMinEveryAxisFormFloat64) {
  check_every_axis_form(&max, "max", DType::Float64, 0.5, 1.5);
  check_every_axis_form(&min, "min", DType::Float64, 0.5, 1.5);
}

TEST(ReduceGrad, MaxMinFloat32) {
  check([](const std::vector<Var>& in) { return max(in[0], {{0}}); },
        {random_array(DType::Float32, {3, 4}, 5)}, "max float32");
  check([](const std::vector<Var>& in) { return min(in[0], {{-1}}, true); },
        {random_array(DType::Float32, {3, 4}, 6)}, "min float32");
}

TEST(ReduceGrad, MaxRoutesTheGradientToTheMaximum) {
  auto g = grad_at([](const std::vector<Var>& in) { return max(in[0], {{1}}); },
                   from({1, 5, 2, 7, 3, 4}, {2, 3}), {10, 20});
  expect_near_all(g, {0, 10, 0, 20, 0, 0});
  auto gm = grad_at([](const std::vector<Var>& in) { return min(in[0], {{0}}); },
                    from({1, 5, 2, 7, 3, 4}, {2, 3}), {1, 2, 3});
  expect_near_all(gm, {1, 0, 3, 0, 2, 0});
}

TEST(ReduceGrad, MaxTiesSplitTheGradient) {
  // Documented (JAX's and torch.amax's rule): the tied elements share the gradient equally.
  auto g =
      grad_at([](const std::vector<Var>& in) { return max(in[0]); }, from({1, 3, 3, 2, 3}, {5}));
  expect_near_all(g, {0, 1.0 / 3, 1.0 / 3, 0, 1.0 / 3});
  auto gr = grad_at([](const std::vector<Var>& in) { return min(in[0], {{1}}); },
                    from({2, 2, 5, 4, 1, 1}, {2, 3}), {3, 7});
  expect_near_all(gr, {1.5, 1.5, 0, 0, 3.5, 3.5});
  auto gk = grad_at([](const std::vector<Var>& in) { return max(in[0], {{0}}, true); },
                    from({4, 4, 4, 1}, {2, 2}), {2, 5});
  expect_near_all(gk, {1, 5, 1, 0});
}

TEST(ReduceGrad, MaxOfABroadcastPassesOnOneCopyOfTheGradient) {
  // max(x + zeros((4, 3)), axis=0) is x: d sum / dx is 1, in every mode.
  for (const char* mode : {"FAST_RUN", "FAST_COMPILE"}) {
    Var x = vector("x");
    Var cost = sum(max(x + zeros(std::vector<int64_t>{4, 3}, DType::Float64), {{0}}));
    FunctionOptions o;
    o.mode.name = mode;
    o.wait_for_kernels = true;
    auto f = function({x}, {grad(cost, x)}, o);
    EXPECT_EQ(test_util::values(f->call({from({0.5, -2, 3}, {3})})[0]),
              (std::vector<double>{1, 1, 1}))
        << mode;
  }
}

// ---- mean / var / std (composites) ----

TEST(ReduceGrad, MeanVarStdEveryAxisForm) {
  check_every_axis_form(&mean, "mean", DType::Float64, 0.5, 1.5);
  unsigned seed = 100;
  for (const Shape& s : std::vector<Shape>{{5}, {3, 4}, {2, 3, 4}}) {
    for (const OptAxes& axes : axis_forms(static_cast<int>(s.size()))) {
      if (axes && axes->empty()) continue;  // var over no axis is 0 (ddof 1 divides by 0)
      for (bool keep : {false, true}) {
        for (int64_t ddof : {0, 1}) {
          check([&](const std::vector<Var>& in) { return var(in[0], axes, keep, ddof); },
                {random_array(DType::Float64, s, seed++)},
                "var shape " + shape_str(s) + " axis " + axes_label(axes) + " ddof " +
                    std::to_string(ddof));
        }
      }
    }
  }
  check([](const std::vector<Var>& in) { return mean(in[0], {{1}}); },
        {random_array(DType::Float32, {3, 4}, 7)}, "mean float32");
  check([](const std::vector<Var>& in) { return var(in[0], {{0}}); },
        {random_array(DType::Float32, {5, 3}, 8)}, "var float32");
}

TEST(ReduceGrad, MeanGradientIsOneOverN) {
  auto g = grad_at([](const std::vector<Var>& in) { return mean(in[0], {{1}}); },
                   from({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}), {4, 8});
  expect_near_all(g, {1, 1, 1, 1, 2, 2, 2, 2});
}

TEST(ReduceGrad, Std) {
  SKIP_IF_MISSING({
    for (const OptAxes& axes : axis_forms(2)) {
      if (axes && axes->empty()) continue;
      check([&](const std::vector<Var>& in) { return std(in[0], axes, false, 1); },
            {random_array(DType::Float64, {3, 4}, 9)}, "std axis " + axes_label(axes));
    }
    check([](const std::vector<Var>& in) { return std(in[0], {{-1}}, true); },
          {random_array(DType::Float32, {3, 4}, 10)}, "std float32");
  });
}

// ---- cumsum / cumprod ----

using CumFn = Var (*)(const Var&, std::optional<int64_t>);

void check_cumulative(CumFn fn, const char* name, DType dt) {
  unsigned seed = 1;
  for (const Shape& s : kShapes) {
    std::vector<std::optional<int64_t>> axes{std::nullopt};
    for (int a = 0; a < static_cast<int>(s.size()); ++a) {
      axes.push_back(a);
      axes.push_back(a - static_cast<int>(s.size()));
    }
    for (const auto& a : axes) {
      check([&](const std::vector<Var>& in) { return fn(in[0], a); }, {random_array(dt, s, seed++)},
            std::string(name) + " shape " + shape_str(s) + " axis " +
                (a ? std::to_string(*a) : std::string("None")) + " " + std::string(dtype_name(dt)));
    }
  }
}

TEST(ReduceGrad, CumsumEveryAxis) {
  check_cumulative(&cumsum, "cumsum", DType::Float64);
  check_cumulative(&cumsum, "cumsum", DType::Float32);
}

TEST(ReduceGrad, CumsumGradientIsTheReverseCumulativeSum) {
  auto g = grad_at([](const std::vector<Var>& in) { return cumsum(in[0], 0); },
                   from({5, 6, 7, 8}, {4}), {1, 2, 3, 4});
  expect_near_all(g, {10, 9, 7, 4});
  auto g2 = grad_at([](const std::vector<Var>& in) { return cumsum(in[0]); },
                    from({5, 6, 7, 8}, {2, 2}), {1, 2, 3, 4});
  expect_near_all(g2, {10, 9, 7, 4});
}

TEST(ReduceGrad, CumprodEveryAxis) {
  check_cumulative(&cumprod, "cumprod", DType::Float64);
  check_cumulative(&cumprod, "cumprod", DType::Float32);
}

// grad_i = sum_{j>=i} w_j prod_{k<=j, k!=i} x_k along one line, by loops.
std::vector<double> cumprod_grad_line(const std::vector<double>& x, const std::vector<double>& w) {
  const size_t n = x.size();
  std::vector<double> g(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i; j < n; ++j) {
      double p = 1;
      for (size_t k = 0; k <= j; ++k)
        if (k != i) p *= x[k];
      g[i] += w[j] * p;
    }
  }
  return g;
}

TEST(ReduceGrad, CumprodWithZeros) {
  const std::vector<double> w{1.5, -2, 0.5, 3, 1};
  const std::vector<std::vector<double>> lines{
      {2, -3, 0.5, 4, 1.5},  // no zero
      {2, 0, 3, -1, 2},      // one zero
      {0, 5, 2, 3, 2},       // a zero first
      {2, 3, 1, 4, 0},       // a zero last
      {1.5, 0, 2, 0, 3},     // two zeros
      {0, 0, 0, 2, 1},       // several zeros first
  };
  auto f = [](const std::vector<Var>& in) { return cumprod(in[0], 0); };
  for (const auto& line : lines) {
    expect_near_all(grad_at(f, from(line, {5}), w), cumprod_grad_line(line, w));
    // Multilinear in the elements: finite differences are exact across zeros.
    check(f, {from(line, {5})}, "cumprod with zeros");
  }
  // Along the rows of a matrix and over the flattening.
  std::vector<double> m;
  for (const auto& line : lines) m.insert(m.end(), line.begin(), line.end());
  check([](const std::vector<Var>& in) { return cumprod(in[0], 1); }, {from(m, {6, 5})},
        "cumprod rows with zeros");
  check([](const std::vector<Var>& in) { return cumprod(in[0], 0); }, {from(m, {6, 5})},
        "cumprod columns with zeros");
  check([](const std::vector<Var>& in) { return cumprod(in[0]); },
        {from({2, 0, 3, 1.5, 0.5, -2}, {2, 3})}, "cumprod flattened with a zero");
}

// ---- sort ----

TEST(ReduceGrad, SortEveryAxis) {
  unsigned seed = 1;
  for (DType dt : {DType::Float64, DType::Float32}) {
    for (const Shape& s : std::vector<Shape>{{}, {6}, {3, 4}, {1, 5}, {2, 3, 4}}) {
      std::vector<std::optional<int64_t>> axes{std::nullopt};
      for (int a = 0; a < static_cast<int>(s.size()); ++a) {
        axes.push_back(a);
        axes.push_back(a - static_cast<int>(s.size()));
      }
      for (const auto& a : axes) {
        check([&](const std::vector<Var>& in) { return sort(in[0], a); },
              {random_array(dt, s, seed++, 0.1, 3.0)},
              "sort shape " + shape_str(s) + " axis " +
                  (a ? std::to_string(*a) : std::string("None")) + " " +
                  std::string(dtype_name(dt)));
      }
    }
  }
}

TEST(ReduceGrad, SortRoutesTheGradientThroughThePermutation) {
  // sorted = [1, 2, 3, 4] from positions [2, 0, 3, 1].
  auto g = grad_at([](const std::vector<Var>& in) { return sort(in[0], 0); },
                   from({2, 4, 1, 3}, {4}), {10, 20, 30, 40});
  expect_near_all(g, {20, 40, 10, 30});
  auto g0 = grad_at([](const std::vector<Var>& in) { return sort(in[0], 0); },
                    from({3, 1, 2, 5}, {2, 2}), {1, 2, 3, 4});
  expect_near_all(g0, {3, 2, 1, 4});
  auto gn = grad_at([](const std::vector<Var>& in) { return sort(in[0], std::nullopt); },
                    from({3, 1, 2, 5}, {2, 2}), {1, 2, 3, 4});
  expect_near_all(gn, {3, 1, 2, 4});
}

// ---- no gradient ----

TEST(ReduceGrad, IntegerOutputsHaveNoGradient) {
  Var x = matrix("x");
  for (const Var& out : {argmax(x, {{0}}), argmin(x), any(x, {{1}}), all(x), argsort(x, 1)}) {
    const auto g = out->owner->op()->L_op(out->owner->inputs(), {out}, {nullptr});
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g[0], nullptr) << out->owner->op()->name();
  }
  Var c = reduce_count(x, std::nullopt, 0, DType::Int64);
  ASSERT_TRUE(c->owner);  // unknown static shape: a ReduceCount node
  EXPECT_EQ(c->owner->op()->L_op(c->owner->inputs(), {c}, {nullptr})[0], nullptr);
  // A cost reached only through argmax is disconnected from x.
  EXPECT_THROW(grad(sum(cast(argmax(x, {{1}}), DType::Float64)), x), ValueError);
  GradOptions ignore;
  ignore.disconnected_inputs = "ignore";
  Var g = grad(sum(cast(argmax(x, {{1}}), DType::Float64)), std::vector<Var>{x}, ignore)[0];
  const std::vector<double> got = values(evaluate({g}, {{x, from({1, 2, 3, 4}, {2, 2})}})[0]);
  EXPECT_EQ(got, (std::vector<double>{0, 0, 0, 0}));
}

TEST(ReduceGrad, IntegerInputsGetNoGradientFromTheirOps) {
  Var i = tensor("int32", {kUnknownDim}, "i");
  for (const Var& out : {sum(i), prod(i), max(i), cumsum(i), cumprod(i, 0), sort(i)}) {
    EXPECT_EQ(
        out->owner->op()->L_op(out->owner->inputs(), {out}, {ones_like(out, DType::Float64)})[0],
        nullptr)
        << out->owner->op()->name();
  }
}

// ---- second order ----

TEST(ReduceGrad, SecondOrderSumProdMeanVar) {
  SKIP_IF_MISSING({
    // Each function returns a gradient; verify_grad differentiates it again.
    check(
        [](const std::vector<Var>& in) { return grad(sum(sum(in[0] * exp(in[0]), {{1}})), in[0]); },
        {random_array(DType::Float64, {3, 4}, 11)}, "grad of sum");
    check(
        [](const std::vector<Var>& in) {
          return grad(sum(sum(in[0] * in[0] * in[0]) * in[1]), in[0]);
        },
        {random_array(DType::Float64, {2, 3}, 12), random_array(DType::Float64, {}, 13)},
        "grad of sum, two inputs");
    check([](const std::vector<Var>& in) { return grad(sum(prod(in[0], {{1}})), in[0]); },
          {random_array(DType::Float64, {3, 4}, 14)}, "grad of prod");
    check([](const std::vector<Var>& in) { return grad(prod(in[0]), in[0]); },
          {random_array(DType::Float64, {4}, 15)}, "grad of prod all");
    check(
        [](const std::vector<Var>& in) { return grad(sum(mean(exp(in[0]), {{0}}, true)), in[0]); },
        {random_array(DType::Float64, {3, 4}, 16)}, "grad of mean");
    check([](const std::vector<Var>& in) { return grad(var(in[0]), in[0]); },
          {random_array(DType::Float64, {5}, 17)}, "grad of var");
    check([](const std::vector<Var>& in) { return grad(sum(var(in[0], {{1}}, false, 1)), in[0]); },
          {random_array(DType::Float64, {2, 4}, 18)}, "grad of var axis 1");
  });
}

TEST(ReduceGrad, HessianOfProd) {
  SKIP_IF_MISSING({
    // d2 prod / dx_i dx_j = prod_{k != i, j} x_k for i != j, 0 on the diagonal.
    const std::vector<double> xv{2, -3, 0.5, 4};
    Var x = vector("x");
    Var h = hessian(prod(x), {x})[0];
    const std::vector<double> got = values(evaluate({h}, {{x, from(xv, {4})}})[0]);
    std::vector<double> want(16, 0);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        if (i == j) continue;
        double p = 1;
        for (int k = 0; k < 4; ++k)
          if (k != i && k != j) p *= xv[k];
        want[i * 4 + j] = p;
      }
    expect_near_all(got, want);
  });
}

TEST(ReduceGrad, SecondOrderMaxCumsumCumprodSort) {
  SKIP_IF_MISSING({
    check([](const std::vector<Var>& in) { return grad(sum(max(in[0] * in[0], {{1}})), in[0]); },
          {random_array(DType::Float64, {3, 4}, 19)}, "grad of max");
    check([](const std::vector<Var>& in) { return grad(sum(cumsum(in[0] * in[0], 1)), in[0]); },
          {random_array(DType::Float64, {2, 3}, 20)}, "grad of cumsum");
    check([](const std::vector<Var>& in) { return grad(sum(cumprod(in[0], 0)), in[0]); },
          {random_array(DType::Float64, {4}, 21)}, "grad of cumprod");
    check(
        [](const std::vector<Var>& in) { return grad(sum(sort(in[0] * in[0], 1) * in[1]), in[0]); },
        {random_array(DType::Float64, {2, 3}, 22), random_array(DType::Float64, {3}, 23)},
        "grad of sort");
  });
}

}  // namespace
}  // namespace theon
