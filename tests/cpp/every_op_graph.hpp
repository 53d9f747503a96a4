// A graph holding every op kind (every builder of the registry that accepts plain float
// inputs, plus the ops only rewrites, gradients or explicit arguments build: inplace variants,
// Gemm/Gemv/Ger, Fused, MapRange, ...), with values for its inputs; and a structural
// comparison of two graphs, for the serialization tests.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/ops/conv.hpp"
#include "theon/ops/fused.hpp"
#include "theon/ops/gemm.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/max_exp_sum.hpp"
#include "theon/ops/pool.hpp"
#include "theon/ops/print.hpp"
#include "theon/ops/random.hpp"
#include "theon/ops/scan.hpp"
#include "theon/ops/sparse.hpp"
#include "theon/ops/transfer.hpp"
#include "theon/theon.hpp"

namespace theon::test_util {

struct OpGraph {
  std::vector<Var> outputs;
  std::vector<std::pair<Var, NDArray>> values;  // for every input
};

inline Var input(OpGraph& g, const std::string& name, const NDArray& value,
                 StaticShape shape = {}) {
  if (shape.empty()) shape.assign(value.ndim(), kUnknownDim);
  Var v = make_input(TensorType(value.dtype(), shape), name);
  g.values.emplace_back(v, value);
  return v;
}

// The optimized graph of `outs` (its nodes are the compiled function's), which must hold a
// Fused node.
inline std::vector<Var> compiled_graph(const std::vector<Var>& inputs,
                                       const std::vector<Var>& outs) {
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  auto f = function(std::vector<In>(inputs.begin(), inputs.end()),
                    std::vector<Out>(outs.begin(), outs.end()), o);
  int fused = 0;
  for (Apply* node : f->graph().nodes()) fused += dynamic_cast<const Fused*>(node->op().get()) != 0;
  EXPECT_GT(fused, 0) << debugprint(f->graph().outputs());
  return f->graph().outputs();
}

inline OpGraph every_op_graph() {
  OpGraph g;
  const NDArray xv = iota(DType::Float64, {3, 4}, -5).astype(DType::Float64);
  Var x = input(g, "x", xv);
  Var y = input(g, "y", iota(DType::Float64, {3, 4}, 1));
  Var cond = input(g, "cond", iota(DType::Int64, {3, 4}).astype(DType::Bool));
  Var s = input(g, "s", iota(DType::Float64, {4, 4}, 0.5));
  Var u = input(g, "u", iota(DType::Float64, {3}, 1));
  Var v = input(g, "v", iota(DType::Float64, {4}, 2));
  Var row = input(g, "row", iota(DType::Float64, {1, 4}), {1, 4});
  Var row_unknown = input(g, "row_unknown", iota(DType::Float64, {1, 4}));
  Var t = input(g, "t", iota(DType::Float64, {2, 3, 4}));
  Var t2 = input(g, "t2", iota(DType::Float64, {2, 4, 3}));
  Var i = input(g, "i", NDArray::scalar<int64_t>(1));
  Var labels = input(g, "labels", NDArray::from_vector<int64_t>({0, 3, 1}, {3}));
  auto keep = [&](const Var& out) { g.outputs.push_back(out); };
  auto keep_all = [&](const std::vector<Var>& outs) {
    for (const Var& o : outs) keep(o);
  };

  // Every builder that takes one, two or three plain inputs without parameters.
  const std::vector<std::vector<Var>> candidates{{x}, {x, y}, {cond, x, y}};
  for (const std::string& name : builder_names()) {
    // The sparse ops are built below, on matrices made from dense ones.
    if (name.rfind("sparse.", 0) == 0) continue;
    for (const auto& in : candidates) {
      try {
        LocationScope where("every_op_graph:" + name);
        keep_all(build(name, in, Params{}));
        break;
      } catch (const Error&) {
      }
    }
  }

  LocationScope where("every_op_graph:explicit");
  const Var half = scalar_constant(0.5, DType::Float64), two = scalar_constant(2.0, DType::Float64);
  keep(cast(x, DType::Float32));
  keep(make_node1(std::make_shared<Elemwise>(find_scalar_op("add"), std::nullopt, 0), {exp(x), y}));
  keep(clip(x, -1.0, 2.0));
  for (bool keepdims : {false, true}) {
    keep(sum(x, std::vector<int64_t>{1}, keepdims));
    keep(prod(x, std::vector<int64_t>{0}, keepdims));
    keep(max(x, std::vector<int64_t>{0, 1}, keepdims));
    keep(min(x, std::nullopt, keepdims));
    keep(argmax(x, std::vector<int64_t>{1}, keepdims));
    keep(argmin(x, std::vector<int64_t>{0}, keepdims));
    keep(any(cond, std::vector<int64_t>{1}, keepdims));
    keep(all(cond, std::nullopt, keepdims));
  }
  keep(var(x, std::vector<int64_t>{1}, false, 1));
  keep(reduce_count(x, std::vector<int64_t>{0}, 1, DType::Int64));
  keep(cumsum(x, 1));
  keep(cumprod(x, std::nullopt));

  keep(shape(x));
  keep(shape_i(x, 1));
  keep(size(x));
  keep(checked_product({shape_i(x, 0), i}, 8));
  keep(make_vector({shape_i(x, 0), i}, DType::Int64));
  keep(reshape(x, std::vector<int64_t>{4, 3}));
  keep(flatten(t, 2));
  keep(dimshuffle(x, {1, kNewAxis, 0}));
  keep(squeeze(row_unknown, std::vector<int64_t>{0}));
  keep(specify_shape(x, std::vector<int64_t>{3, -1}));

  const Var picks = constant(NDArray::from_vector<int64_t>({0, 2, 2}, {3}));
  const Var basic = getitem(x, {idx::at(IndexValue(i)), idx::slice(1, std::nullopt, 2)});
  const Var sliced = getitem(x, {idx::slice(IndexValue(i), 3), idx::newaxis()});
  const Var advanced = getitem(x, {idx::all(), idx::array(picks)});
  keep(basic);
  keep(sliced);
  keep(advanced);
  keep(getitem(x, {idx::array(greater(x, scalar_constant(0.0, DType::Float64)))}));
  keep(set_subtensor(sliced, scalar_constant(7.0, DType::Float64)));
  keep(inc_subtensor(advanced, dimshuffle(u, {0, kNewAxis})));
  {
    const auto& spec = static_cast<const IndexingOp&>(*sliced->owner->op()).spec();
    keep(make_node1(std::make_shared<IncSubtensor>(spec, false, true), {exp(x), two, i}));
    const auto& adv = static_cast<const IndexingOp&>(*advanced->owner->op()).spec();
    keep(make_node1(std::make_shared<AdvancedIncSubtensor>(adv, true, true), {exp(x), two, picks}));
  }

  keep(concatenate({x, y}, 1));
  keep_all(split(x, std::vector<int64_t>{1, 3}, 1));
  keep(alloc(half, {shape_i(x, 0), shape_i(x, 1)}));
  keep(broadcast_view(half, {shape_i(x, 0), shape_i(x, 1)}));
  // No elements: AllocEmpty's values are not defined, its shape is.
  keep(alloc_empty({shape_i(x, 0), scalar_constant(int64_t{0}, DType::Int64)}, DType::Float32));
  keep(zeros_like(x));
  keep(eye(3, 4, 1, DType::Float32));
  keep(arange(0, 7, 2));
  keep(tile(x, {2, 1}));
  keep(repeat(x, 2, 1));
  keep(repeat_sum(x, constant(NDArray::from_vector<int64_t>({1, 2, 1}, {3})),
                  scalar_constant(int64_t{3}, DType::Int64), 1));

  keep(dot(x, s));
  keep(matmul(x, s));
  keep(tensordot(x, s, {1}, {0}));
  keep(outer(u, v));
  keep(batched_dot(t, t2));
  keep(gemm(exp(x), half, x, s, two));
  keep(gemm(exp(x), half, x, s, two, false, true, true));
  keep(gemm(exp(s), half, s, s, two, true, false));
  keep(gemv(exp(u), half, x, v, two));
  keep(gemv(exp(v), half, x, u, two, true, true));
  keep(ger(exp(x), half, u, v, true));
  keep(ger(x, half, u, v));

  // Extra ops (src/ops/extra/) whose inputs or parameters the loop above does not give.
  const Var dims = constant(NDArray::from_vector<int64_t>({2, 2}, {2}));
  keep(build("searchsorted", {v, x}, Params({{"side", std::string("right")}}))[0]);
  keep(build("bincount", {labels}, Params({{"minlength", int64_t{5}}}))[0]);
  keep(build("bincount", {labels, u}, Params{})[0]);
  keep_all(build("unravel_index", {labels, dims}, Params({{"order", std::string("F")}})));
  keep(build("ravel_multi_index", {labels, labels, dims},
             Params({{"mode", std::string("clip")}}))[0]);
  keep(build("choose", {labels, t2}, Params({{"mode", std::string("wrap")}}))[0]);
  keep_all(build("unique", {x},
                 Params({{"return_index", true},
                         {"return_inverse", true},
                         {"return_counts", true},
                         {"axis", int64_t{1}}})));

  keep(sort(x, std::nullopt));
  keep(argsort(x, 0));
  keep(softmax(x, 1));
  keep_all(max_exp_sum(x, true));
  keep(log_softmax(x, std::nullopt));
  keep_all(crossentropy_softmax_argmax_1hot_with_bias(x, v, labels));
  keep(crossentropy_softmax_1hot_with_bias_dx(u, softmax(x, 1), labels));
  {
    // A tridiagonal system in band storage (diagonal 4: nonsingular); its gradient holds the
    // band outer product.
    Var ab = input(g, "ab", iota(DType::Float64, {3, 3}, 1));
    const Var band =
        ab + constant(NDArray::from_vector<double>({0, 0, 0, 9, 9, 9, 0, 0, 0}, {3, 3}));
    const Var solution = solve_banded(band, u, 1, 1);
    keep(solution);
    keep(grad(sum(solution), ab));
  }
  {
    // Convolutions and pooling over images of (2, 4, 5, 6), in groups of 2, padded and strided.
    Var img = input(g, "img", iota(DType::Float64, {2, 4, 5, 6}, -3));
    Var filt = input(g, "filt", iota(DType::Float64, {6, 2, 3, 2}, 1));
    const Conv2dSpec spec =
        Conv2dSpec::make("every_op_graph", "pad", {1, 0}, {2, 1}, {1, 2}, 2, true);
    const Var y = conv2d(img, filt, spec);
    keep(y);
    keep(conv2d_grad_wrt_inputs(y, filt, make_vector({shape_i(img, 2), shape_i(img, 3)}), spec));
    keep(conv2d_grad_wrt_weights(
        img, y, make_vector({shape_i(filt, 2), shape_i(filt, 3)}),
        Conv2dSpec::make("every_op_graph", "pad", {1, 0}, {2, 1}, {1, 2}, 2, false)));
    const PoolSpec pool = PoolSpec::make("every_op_graph", {3, 2}, {2, 1}, {1, 0}, true, "max");
    const Var m = pool_2d(img, pool);
    keep(max_pool_grad(img, m, m, pool));
    keep(max_pool_grad_grad(img, m, img, pool));
    const PoolSpec avg =
        PoolSpec::make("every_op_graph", {2, 3}, {1, 2}, {0, 0}, false, "average_exc_pad");
    keep(average_pool_grad(img, pool_2d(img, avg), avg));
    // CTC over 3 steps of 2 sequences of 3 classes.
    Var act = input(g, "act", iota(DType::Float64, {3, 2, 3}, -2));
    Var ctc_labels = input(g, "ctc_labels", NDArray::from_vector<int64_t>({1, 2, 2, -1}, {2, 2}));
    Var ctc_lengths = input(g, "ctc_lengths", NDArray::from_vector<int64_t>({3, 3}, {2}));
    keep_all(build("ctc", {act, ctc_labels, ctc_lengths}, Params{}));
    keep_all(build("ctc_grad", {act, ctc_labels, ctc_lengths}, Params{}));
  }

  keep(sum_to_shape(exp(x), row));
  keep(sum_to_dims(exp(x), {scalar_constant(int64_t{1}, DType::Int64), shape_i(x, 1)}, {1, -1}));
  keep(zero_grad(x));
  keep(disconnected_grad(x));
  keep(grad_clip(x, -1.5, 2.5));
  keep(grad_scale(x, 3.0));
  keep_all(jacobian(exp(v) * v, {v}));
  keep_all(ifelse(i, {exp(x), v}, {y, v * v}));
  keep(print(x, "every_op_graph", {"shape", "sum"}));
  keep(transfer(exp(transfer(x, parse_device("opencl0:0"))), Device{}));
  {
    // A scan over the rows of x with a recurrent and a stacked output; v is read by the body.
    ScanParts loop;
    loop.spec.n_seqs = 1;
    loop.spec.taps = {{-1}};
    loop.spec.n_nitsot = 1;
    loop.spec.name = "every_op";
    Var row = make_input(TensorType(DType::Float64, {kUnknownDim}), "x_t");
    Var prev = make_input(TensorType(DType::Float64, {kUnknownDim}), "h_tm1");
    loop.inner_inputs = {row, prev};
    loop.inner_outputs = {tanh(prev * row) + v, sum(row * prev)};
    loop.outer_inputs = {shape_i(x, 0), x, expand_dims(v, {0})};
    keep_all(make_scan(loop));
  }

  {
    // Random draws, whose generator state is a value kind of its own.
    const Var state = generator_state(7, 0, "rng");
    const Var size = constant(NDArray::from_vector<int64_t>({2, 3}, {2}));
    const Var three = constant(NDArray::scalar<int64_t>(3));
    auto draw = [&](const RandomDraw& r) { keep_all({r.new_state, r.sample}); };
    draw(random_draw("normal", state, size, {half, two}));
    draw(random_multinomial(state, size, three,
                            constant(NDArray::from_vector<double>({0.25, 0.75}, {2}))));
    draw(random_choice(state, size, three, nullptr, true));
    draw(random_permutation(state, size, three));
    draw(random_shuffle_rows(state, x));
    keep(advance_generator_state(state, three));
  }

  {
    // Sparse ops, on a matrix made from x; each sparse result is made dense again, so that
    // every output is an array.
    LocationScope sparse_where("every_op_graph:sparse");
    const Var s = sparse_from_dense(x, SparseFormat::Csr);
    const Var st = sparse_transpose(s);
    auto dense = [&](const Var& v) { keep(dense_from_sparse(v)); };
    dense(sparse_convert(s, SparseFormat::Csc));
    keep(sample_dense(s, y));
    keep(structured_dot(s, dimshuffle(y, {1, 0})));
    dense(true_dot(s, st));
    dense(sampling_dot(x, y, sparse_from_dense(dot(x, dimshuffle(y, {1, 0})), SparseFormat::Csr)));
    keep(sp_sum(s, 0, false));
    dense(sparse_mul(s, y));
    dense(sparse_mul(s, s));
    dense(sparse_add(s, s));
    keep(sparse_add(s, y));
    const Var unary = structured_unary("sin", s);
    const Var stacked = sparse_stack({s, s}, true, SparseFormat::Csr);
    keep(grad(sum(dense_from_sparse(unary)) + sum(dense_from_sparse(stacked)), x));
  }

  keep(constant(xv, "xconst") * x);
  auto cell = std::make_shared<SharedValue>(iota(DType::Float64, {4}), "w");
  keep(make_shared(cell, TensorType(DType::Float64, {kUnknownDim})) * v);
  keep(make_shared(cell, TensorType(DType::Float64, {4})) + v);

  keep_all(compiled_graph({x, y}, {exp(x) * y + 1.0, sum(exp(x) * 2.0, std::vector<int64_t>{1})}));
  {
    // A mask the loop that reads it draws itself (FusedDraw): a compiled dropout.
    const Var state = generator_state(9, 0, "dropout_rng");
    const Var size = constant(NDArray::from_vector<int64_t>({3, 4}, {2}));
    const Var trials = constant(NDArray::scalar<int64_t>(1));
    const RandomDraw mask = random_draw("binomial", state, size, {trials, half}, DType::Float64);
    FunctionOptions o;
    o.mode.name = "FAST_RUN";
    auto f = function({In(x)}, {Out(x * mask.sample)}, o);
    int draws = 0;
    for (Apply* node : f->graph().nodes()) draws += node->op()->type_name() == "FusedDraw";
    EXPECT_EQ(draws, 1) << debugprint(f->graph().outputs());
    keep_all(f->graph().outputs());
  }
  return g;
}

// The op type names of a graph's nodes and of the ops nested in their fields.
inline void collect_op_names(const PropValue& v, std::set<std::string>& names) {
  if (v.kind() == PropValue::Kind::Op) {
    names.insert(v.as_op("")->type_name());
    for (const PropField& f : v.as_op("")->fields()) collect_op_names(f.value, names);
  } else if (v.kind() == PropValue::Kind::List) {
    for (const PropValue& item : v.as_list("")) collect_op_names(item, names);
  }
}
inline std::set<std::string> op_names(const std::vector<Var>& outputs) {
  std::set<std::string> names;
  for (Apply* node : toposort(outputs)) {
    collect_op_names(PropValue::op(node->op()), names);
  }
  return names;
}

// Checks that two graphs are equal: the same structure, equal ops (variables inside op fields
// matched like the rest), types, names, traces, constant values and shared cells (distinct
// cells in `a` map to distinct cells in `b`).
class GraphMatcher {
 public:
  // The leaf of `b_leaves` matched to `a` (null if none).
  Var counterpart(const Var& a, const std::vector<Var>& b_leaves) const {
    auto it = vars_.find(a.get());
    if (it == vars_.end()) return nullptr;
    for (const Var& v : b_leaves) {
      if (v.get() == it->second) return v;
    }
    return nullptr;
  }

