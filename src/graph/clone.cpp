#include "theon/graph/clone.hpp"

#include <unordered_map>
#include <unordered_set>

#include "theon/core/error.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/pointer_map.hpp"

namespace theon {

std::vector<Var> clone_replace(const std::vector<Var>& outputs,
                               const std::vector<std::pair<Var, Var>>& replace) {
  PointerMap<Variable, Var> memo;  // a node's outputs -> its copy's
  std::unordered_map<const Variable*, Var> givens;
  for (const auto& [from, to] : replace) {
    if (!from->type.compatible_with(to->type)) {
      throw TypeError("cannot replace " + var_label(*from) + " of type " + from->type.str() +
                      " by " + var_label(*to) + " of type " + to->type.str());
    }
    givens[from.get()] = to;
  }
  auto mapped = [&](const Var& v) -> Var {
    auto g = givens.find(v.get());
    const Var& src = g == givens.end() ? v : g->second;
    const Var* m = memo.find(src.get());
    return m ? *m : src;
  };
  auto copy_nodes = [&](const std::vector<Var>& roots) {
    const std::vector<Apply*> order = toposort(roots);
    memo.reserve(memo.size() + order.size());
    for (Apply* node : order) {
      if (memo.contains(&node->output_ref(0))) continue;
      std::vector<Var> ins;
      for (const auto& in : node->inputs()) ins.push_back(mapped(in));
      std::vector<TensorType> types = output_types_on_device(*node->op(), ins);
      auto copy =
          std::make_shared<Apply>(node->op(), std::move(ins), types, node->where(), node->origin());
      for (int i = 0; i < node->nout(); ++i) {
        Var o = copy->output(i);
        o->name = node->output_ref(i).name;
        memo.try_emplace(&node->output_ref(i), std::move(o));
      }
    }
  };
  // The replacement graphs are copied first so that their users find them copied.
  std::vector<Var> targets;
  for (const auto& [_, to] : replace) targets.push_back(to);
  copy_nodes(targets);
  copy_nodes(outputs);
  std::vector<Var> out;
  for (const auto& o : outputs) out.push_back(mapped(o));
  return out;
}

std::vector<NDArray> evaluate(const std::vector<Var>& outputs,
                              const std::vector<std::pair<Var, NDArray>>& values) {
  // Values of any kind flow between the nodes (sparse matrices); the outputs are arrays.
  std::unordered_map<const Variable*, Value> value_of;
  for (const auto& [v, a] : values) value_of[v.get()] = Value(a);
  auto lookup = [&](const Var& v) -> const Value& {
    auto it = value_of.find(v.get());
    if (it != value_of.end()) return it->second;
    if (v->is_constant()) return value_of[v.get()] = Value(*v->constant);
    if (v->is_shared()) {
      return value_of[v.get()] =
                 v->shared->object ? Value(v->shared->object) : Value(v->shared->load());
    }
    throw ValueError("evaluate: no value given for input '" + var_label(*v) + "' (" +
                     v->type.str() + ")");
  };
  // Only the nodes needed between the outputs and the variables given values are run.
  const std::vector<Apply*> order = toposort(outputs);
  std::unordered_set<const Apply*> needed;
  for (const auto& o : outputs) {
    if (o->owner && !value_of.count(o.get())) needed.insert(o->owner);
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (!needed.count(*it)) continue;
    for (const auto& in : (*it)->inputs()) {
      if (in->owner && !value_of.count(in.get())) needed.insert(in->owner);
    }
  }
  for (Apply* node : order) {
    if (!needed.count(node)) continue;
    std::vector<Value> ins;
    for (const auto& in : node->inputs()) ins.push_back(lookup(in));
    std::vector<Value> outs(node->nout());
    try {
      node->op()->perform_values(ins, outs);
    } catch (const Error& e) {
      std::vector<NDArray> arrays;
      for (const Value& v : ins) arrays.push_back(v.array());
      rethrow_with_message(e, std::string(e.what()) + node_error_context(*node, arrays));
    }
    for (int i = 0; i < node->nout(); ++i) value_of[&node->output_ref(i)] = std::move(outs[i]);
  }
  std::vector<NDArray> result;
  for (const auto& o : outputs) {
    const Value& v = lookup(o);
    if (!v.is_array()) {
      throw NotImplementedError("evaluate: output '" + var_label(*o) + "' is a " + v.describe() +
                                "; only arrays are returned");
    }
    result.push_back(v.array());
  }
  return result;
}

}  // namespace theon
