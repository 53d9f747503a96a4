// Gradients of the indexing ops: Subtensor, AdvancedSubtensor, IncSubtensor and
// AdvancedIncSubtensor (set and inc), and take (built from them).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using test_util::values;
using Fun = std::function<Var(const std::vector<Var>&)>;

NDArray rnd(const Shape& shape, unsigned seed, DType dt = DType::Float64) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  NDArray a = NDArray::empty(DType::Float64, shape);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = dist(gen);
  return a.astype(dt);
}

Var ints(const std::vector<int64_t>& v, const Shape& shape) {
  return constant(NDArray::from_vector<int64_t>(v, shape));
}
Var ints(const std::vector<int64_t>& v) {
  return ints(v, {static_cast<int64_t>(v.size())});
}
Var mask(const std::vector<bool>& v, const Shape& shape) {
  NDArray m = NDArray::empty(DType::Bool, shape);
  for (size_t i = 0; i < v.size(); ++i) m.data<bool>()[i] = v[i];
  return constant(m);
}

// Whether a gradient can pass through `fn(x)` for a float vector x (the gradients of other op
// families land separately; verify_grad's projected cost needs Sum's, second order through
// indexing needs zeros_like's).
bool has_grad(const std::function<Var(const Var&)>& fn) {
  Var x = vector("probe", "float64");
  try {
    const Var out = fn(x);
    GradOptions o;
    o.known_grads = {{out, ones_like(out)}};
    o.disconnected_inputs = "ignore";  // a gradient may be null (zeros_like's is)
    grad(nullptr, {x}, o);
    return true;
  } catch (const NotImplementedError&) {
    return false;
  }
}

// verify_grad where the gradients it needs from other families exist; otherwise the same
// comparison made directly: the vector-Jacobian product with a random projection (no Sum in
// the graph), with verify_grad's tolerances, and zeros_like results (Fill nodes, which do not
// depend on their model's values) held constant when Fill has no gradient yet.
void check(const Fun& fun, const std::vector<NDArray>& pt, VerifyGradOptions opt = {}) {
  static const bool sum_ok = has_grad([](const Var& x) { return sum(x); });
  static const bool fill_ok = has_grad([](const Var& x) { return zeros_like(x); });
  if (sum_ok && fill_ok) {
    verify_grad(fun, pt, opt);
    return;
  }
  bool low = false;
  std::vector<Var> inputs;
  std::vector<std::pair<Var, NDArray>> vals;
  for (size_t i = 0; i < pt.size(); ++i) {
    low = low || pt[i].dtype() == DType::Float32;
    inputs.push_back(make_input(TensorType(pt[i].dtype(), StaticShape(pt[i].ndim(), kUnknownDim)),
                                "in" + std::to_string(i)));
    vals.emplace_back(inputs.back(), pt[i].copy());
  }
  const double eps = opt.eps.value_or(low ? 1e-3 : 1e-7);
  const double atol = opt.abs_tol.value_or(low ? 1e-2 : 1e-4);
  const double rtol = opt.rel_tol.value_or(low ? 1e-2 : 1e-4);
  const Var out = fun(inputs);
  const NDArray out0 = evaluate({out}, vals)[0];
  const NDArray proj = rnd(out0.shape(), 99).astype(out0.dtype());
  GradOptions go;
  go.known_grads = {{out, constant(proj)}};
  go.disconnected_inputs = "ignore";
  if (!fill_ok) {
    for (Apply* node : toposort({out}))
      if (dynamic_cast<const Fill*>(node->op().get()))
        go.consider_constant.push_back(node->outputs()[0]);
  }
  const std::vector<Var> g = grad(nullptr, inputs, go);
  const std::vector<NDArray> analytic = evaluate(g, vals);
  auto cost = [&](const std::vector<std::pair<Var, NDArray>>& v) {
    const NDArray o = evaluate({out}, v)[0];
    double c = 0;
    for (int64_t k = 0; k < o.size(); ++k) c += o.flat_as_double(k) * proj.flat_as_double(k);
    return c;
  };
  for (size_t i = 0; i < pt.size(); ++i) {
    ASSERT_TRUE(analytic[i].shape() == pt[i].shape()) << "input " << i;
    for (int64_t k = 0; k < pt[i].size(); ++k) {
      auto at = [&](double d) {
        auto v = vals;
        NDArray x = pt[i].astype(DType::Float64);
        x.data<double>()[k] += d;
        v[i].second = x.astype(pt[i].dtype());
        return std::make_pair(cost(v), v[i].second.flat_as_double(k));
      };
      const auto [up, xu] = at(eps);
      const auto [down, xd] = at(-eps);
      const double num = (up - down) / (xu - xd);
      const double ana = analytic[i].flat_as_double(k);
      const double err = std::abs(num - ana);
      EXPECT_TRUE(err <= atol || err <= rtol * (std::abs(num) + std::abs(ana)))
          << "input " << i << " element " << k << ": analytic " << ana << ", numeric " << num;
    }
  }
}

