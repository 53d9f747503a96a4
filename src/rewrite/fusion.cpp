// Fusion: trees of elementwise ops become one Fused op, computed in one pass
// over memory; a sum/prod/max/min of such a tree (or of any float array) becomes a Fused op
// with a reduction, so the tree's values are reduced as they are computed and never stored.
//
// A node joins the tree of one of its clients when every client of its output is in that tree,
// or, for a loop without reduction, when its value has the loop's broadcast pattern and every
// outside reader comes after the tree's root in the graph's order: the loop then writes that
// value as a further output, and the Fused node can stand at the root's place in the order, so
// no reader of it is its own ancestor. A value used several times inside is one step, computed
// once per element. There is no cap on the number of inputs, outputs or steps: the generated
// kernel takes operand pointers and strides in arrays.
#include <algorithm>
#include <queue>

#include "theon/graph/pointer_map.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/fused.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using rewrite_util::node_op;

// Elemwise nodes the code generator can emit: every scalar op has a C expression, except that
// integer pow (which raises for negative exponents) stays on its precompiled kernel.
bool fusable_elemwise(Apply* node) {
  const Elemwise* op = node_op<Elemwise>(node);
  if (op == nullptr || op->inplace_input() >= 0 || op->scalar().c_expr.empty()) return false;
  std::vector<DType> in;
  for (const auto& v : node->inputs()) in.push_back(v->type.dtype);
  const ScalarResolution r =
      resolve_scalar(op->scalar(), in, op->cast_target().value_or(DType::Float64));
  return !(op->scalar().name == "pow" && !is_float(r.compute));
}

bool fusable_reduce(Apply* node) {
  const Reduce* op = node_op<Reduce>(node);
  if (op == nullptr || !reduction_rule(op->kind()).fusable) return false;
  const DType dt = node->inputs()[0]->type.dtype;
  return (dt == DType::Float32 || dt == DType::Float64) && node->output_ref(0).type.dtype == dt;
}

struct Cluster {
  std::vector<Apply*> members;  // topological order once sorted
  PointerSet<Apply> set;
  std::vector<Apply*> extra_outputs;  // members whose value is also read outside
};

// Same rank and the same static size-1 dimensions: the value spans the loop's iterations (a
// value of a smaller shape at run time sends the kernel to the reference path).
bool same_broadcast_pattern(const Type& a, const Type& b) {
  if (a.ndim() != b.ndim()) return false;
  for (int d = 0; d < a.ndim(); ++d) {
    if (a.broadcastable(d) != b.broadcastable(d)) return false;
  }
  return true;
}

class Fuser {
 public:
  explicit Fuser(FunctionGraph& fg) : fg_(fg) {
    const auto& nodes = fg.nodes();
    position_.reserve(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) position_.try_emplace(nodes[i], static_cast<int>(i));
  }