  void match(const Var& a, const Var& b) {
    ASSERT_TRUE(a && b);
    auto it = vars_.find(a.get());
    if (it != vars_.end()) {
      EXPECT_EQ(it->second, b.get()) << var_label(*a);
      return;
    }
    vars_[a.get()] = b.get();
    EXPECT_EQ(a->type, b->type) << var_label(*a);
    EXPECT_EQ(a->name, b->name);
    EXPECT_EQ(a->where, b->where) << var_label(*a);
    EXPECT_EQ(a->is_input(), b->is_input());
    EXPECT_EQ(a->is_constant(), b->is_constant());
    EXPECT_EQ(a->is_shared(), b->is_shared());
    EXPECT_EQ(a->index, b->index);
    if (a->is_constant() && b->is_constant()) expect_same_array(*a->constant, *b->constant);
    if (a->is_shared() && b->is_shared()) {
      auto [c, fresh] = cells_.emplace(a->shared.get(), b->shared.get());
      EXPECT_EQ(c->second, b->shared.get()) << "shared cell of " << var_label(*a);
      EXPECT_NE(a->shared.get(), b->shared.get());
      if (fresh) {
        EXPECT_EQ(a->shared->name, b->shared->name);
        expect_same_array(a->shared->value, b->shared->value);
      }
    }
    ASSERT_EQ(a->owner == nullptr, b->owner == nullptr);
    if (!a->owner) return;
    const Apply& na = *a->owner;
    const Apply& nb = *b->owner;
    EXPECT_EQ(na.where(), nb.where());
    EXPECT_EQ(na.nout(), nb.nout());
    match_op(*na.op(), *nb.op());
    ASSERT_EQ(na.inputs().size(), nb.inputs().size());
    for (size_t k = 0; k < na.inputs().size(); ++k) match(na.inputs()[k], nb.inputs()[k]);
  }