// ---- getitem ----

struct KeyCase {
  std::string name;
  Shape shape;
  std::function<std::vector<Index>()> key;
};

std::vector<KeyCase> key_cases() {
  using namespace idx;
  return {
      {"ints",
       {3, 4},
       [] {
         return std::vector<Index>{at(1), at(-1)};
       }},
      {"int_row", {3, 4}, [] { return std::vector<Index>{at(-2)}; }},
      {"slices",
       {5, 4},
       [] {
         return std::vector<Index>{slice(1, 4), slice(std::nullopt, -1)};
       }},
      {"negative_steps",
       {5, 4},
       [] {
         return std::vector<Index>{slice(std::nullopt, std::nullopt, -1), slice(3, 0, -2)};
       }},
      {"negative_step_from_end",
       {6},
       [] { return std::vector<Index>{slice(-1, std::nullopt, -2)}; }},
      {"empty_slice", {3, 4}, [] { return std::vector<Index>{slice(2, 2)}; }},
      {"newaxis",
       {3, 4},
       [] {
         return std::vector<Index>{newaxis(), all(), at(1), newaxis()};
       }},
      {"ellipsis",
       {2, 3, 4},
       [] {
         return std::vector<Index>{ellipsis(), at(0)};
       }},
      {"array_repeated",
       {3, 4},
       [] {
         return std::vector<Index>{array(ints({0, 2, 0, 0}))};
       }},
      {"array_negative",
       {3, 4},
       [] {
         return std::vector<Index>{all(), array(ints({-1, 3, 1}))};
       }},
      {"array_2d_repeated",
       {4, 2},
       [] {
         return std::vector<Index>{array(ints({1, 1, 3, 0, 1, 3}, {2, 3}))};
       }},
      {"two_arrays_broadcast",
       {3, 4},
       [] {
         return std::vector<Index>{array(ints({0, 2, 2}, {3, 1})), array(ints({1, 1, 3}))};
       }},
      {"mask",
       {3, 4},
       [] {
         return std::vector<Index>{array(
             mask({true, false, true, true, false, false, true, false, true, true, false, true},
                  {3, 4}))};
       }},
      {"mask_column",
       {3, 4},
       [] {
         return std::vector<Index>{all(), array(mask({true, false, true, true}, {4}))};
       }},
      {"mixed_array_slice",
       {3, 4, 2},
       [] {
         return std::vector<Index>{array(ints({0, 1, 1})), slice(1, 3)};
       }},
      {"mixed_slice_array",
       {3, 4, 2},
       [] {
         return std::vector<Index>{slice(std::nullopt, std::nullopt, -1), array(ints({2, 0, 2}))};
       }},
      {"non_adjacent_arrays",
       {3, 4, 2},
       [] {
         return std::vector<Index>{array(ints({0, 2, 0})), all(), array(ints({1, 1, 0}))};
       }},
      {"int_and_array",
       {3, 4, 2},
       [] {
         return std::vector<Index>{at(1), slice(1, std::nullopt), array(ints({0, 0}))};
       }},
      {"mask_and_newaxis",
       {3, 4},
       [] {
         return std::vector<Index>{newaxis(), array(mask({false, true, true}, {3})),
                                   slice(std::nullopt, std::nullopt, -2)};
       }},
  };
}

