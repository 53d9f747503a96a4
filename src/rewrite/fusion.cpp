// Fusion: trees of elementwise ops become one Fused op, computed in one pass
// over memory; a sum/prod/max/min of such a tree (or of any float array) becomes a Fused op
// with a reduction, so the tree's values are reduced as they are computed and never stored.
//
// A node joins the tree of one of its clients only when every client of its output is in that
// tree: so nothing outside needs its value and no cycle can arise through the Fused node.
// Limits keep kernels reasonable to compile: at most kMaxInputs inputs and kMaxSteps steps.
#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "theon/ops/fused.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/rewrite/groups.hpp"
#include "util.hpp"

namespace theon {
namespace {

using rewrite_util::node_op;

constexpr size_t kMaxInputs = 24;
constexpr size_t kMaxSteps = 64;

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
  std::unordered_set<Apply*> set;
};

class Fuser {
 public:
  explicit Fuser(FunctionGraph& fg) : fg_(fg) {
    const auto& nodes = fg.nodes();
    for (size_t i = 0; i < nodes.size(); ++i) position_[nodes[i]] = static_cast<int>(i);
  }

  bool run() {
    std::vector<Apply*> nodes = fg_.nodes();
    std::unordered_set<Apply*> taken;
    bool changed = false;
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Apply* node = *it;
      if (taken.count(node)) continue;
      Apply* reduce = nullptr;
      Apply* root = node;
      if (fusable_reduce(node)) {
        reduce = node;
        root = nullptr;
        const Var& x = node->inputs()[0];
        if (x->owner && fusable_elemwise(x->owner) && !taken.count(x->owner) &&
            fg_.clients(x.get()).size() == 1) {
          root = x->owner;
        }
      } else if (!fusable_elemwise(node)) {
        continue;
      }
      Cluster cluster;
      if (root != nullptr) grow(root, cluster, taken);
      for (Apply* m : cluster.members) taken.insert(m);
      if (reduce) taken.insert(reduce);
      replace(cluster, reduce, root);
      changed = true;
    }
    return changed;
  }

 private:
  void grow(Apply* root, Cluster& cluster, const std::unordered_set<Apply*>& taken) {
    auto later_first = [&](Apply* a, Apply* b) { return position_[a] < position_[b]; };
    std::priority_queue<Apply*, std::vector<Apply*>, decltype(later_first)> candidates(later_first);
    std::unordered_set<Apply*> queued{root};
    cluster.members.push_back(root);
    cluster.set.insert(root);
    auto offer_inputs = [&](Apply* n) {
      for (const auto& v : n->inputs()) {
        Apply* owner = v->owner;
        if (owner && !queued.count(owner) && !taken.count(owner) && fusable_elemwise(owner)) {
          queued.insert(owner);
          candidates.push(owner);
        }
      }
    };
    offer_inputs(root);
    // Clients come later in topological order, so popping the latest node first sees all the
    // clients that could have joined already.
    while (!candidates.empty() && cluster.members.size() < kMaxSteps) {
      Apply* n = candidates.top();
      candidates.pop();
      const auto& clients = fg_.clients(&n->output_ref(0));
      const bool all_inside = std::all_of(clients.begin(), clients.end(), [&](const auto& c) {
        return c.first != nullptr && cluster.set.count(c.first);
      });
      if (!all_inside || n->nout() != 1) continue;
      cluster.members.push_back(n);
      cluster.set.insert(n);
      if (count_inputs(cluster) > kMaxInputs) {
        cluster.members.pop_back();
        cluster.set.erase(n);
        continue;
      }
      offer_inputs(n);
    }
    std::sort(cluster.members.begin(), cluster.members.end(), later_first);
  }

  size_t count_inputs(const Cluster& cluster) const {
    std::set<const Variable*> inputs;
    for (Apply* m : cluster.members) {
      for (const auto& v : m->inputs()) {
        if (!v->owner || !cluster.set.count(v->owner)) inputs.insert(v.get());
      }
    }
    return inputs.size();
  }

  void replace(const Cluster& cluster, Apply* reduce, Apply* root) {
    std::vector<Var> inputs;
    std::vector<TensorType> input_types;
    std::unordered_map<const Variable*, int> value_of;
    auto value = [&](const Var& v) {
      auto it = value_of.find(v.get());
      if (it != value_of.end()) return it->second;
      const int index = static_cast<int>(inputs.size());
      inputs.push_back(v);
      input_types.push_back(v->type);
      value_of[v.get()] = index;
      return index;
    };
    // Inputs first (numbered in order of first use), then the steps.
    for (Apply* m : cluster.members) {
      for (const auto& v : m->inputs()) {
        if (!v->owner || !cluster.set.count(v->owner)) value(v);
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
        step.args.push_back(value_of.at(v.get()));
        dtypes.push_back(v->type.dtype);
      }
      const ScalarResolution r = resolve_scalar(step.op->scalar(), dtypes,
                                                step.op->cast_target().value_or(DType::Float64));
      step.compute = r.compute;
      step.output = r.output;
      value_of[&m->output_ref(0)] = nin + static_cast<int>(steps.size());
      steps.push_back(std::move(step));
    }
    const int result = root ? value_of.at(&root->output_ref(0)) : 0;
    std::optional<FusedReduction> reduction;
    if (reduce) {
      const Reduce* r = node_op<Reduce>(reduce);
      reduction = FusedReduction{r->kind(), r->axes(), r->keepdims()};
    }
    // The fused node takes the creation trace of the last member, which it replaces.
    Apply* last = reduce ? reduce : root;
    auto op =
        std::make_shared<Fused>(input_types, std::move(steps), std::vector<int>{result}, reduction);
    const Var fused = make_node1(op, inputs);
    fg_.replace(last->output(0), fused, "fusion");
  }

  FunctionGraph& fg_;
  std::unordered_map<Apply*, int> position_;
};

}  // namespace

std::vector<GraphRewriter> fusion_rewriters() {
  return {{"fusion", [](FunctionGraph& fg) { return Fuser(fg).run(); }, {"fast_run", "fusion"}}};
}

}  // namespace theon