 private:
  void match_op(const Op& a, const Op& b) {
    EXPECT_EQ(a.type_name(), b.type_name());
    const Props fa = a.fields(), fb = b.fields();
    ASSERT_EQ(fa.size(), fb.size()) << a.name();
    bool has_vars = false;
    for (size_t k = 0; k < fa.size(); ++k) {
      EXPECT_EQ(fa[k].name, fb[k].name);
      has_vars = match_value(fa[k].value, fb[k].value) || has_vars;
    }
    // Ops holding variables compare those by identity; all others must be equal ops.
    if (!has_vars) {
      EXPECT_TRUE(a.equals(b)) << a.name() << " vs " << b.name();
      EXPECT_EQ(a.hash(), b.hash()) << a.name();
      EXPECT_EQ(a.name(), b.name());
    }
  }

  // Returns whether the values hold variables.
  bool match_value(const PropValue& a, const PropValue& b) {
    EXPECT_EQ(a.kind(), b.kind());
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
      case PropValue::Kind::Var:
        match(a.as_var(""), b.as_var(""));
        return true;
      case PropValue::Kind::List: {
        const auto& la = a.as_list("");
        const auto& lb = b.as_list("");
        EXPECT_EQ(la.size(), lb.size());
        bool vars = false;
        for (size_t k = 0; k < std::min(la.size(), lb.size()); ++k) {
          vars = match_value(la[k], lb[k]) || vars;
        }
        return vars;
      }
      case PropValue::Kind::Op:
        match_op(*a.as_op(""), *b.as_op(""));
        return false;
      default:
        EXPECT_TRUE(a == b) << a.str() << " vs " << b.str();
        return false;
    }
  }

  static void expect_same_array(const NDArray& a, const NDArray& b) {
    EXPECT_EQ(a.dtype(), b.dtype());
    EXPECT_EQ(a.shape(), b.shape());
    if (a.dtype() == b.dtype() && a.shape() == b.shape()) {
      const NDArray ca = a.copy(), cb = b.copy();
      EXPECT_EQ(std::memcmp(ca.raw(), cb.raw(), ca.nbytes()), 0);
    }
  }

  std::map<const Variable*, const Variable*> vars_;
  std::map<const SharedValue*, const SharedValue*> cells_;
};

}  // namespace theon::test_util