TEST(SubtensorGrad, GetitemEveryIndexingForm) {
  unsigned seed = 1;
  for (const auto& c : key_cases()) {
    SCOPED_TRACE(c.name);
    check([&](const std::vector<Var>& in) { return getitem(in[0], c.key()); },
          {rnd(c.shape, seed++)});
  }
}

TEST(SubtensorGrad, GetitemFloat32) {
  unsigned seed = 40;
  for (const auto& c : key_cases()) {
    if (c.name != "negative_steps" && c.name != "array_repeated" && c.name != "mask" &&
        c.name != "non_adjacent_arrays")
      continue;
    SCOPED_TRACE(c.name);
    check([&](const std::vector<Var>& in) { return getitem(in[0], c.key()); },
          {rnd(c.shape, seed++, DType::Float32)});
  }
}

// x[[0, 2, 0]] with an all-ones output gradient: row 0 is read twice, so gets 2.
TEST(SubtensorGrad, RepeatedIndicesAccumulate) {
  Var x = matrix("x", "float64");
  Var out = getitem(x, {idx::array(ints({0, 2, 0}))});
  Var g = Lop({out}, {x}, {ones_like(out)})[0];
  NDArray gv = evaluate({g}, {{x, rnd({3, 2}, 3)}})[0];
  EXPECT_EQ(values(gv), (std::vector<double>{2, 2, 0, 0, 1, 1}));
}

// A gradient through a symbolic scalar index: the same values as with the constant index.
TEST(SubtensorGrad, SymbolicIndexGivesTheSameGradient) {
  Var x = matrix("x", "float64");
  Var i = scalar("i", "int64");
  Var start = scalar("s", "int32");
  Var out = getitem(x, {idx::slice(start, std::nullopt, -1), idx::at(i)});
  Var w = constant(rnd({3}, 5));
  Var g = Lop({out}, {x}, {w})[0];
  NDArray gv = evaluate({g}, {{x, rnd({4, 3}, 6)},
                              {i, NDArray::scalar<int64_t>(-1)},
                              {start, NDArray::scalar<int32_t>(2)}})[0];
  // out = x[2::-1, -1] = (x[2, 2], x[1, 2], x[0, 2]).
  std::vector<double> want(12, 0.0);
  const std::vector<double> wv = values(evaluate({w}, {})[0]);
  want[2 * 3 + 2] = wv[0];
  want[1 * 3 + 2] = wv[1];
  want[0 * 3 + 2] = wv[2];
  EXPECT_EQ(values(gv), want);
}

TEST(SubtensorGrad, IndexInputsGetNoGradient) {
  Var x = matrix("x", "float64");
  Var i = scalar("i", "int64");
  Var a = vector("a", "int32");
  Var m = vector("m", "bool");
  Var y = scalar("y", "float64");
  std::vector<Var> outs = {
      getitem(x, {idx::at(i)}),
      getitem(x, {idx::slice(i, std::nullopt, i)}),
      getitem(x, {idx::array(a), idx::at(i)}),
      getitem(x, {idx::array(m)}),
  };
  for (const Var& o : std::vector<Var>(outs)) {
    outs.push_back(set_subtensor(o, y));
    outs.push_back(inc_subtensor(o, y));
  }
  for (const Var& o : outs) {
    SCOPED_TRACE(o->owner->op()->name());
    Apply& node = *o->owner;
    auto grads = node.op()->L_op(node.inputs(), node.outputs(), {ones_like(o)});
    ASSERT_EQ(grads.size(), node.inputs().size());
    const size_t first_index = dynamic_cast<const IncSubtensorBase*>(node.op().get()) ? 2 : 1;
    EXPECT_NE(grads[0], nullptr);
    if (first_index == 2) {
      EXPECT_NE(grads[1], nullptr);
    }
    for (size_t k = first_index; k < grads.size(); ++k) EXPECT_EQ(grads[k], nullptr) << k;
  }
  // Through grad: integer wrt get zeros.
  Var out = getitem(x, {idx::array(a), idx::at(i)});
  auto g = Lop({out}, {a, i}, {ones_like(out)});
  NDArray av = NDArray::from_vector<int32_t>({1, 0}, {2});
  auto gv = evaluate(g, {{x, rnd({2, 3}, 1)}, {a, av}, {i, NDArray::scalar<int64_t>(1)}});
  EXPECT_EQ(values(gv[0]), (std::vector<double>{0, 0}));
  EXPECT_EQ(gv[1].size(), 1);
  EXPECT_EQ(gv[1].flat_as_double(0), 0.0);
}

