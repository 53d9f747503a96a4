// Gradients of the products (dot, matmul, tensordot, outer, batched_dot): verify_grad against
// finite differences for every rank combination, broadcasting, second order, integer inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "theon/theon.hpp"

namespace theon {
namespace {

using Fn = std::function<Var(const std::vector<Var>&)>;

// Uniform values in [-1, 1] of dtype `dt`.
NDArray rnd(const Shape& shape, unsigned seed, DType dt = DType::Float64) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  NDArray d = NDArray::empty(DType::Float64, shape);
  for (int64_t i = 0; i < d.size(); ++i) d.data<double>()[i] = u(gen);
  return d.astype(dt);
}

std::string shapes_str(const Shape& a, const Shape& b) {
  return shape_str(a) + " and " + shape_str(b);
}

// verify_grad of fn on float64 operands of shapes sa and sb.
void check2(const Fn& fn, const Shape& sa, const Shape& sb, unsigned seed = 1) {
  SCOPED_TRACE(shapes_str(sa, sb));
  EXPECT_NO_THROW(verify_grad(fn, {rnd(sa, seed), rnd(sb, seed + 100)}));
}

Var dot2(const std::vector<Var>& in) {
  return dot(in[0], in[1]);
}
Var matmul2(const std::vector<Var>& in) {
  return matmul(in[0], in[1]);
}
Var batched2(const std::vector<Var>& in) {
  return batched_dot(in[0], in[1]);
}
Var outer2(const std::vector<Var>& in) {
  return outer(in[0], in[1]);
}

TEST(BlasGrad, DotEveryRankCombination) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{4}, {4}},          {{3, 4}, {4}},    {{4}, {4, 5}},    {{3, 4}, {4, 5}},
      {{1, 4}, {4, 1}},    {{3, 1}, {1, 5}}, {{1}, {1}},       {{2, 3, 4}, {4, 5}},
      {{3, 4}, {2, 4, 5}}, {{2, 3, 4}, {4}}, {{4}, {2, 4, 5}}, {{2, 1, 4}, {3, 4, 2}},
  };
  for (const auto& [sa, sb] : cases) check2(dot2, sa, sb);
}

TEST(BlasGrad, DotWithAZeroDimOperand) {
  // dot() builds an elementwise product for 0-d operands; a Dot node built directly still
  // differentiates.
  Fn fn = [](const std::vector<Var>& in) {
    return make_node1(std::make_shared<Dot>(), {in[0], in[1]});
  };
  check2(fn, {}, {3, 2});
  check2(fn, {3}, {});
  check2(fn, {}, {});
  check2(dot2, {}, {3});
}

TEST(BlasGrad, DotFloat32DefaultTolerances) {
  for (const auto& [sa, sb] : std::vector<std::pair<Shape, Shape>>{
           {{3, 4}, {4, 5}}, {{4}, {4, 2}}, {{3, 4}, {4}}, {{5}, {5}}}) {
    SCOPED_TRACE(shapes_str(sa, sb));
    EXPECT_NO_THROW(verify_grad(dot2, {rnd(sa, 3, DType::Float32), rnd(sb, 4, DType::Float32)}));
  }
}

TEST(BlasGrad, DotMixedPrecisionGivesEachInputItsDtype) {
  Var a = matrix("a", "float32");
  Var b = matrix("b", "float64");
  Var cost = sum(dot(a, b));
  auto g = grad(cost, std::vector<Var>{a, b});
  EXPECT_EQ(g[0]->type.dtype, DType::Float32);
  EXPECT_EQ(g[1]->type.dtype, DType::Float64);
  // d sum(a b) / d a = ones (m, n) b^T: row sums of b.
  NDArray av = rnd({2, 3}, 5, DType::Float32), bv = rnd({3, 4}, 6);
  auto r = evaluate(g, {{a, av}, {b, bv}});
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t k = 0; k < 3; ++k) {
      double want = 0;
      for (int64_t j = 0; j < 4; ++j) want += bv.flat_as_double(k * 4 + j);
      EXPECT_NEAR(r[0].flat_as_double(i * 3 + k), want, 1e-5);
    }
  }
}