  bool run() {
    std::vector<Apply*> nodes = fg_.nodes();
    PointerSet<Apply> taken;
    bool changed = false;
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Apply* node = *it;
      if (taken.contains(node)) continue;
      Apply* reduce = nullptr;
      Apply* root = node;
      if (fusable_reduce(node)) {
        reduce = node;
        root = nullptr;
        const Var& x = node->inputs()[0];
        if (x->owner && fusable_elemwise(x->owner) && !taken.contains(x->owner) &&
            fg_.clients(x.get()).size() == 1 && x->type.device == node->output_ref(0).type.device) {
          root = x->owner;
        }
      } else if (!fusable_elemwise(node)) {
        continue;
      }
      Cluster cluster;
      if (root != nullptr) grow(root, cluster, taken, reduce == nullptr);
      for (Apply* m : cluster.members) taken.insert(m);
      if (reduce) taken.insert(reduce);
      replace(cluster, reduce, root);
      changed = true;
    }
    return changed;
  }

 private:
  void grow(Apply* root, Cluster& cluster, const PointerSet<Apply>& taken, bool extra_outputs) {
    auto later_first = [&](Apply* a, Apply* b) { return position(a) < position(b); };
    std::priority_queue<Apply*, std::vector<Apply*>, decltype(later_first)> candidates(later_first);
    PointerSet<Apply> queued;
    queued.insert(root);
    cluster.members.push_back(root);
    cluster.set.insert(root);
    auto offer_inputs = [&](Apply* n) {
      for (const auto& v : n->inputs()) {
        Apply* owner = v->owner;
        // One kernel runs on one device: a host node read by a device node stays apart.
        if (owner && !queued.contains(owner) && !taken.contains(owner) && fusable_elemwise(owner) &&
            owner->output_ref(0).type.device == root->output_ref(0).type.device) {
          queued.insert(owner);
          candidates.push(owner);
        }
      }
    };
    offer_inputs(root);
    // Clients come later in topological order, so popping the latest node first sees all the
    // clients that could have joined already.
    while (!candidates.empty()) {
      Apply* n = candidates.top();
      candidates.pop();
      if (n->nout() != 1) continue;
      bool read_outside = false, read_before_root = false;
      for (const auto& [client, index] : fg_.clients(&n->output_ref(0))) {
        if (client != nullptr && cluster.set.contains(client)) continue;
        read_outside = true;
        if (client != nullptr && position(client) < position(root)) read_before_root = true;
      }
      if (read_outside &&
          (!extra_outputs || read_before_root ||
           !same_broadcast_pattern(n->output_ref(0).type, root->output_ref(0).type))) {
        continue;
      }
      cluster.members.push_back(n);
      cluster.set.insert(n);
      if (read_outside) cluster.extra_outputs.push_back(n);
      offer_inputs(n);
    }
    std::sort(cluster.members.begin(), cluster.members.end(), later_first);
  }

  void replace(const Cluster& cluster, Apply* reduce, Apply* root) {
    std::vector<Var> inputs;
    std::vector<TensorType> input_types;
    PointerMap<Variable, int> value_of;
    auto value = [&](const Var& v) {
      const auto [index, fresh] = value_of.try_emplace(v.get(), static_cast<int>(inputs.size()));
      if (fresh) {
        inputs.push_back(v);
        input_types.push_back(v->type);
      }
      return *index;
    };
    auto value_at = [&](const Variable& v) { return *value_of.find(&v); };
    // Inputs first (numbered in order of first use), then the steps.
    for (Apply* m : cluster.members) {
      for (const auto& v : m->inputs()) {
        if (!v->owner || !cluster.set.contains(v->owner)) value(v);
      }
    }
    if (cluster.members.empty()) value(reduce->inputs()[0]);
    std::vector<FusedStep> steps;
    const int nin = static_cast<int>(inputs.size());
    for (Apply* m : cluster.members) {
      FusedStep step;
      step.op = std::dynamic_pointer_cast<const Elemwise>(m->op());
      std::vector<DType> dtypes;
      for (const auto& v : m->inputs()) {
        step.args.push_back(value_at(*v));
        dtypes.push_back(v->type.dtype);
      }
      const ScalarResolution r = resolve_scalar(step.op->scalar(), dtypes,
                                                step.op->cast_target().value_or(DType::Float64));
      step.compute = r.compute;
      step.output = r.output;
      value_of.try_emplace(&m->output_ref(0), nin + static_cast<int>(steps.size()));
      steps.push_back(std::move(step));
    }
    // The root's value is output 0, then the values also read outside, latest first.
    std::vector<int> results{root ? value_at(root->output_ref(0)) : 0};
    for (Apply* m : cluster.extra_outputs) results.push_back(value_at(m->output_ref(0)));
    std::optional<FusedReduction> reduction;
    if (reduce) {
      const Reduce* r = node_op<Reduce>(reduce);
      reduction = FusedReduction{r->kind(), r->axes(), r->keepdims()};
    }
    // The fused node takes the creation trace of the last member, which it replaces; each
    // further output replaces its member's value.
    Apply* last = reduce ? reduce : root;
    auto op = std::make_shared<Fused>(input_types, std::move(steps), std::move(results), reduction);
    const std::vector<Var> fused = make_node(op, inputs);
    // Its inputs come before the root and its readers after: the root's place keeps the order
    // topological for the outside-reader test of later trees.
    position_.try_emplace(fused[0]->owner, position(last));
    fg_.replace(last->output(0), fused[0], "fusion");
    for (size_t k = 0; k < cluster.extra_outputs.size(); ++k) {
      fg_.replace(cluster.extra_outputs[k]->output(0), fused[k + 1], "fusion");
    }
  }

  // Every node the order numbers: those of the graph, and the Fused nodes built here.
  int position(const Apply* node) const { return *position_.find(node); }

  FunctionGraph& fg_;
  PointerMap<Apply, int> position_;
};

// (y, m) where x is y - m with m = max(y, axis, keepdims=True); nulls otherwise.
std::pair<Var, Var> shifted_by_max(const Var& x, const std::vector<int64_t>& axis) {
  const Elemwise* op = x->owner ? node_op<Elemwise>(x->owner) : nullptr;
  if (op == nullptr || op->scalar().name != "sub") return {};
  const Var& y = x->owner->inputs()[0];
  const Var& m = x->owner->inputs()[1];
  if (!rewrite_util::is_keepdims_max_of(m, y, axis) || y->type != x->type) return {};
  return {y, m};
}

// softmax(x) along an axis other than the last of a float array -> exp(x - m) / sum(exp(x - m))
// with m the max along the axis, before fusion makes that three generated loops: the max, the
// sum of the exponentials (never stored) and the quotient, each vectorized with m and the sum
// loaded once per row, where the Softmax op's kernel walks strided rows one element at a time.
// Along the last axis the op's kernel is vectorized and reads each row from memory once, which
// beats three loops over the whole array (BENCHMARKS.md): there softmax(y - max(y)) (what the
// stabilizer makes of the written-out softmax) becomes softmax(y), its own value (the max of
// y - max(y) is 0 where finite, and NaN rows stay NaN either way). Special values as in the op:
// a NaN or +inf makes its whole row NaN.
bool expand_softmax(FunctionGraph& fg) {
  bool changed = false;
  for (Apply* node : fg.nodes()) {
    const Softmax* op = node_op<Softmax>(node);
    if (op == nullptr || op->log() || !op->axis()) continue;
    Var x = node->inputs()[0];
    if (x->type.dtype != DType::Float32 && x->type.dtype != DType::Float64) continue;
    const std::vector<int64_t> axis{*op->axis()};
    auto [y, y_max] = shifted_by_max(x, axis);
    if (*op->axis() == x->type.ndim() - 1) {
      if (!y) continue;
      fg.replace(node->output(0), softmax(y, *op->axis()), "softmax_loops");
      changed = true;
      continue;
    }
    Var m = max(x, axis, true);
    if (y) {
      x = y;
      m = y_max;
    }
    // Two exponentials: one is summed as it is computed, the other divided as it is written.
    const Var total = sum(exp(x - m), axis, true);
    fg.replace(node->output(0), true_divide(exp(x - m), total), "softmax_loops");
    changed = true;
  }
  return changed;
}

}  // namespace

std::vector<GraphRewriter> fusion_rewriters() {
  return {{"softmax_loops", expand_softmax, {"fast_run", "fusion"}},
          {"fusion", [](FunctionGraph& fg) { return Fuser(fg).run(); }, {"fast_run", "fusion"}}};
}

}  // namespace theon