// An integer x: its indexing carries no gradient at all.
TEST(SubtensorGrad, IntegerXGivesNoGradient) {
  Var x = matrix("x", "int32");
  Var out = getitem(x, {idx::at(0)});
  Apply& node = *out->owner;
  auto grads = node.op()->L_op(node.inputs(), node.outputs(), {nullptr});
  EXPECT_EQ(grads, (std::vector<Var>{nullptr}));
  Var y = vector("y", "float64");
  Var s = set_subtensor(out, y);  // float y into an int x: the output is int
  auto g2 = s->owner->op()->L_op(s->owner->inputs(), s->owner->outputs(), {nullptr});
  EXPECT_EQ(g2[0], nullptr);
  EXPECT_EQ(g2[1], nullptr);
}

// ---- set_subtensor / inc_subtensor ----

struct SetCase {
  std::string name;
  Shape xshape, yshape;
  std::function<std::vector<Index>()> key;
};

std::vector<SetCase> set_cases() {
  using namespace idx;
  return {
      {"int", {3, 4}, {4}, [] { return std::vector<Index>{at(1)}; }},
      {"int_y_broadcast", {3, 4}, {1}, [] { return std::vector<Index>{at(-1)}; }},
      {"ints_scalar_y",
       {3, 4},
       {},
       [] {
         return std::vector<Index>{at(1), at(2)};
       }},
      {"slices_neg_step", {5, 4}, {2, 4}, [] { return std::vector<Index>{slice(-1, 0, -2)}; }},
      {"slices_y_broadcast_row",
       {5, 4},
       {1, 2},
       [] {
         return std::vector<Index>{slice(std::nullopt, std::nullopt, -1), slice(1, 3)};
       }},
      {"slices_y_broadcast_col",
       {5, 4},
       {5, 1},
       [] {
         return std::vector<Index>{all(), slice(3, std::nullopt, -2)};
       }},
      {"y_extra_leading_dims", {3, 4}, {1, 1, 4}, [] { return std::vector<Index>{at(0)}; }},
      {"newaxis",
       {3, 4},
       {1, 3},
       [] {
         return std::vector<Index>{newaxis(), all(), at(2)};
       }},
      {"array_repeated",
       {3, 4},
       {4, 4},
       [] {
         return std::vector<Index>{array(ints({0, 2, 0, 0}))};
       }},
      {"array_repeated_y_broadcast",
       {3, 4},
       {4},
       [] {
         return std::vector<Index>{array(ints({2, -1, 0}))};
       }},
      {"array_unique",
       {4, 2},
       {3, 2},
       [] {
         return std::vector<Index>{array(ints({3, 0, 1}))};
       }},
      {"two_arrays_repeated",
       {3, 4},
       {2, 3},
       [] {
         return std::vector<Index>{array(ints({0, 2}, {2, 1})), array(ints({1, 1, 3}))};
       }},
      {"mask",
       {3, 4},
       {5},
       [] {
         return std::vector<Index>{array(
             mask({true, false, true, true, false, false, true, false, false, false, false, true},
                  {3, 4}))};
       }},
      {"mask_y_broadcast",
       {3, 4},
       {1},
       [] {
         return std::vector<Index>{all(), array(mask({true, false, true, true}, {4}))};
       }},
      {"mixed_array_slice",
       {3, 4, 2},
       {3, 2, 2},
       [] {
         return std::vector<Index>{array(ints({0, 1, 1})), slice(1, 3)};
       }},
      {"non_adjacent_arrays_y_broadcast",
       {3, 4, 2},
       {1, 4},
       [] {
         return std::vector<Index>{array(ints({0, 2, 0})), all(), array(ints({1, 1, 1}))};
       }},
      {"int_slice_array",
       {3, 4, 2},
       {2, 3},
       [] {
         return std::vector<Index>{at(1), slice(1, std::nullopt), array(ints({0, 0}))};
       }},
  };
}