TEST(BlasGrad, IntegerAndBoolInputsGetNull) {
  Var ai = matrix("ai", "int64");
  Var bf = matrix("bf", "float64");
  Var out = dot(ai, bf);
  auto gs = out->owner->op()->L_op(out->owner->inputs(), {out}, {ones_like(out)});
  ASSERT_EQ(gs.size(), 2u);
  EXPECT_EQ(gs[0], nullptr);
  ASSERT_NE(gs[1], nullptr);
  EXPECT_EQ(gs[1]->type.ndim(), 2);
  // A bool product has no output gradient: both inputs get null.
  Var p = matrix("p", "bool");
  Var q = matrix("q", "bool");
  for (const Var& o :
       {dot(p, q), matmul(p, q), outer(p, q), batched_dot(p, q), tensordot(p, q, 1)}) {
    auto none = o->owner->op()->L_op(o->owner->inputs(), {o}, {nullptr});
    EXPECT_EQ(none[0], nullptr) << o->owner->op()->name();
    EXPECT_EQ(none[1], nullptr) << o->owner->op()->name();
  }
  // Through grad: the float side's gradient is ai^T ones, the integer side's is zeros.
  Var cost = sum(out);
  auto g = grad(cost, std::vector<Var>{bf, ai});
  NDArray aiv = NDArray::from_vector<int64_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto r = evaluate(g, {{ai, aiv}, {bf, rnd({3, 2}, 7)}});
  for (int64_t k = 0; k < 3; ++k) {
    for (int64_t j = 0; j < 2; ++j) {
      EXPECT_DOUBLE_EQ(r[0].flat_as_double(k * 2 + j), double(1 + k) + double(4 + k));
    }
  }
  for (int64_t i = 0; i < r[1].size(); ++i) EXPECT_EQ(r[1].flat_as_double(i), 0.0);
}

TEST(BlasGrad, MatmulBatchBroadcastingAndVectors) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {4, 5}},
      {{2, 3, 4}, {2, 4, 5}},
      {{2, 3, 4}, {4, 5}},
      {{3, 4}, {2, 4, 5}},
      {{1, 3, 4}, {2, 4, 5}},
      {{2, 3, 4}, {1, 4, 5}},
      {{2, 1, 3, 4}, {5, 4, 2}},
      {{4}, {4}},
      {{4}, {4, 5}},
      {{3, 4}, {4}},
      {{4}, {2, 4, 5}},
      {{2, 3, 4}, {4}},
      {{1, 3, 4}, {4}},
      {{4}, {1, 4, 1}},
      {{1, 1}, {1, 1}},
  };
  for (const auto& [sa, sb] : cases) check2(matmul2, sa, sb);
}

TEST(BlasGrad, MatmulBroadcastGradientWithStaticShapes) {
  // a (1, 3, 4) broadcast against b (2, 4, 5); the static shapes say which axis was stretched.
  Var a = tensor("float64", {1, 3, 4}, "a");
  Var b = tensor("float64", {2, 4, 5}, "b");
  Var c = tensor("float64", {3, 4}, "c");
  Var cost = sum(matmul(a, b)) + sum(matmul(c, b));
  auto g = grad(cost, std::vector<Var>{a, b, c});
  EXPECT_EQ(static_shape_str(g[0]->type.shape), "(1, 3, 4)");
  EXPECT_EQ(static_shape_str(g[2]->type.shape), "(3, 4)");
  NDArray bv = rnd({2, 4, 5}, 8);
  auto r = evaluate(g, {{a, rnd({1, 3, 4}, 9)}, {b, bv}, {c, rnd({3, 4}, 10)}});
  // d/da[0, i, k] = sum over batch t and j of b[t, k, j]; the same for c.
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t k = 0; k < 4; ++k) {
      double want = 0;
      for (int64_t t = 0; t < 2; ++t) {
        for (int64_t j = 0; j < 5; ++j) want += bv.flat_as_double((t * 4 + k) * 5 + j);
      }
      EXPECT_NEAR(r[0].flat_as_double(i * 4 + k), want, 1e-12);
      EXPECT_NEAR(r[2].flat_as_double(i * 4 + k), want, 1e-12);
    }
  }
}

TEST(BlasGrad, MatmulFloat32) {
  EXPECT_NO_THROW(
      verify_grad(matmul2, {rnd({2, 3, 4}, 11, DType::Float32), rnd({4, 2}, 12, DType::Float32)}));
  EXPECT_NO_THROW(
      verify_grad(matmul2, {rnd({4}, 13, DType::Float32), rnd({3, 4, 2}, 14, DType::Float32)}));
}

TEST(BlasGrad, TensordotSeveralAxes) {
  struct Case {
    Shape sa, sb;
    std::vector<int64_t> axa, axb;
  };
  const std::vector<Case> cases = {
      {{2, 3, 4}, {4, 3, 5}, {1, 2}, {1, 0}},        // two axes, crossed
      {{3, 2, 4}, {4, 5, 3}, {2, 0}, {0, 2}},        // axes out of order on both sides
      {{2, 3}, {3, 4}, {1}, {0}},                    // a plain matrix product
      {{2, 3}, {4, 2}, {0}, {1}},                    // contracting leading a with trailing b
      {{2, 3}, {4}, {}, {}},                         // no axes: an outer product
      {{2, 3, 4}, {3, 4, 2}, {0, 1, 2}, {2, 0, 1}},  // everything: a 0-d result
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    Fn fn = [c](const std::vector<Var>& in) { return tensordot(in[0], in[1], c.axa, c.axb); };
    check2(fn, c.sa, c.sb, static_cast<unsigned>(20 + i));
  }
  // Size-1 axes contracted and kept, negative axes.
  Fn fn1 = [](const std::vector<Var>& in) { return tensordot(in[0], in[1], {-1, 1}, {0, -2}); };
  check2(fn1, {3, 1, 4}, {4, 1, 2});
  // The integer form.
  const std::vector<Shape> b_shapes = {{2, 2}, {4, 2}, {3, 4, 2}};
  for (int axes : {0, 1, 2}) {
    Fn fn = [axes](const std::vector<Var>& in) { return tensordot(in[0], in[1], axes); };
    check2(fn, {2, 3, 4}, b_shapes[axes], static_cast<unsigned>(40 + axes));
  }
}