TEST(SubtensorGrad, SetAndIncWithRespectToXAndY) {
  unsigned seed = 100;
  for (bool set : {true, false}) {
    for (const auto& c : set_cases()) {
      SCOPED_TRACE(std::string(set ? "set " : "inc ") + c.name);
      check(
          [&](const std::vector<Var>& in) {
            Var ix = getitem(in[0], c.key());
            return set ? set_subtensor(ix, in[1]) : inc_subtensor(ix, in[1]);
          },
          {rnd(c.xshape, seed), rnd(c.yshape, seed + 1)});
      seed += 2;
    }
  }
}

TEST(SubtensorGrad, SetAndIncFloat32AndMixedPrecision) {
  unsigned seed = 200;
  for (bool set : {true, false}) {
    for (const auto& c : set_cases()) {
      if (c.name != "slices_y_broadcast_row" && c.name != "array_repeated" && c.name != "mask")
        continue;
      SCOPED_TRACE(std::string(set ? "set " : "inc ") + c.name);
      auto fun = [&](const std::vector<Var>& in) {
        Var ix = getitem(in[0], c.key());
        return set ? set_subtensor(ix, in[1]) : inc_subtensor(ix, in[1]);
      };
      check(fun, {rnd(c.xshape, seed, DType::Float32), rnd(c.yshape, seed + 1, DType::Float32)});
      // A float32 y into a float64 x and the reverse.
      check(fun, {rnd(c.xshape, seed, DType::Float64), rnd(c.yshape, seed + 1, DType::Float32)});
      check(fun, {rnd(c.xshape, seed, DType::Float32), rnd(c.yshape, seed + 1, DType::Float64)});
      seed += 2;
    }
  }
}

// set_subtensor(x[[0, 2, 0]], y): row 0 is written by y[0] and then y[2], so y[0] gets no
// gradient; x's rows 0 and 2 are overwritten and get none either.
TEST(SubtensorGrad, SetWithRepeatedIndicesOnlyTheLandedWriteGetsTheGradient) {
  Var x = matrix("x", "float64");
  Var y = matrix("y", "float64");
  Var out = set_subtensor(getitem(x, {idx::array(ints({0, 2, 0}))}), y);
  NDArray w = NDArray::from_vector<double>({1, 2, 3, 4, 5, 6}, {3, 2});
  auto g = Lop({out}, {x, y}, {constant(w)});
  auto gv = evaluate(g, {{x, rnd({3, 2}, 1)}, {y, rnd({3, 2}, 2)}});
  EXPECT_EQ(values(gv[0]), (std::vector<double>{0, 0, 3, 4, 0, 0}));
  EXPECT_EQ(values(gv[1]), (std::vector<double>{0, 0, 5, 6, 1, 2}));
  // inc: every write counts.
  Var out2 = inc_subtensor(getitem(x, {idx::array(ints({0, 2, 0}))}), y);
  auto g2 = Lop({out2}, {x, y}, {constant(w)});
  auto gv2 = evaluate(g2, {{x, rnd({3, 2}, 1)}, {y, rnd({3, 2}, 2)}});
  EXPECT_EQ(values(gv2[0]), values(w));
  EXPECT_EQ(values(gv2[1]), (std::vector<double>{1, 2, 5, 6, 1, 2}));
}

// A broadcast y written to a repeated location: counted once per landed write.
TEST(SubtensorGrad, SetBroadcastYWithRepeatedIndices) {
  Var x = vector("x", "float64");
  Var y = scalar("y", "float64");
  Var out = set_subtensor(getitem(x, {idx::array(ints({1, 1, -1, 3}))}), y);
  NDArray w = NDArray::from_vector<double>({1, 2, 4, 8}, {4});
  auto g = Lop({out}, {x, y}, {constant(w)});
  auto gv = evaluate(g, {{x, rnd({4}, 1)}, {y, NDArray::scalar(0.5)}});
  EXPECT_EQ(values(gv[0]), (std::vector<double>{1, 0, 4, 0}));
  EXPECT_EQ(gv[1].flat_as_double(0), 2.0 + 8.0);
}

// ---- take ----

TEST(SubtensorGrad, Take) {
  check(
      [](const std::vector<Var>& in) {
        return take(in[0], ints({2, 0, 2, 1}), 1);
      },
      {rnd({2, 3, 2}, 7)});
  check(
      [](const std::vector<Var>& in) {
        return take(in[0], ints({1, 1, 0, 1}, {2, 2}), -1);
      },
      {rnd({3, 2}, 8)});
  check(
      [](const std::vector<Var>& in) {
        return take(in[0], scalar_constant(int64_t{-1}, DType::Int64), 0);
      },
      {rnd({3, 2}, 9)});
}

// ---- composition and second order ----

TEST(SubtensorGrad, ChainedIndexing) {
  check(
      [](const std::vector<Var>& in) {
        Var a = getitem(in[0],
                        {idx::slice(std::nullopt, std::nullopt, -1), idx::array(ints({0, 2, 0}))});
        Var b = inc_subtensor(getitem(a, {idx::at(1)}), in[1]);
        return getitem(set_subtensor(getitem(b, {idx::all(), idx::at(0)}), in[1]),
                       {idx::newaxis(), idx::array(ints({2, 2}))});
      },
      {rnd({3, 4}, 11), rnd({}, 12)});
}

// The gradient of a gradient (verify_grad of a function that returns an L-operator): the
// gradient graphs are indexing ops whose gradients are used again.
TEST(SubtensorGrad, SecondOrder) {
  const NDArray w1 = rnd({3, 2}, 21);
  // d/dx of w1 . (x[[0,2,0], ::-1])^2 = an inc_subtensor of 2 * x[...] * w1.
  check(
      [&](const std::vector<Var>& in) {
        Var s = getitem(in[0],
                        {idx::array(ints({0, 2, 0})), idx::slice(std::nullopt, std::nullopt, -1)});
        return Lop({mul(s, s)}, {in[0]}, {constant(w1)})[0];
      },
      {rnd({3, 2}, 22)});
  const NDArray w2 = rnd({4, 3}, 23);
  check(
      [&](const std::vector<Var>& in) {
        Var t = set_subtensor(getitem(in[0], {idx::slice(1, 3)}), mul(in[1], in[1]));
        Var u = inc_subtensor(getitem(t, {idx::all(), idx::array(ints({2, 2}))}), in[1]);
        auto g = Lop({mul(u, u)}, {in[0], in[1]}, {constant(w2)});
        return add(getitem(g[0], {idx::at(0)}), getitem(g[1], {idx::at(-1)}));
      },
      {rnd({4, 3}, 24), rnd({1}, 25)});
  // Through the landed-writes mask of a set with repeated indices.
  const NDArray w3 = rnd({3, 2}, 26);
  check(
      [&](const std::vector<Var>& in) {
        Var t = set_subtensor(getitem(in[0], {idx::array(ints({0, 2, 0}))}), mul(in[1], in[1]));
        auto g = Lop({mul(t, t)}, {in[0], in[1]}, {constant(w3)});
        return add(g[0], g[1]);
      },
      {rnd({3, 2}, 27), rnd({3, 2}, 28)});
}

}  // namespace
}  // namespace theon