TEST(BlasGrad, TensordotFloat32) {
  Fn fn = [](const std::vector<Var>& in) { return tensordot(in[0], in[1], {0, 2}, {2, 0}); };
  EXPECT_NO_THROW(
      verify_grad(fn, {rnd({3, 2, 4}, 15, DType::Float32), rnd({4, 5, 3}, 16, DType::Float32)}));
}

TEST(BlasGrad, Outer) {
  check2(outer2, {3}, {4});
  check2(outer2, {2, 3}, {4});
  check2(outer2, {3}, {2, 1, 2});
  check2(outer2, {}, {4});
  check2(outer2, {1}, {1});
  EXPECT_NO_THROW(
      verify_grad(outer2, {rnd({2, 2}, 17, DType::Float32), rnd({3}, 18, DType::Float32)}));
}

TEST(BlasGrad, BatchedDotEveryRankCombination) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {3, 4}},
      {{3, 2, 4}, {3, 4}},
      {{3, 4}, {3, 4, 2}},
      {{3, 2, 4}, {3, 4, 5}},
      {{3}, {3, 2}},
      {{3, 2, 2}, {3}},
      {{3}, {3}},
      {{1, 2, 4}, {1, 4, 1}},
      {{2, 2, 3, 4}, {2, 4, 5}},
      {{2, 3}, {2, 2, 3, 4}},
      {{2, 2, 3, 4}, {2, 4}},
      {{2, 2, 1, 3}, {2, 2, 3, 2}},
  };
  for (const auto& [sa, sb] : cases) check2(batched2, sa, sb);
  EXPECT_NO_THROW(verify_grad(
      batched2, {rnd({2, 3, 4}, 19, DType::Float32), rnd({2, 4, 3}, 20, DType::Float32)}));
}

// Second order: the gradients are themselves products, differentiated again.
TEST(BlasGrad, SecondOrderThroughGradients) {
  // f(A, w) = d/dw sum((A w)^2) = 2 A^T A w, checked against finite differences in A and w.
  Fn g_dot = [](const std::vector<Var>& in) {
    Var y = dot(in[0], in[1]);
    return grad(sum(y * y), in[1]);
  };
  check2(g_dot, {3, 4}, {4});
  Fn g_matmul = [](const std::vector<Var>& in) {
    Var y = matmul(in[0], in[1]);
    return grad(sum(y * y), in[0]);
  };
  check2(g_matmul, {2, 3, 4}, {4, 2});
  check2(g_matmul, {4}, {2, 4, 3});
  Fn g_td = [](const std::vector<Var>& in) {
    Var y = tensordot(in[0], in[1], {0, 2}, {2, 0});
    return grad(sum(y * y), in[1]);
  };
  check2(g_td, {3, 2, 4}, {4, 5, 3});
  Fn g_bd = [](const std::vector<Var>& in) {
    Var y = batched_dot(in[0], in[1]);
    return grad(sum(y * y), in[0]);
  };
  check2(g_bd, {2, 3, 4}, {2, 4, 2});
  Fn g_outer = [](const std::vector<Var>& in) {
    Var y = outer(in[0], in[1]);
    return grad(sum(y * y), in[0]);
  };
  check2(g_outer, {2, 2}, {3});
}

TEST(BlasGrad, HessianOfAQuadraticForm) {
  // f(x) = x^T M x has Hessian M + M^T.
  Var x = vector("x");
  Var m = matrix("m");
  Var h = hessian(dot(x, dot(m, x)), {x})[0];
  NDArray mv = rnd({3, 3}, 21);
  NDArray hv = evaluate({h}, {{x, rnd({3}, 22)}, {m, mv}})[0];
  ASSERT_EQ(shape_str(hv.shape()), "(3, 3)");
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      EXPECT_NEAR(hv.flat_as_double(i * 3 + j),
                  mv.flat_as_double(i * 3 + j) + mv.flat_as_double(j * 3 + i), 1e-12);
    }
  }
}

}  // namespace
}  // namespace theon
