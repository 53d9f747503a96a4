#include "theon/grad/grad.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/sparse.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/join.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

void check_choice(const std::string& what, const std::string& value,
                  std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw ValueError("grad: " + what + " must be one of " + list + ", got '" + value + "'");
}

using VarSet = std::unordered_set<const Variable*>;

// Every variable `vs` is computed from (themselves included).
VarSet ancestors(const std::vector<Var>& vs) {
  VarSet out;
  for (const auto& v : vs) out.insert(v.get());
  for (Apply* node : toposort(vs)) {
    for (const auto& in : node->inputs()) out.insert(in.get());
  }
  return out;
}

}  // namespace

GradResult grad_ex(const Var& cost, const std::vector<Var>& wrt, const GradOptions& options) {
  check_choice("disconnected_inputs", options.disconnected_inputs, {"raise", "warn", "ignore"});
  check_choice("return_disconnected", options.return_disconnected,
               {"zero", "none", "disconnected"});
  check_choice("null_gradients", options.null_gradients, {"raise", "return"});
  if (!cost && options.known_grads.empty()) {
    throw TypeError("grad: give a cost, or known_grads to start from");
  }
  if (cost && cost->type.ndim() != 0) {
    throw TypeError("grad: the cost must be a scalar, got " + var_label(*cost) + " of type " +
                    cost->type.str() + " (sum or average it first)");
  }
  if (cost && !is_float(cost->type.dtype)) {
    throw TypeError("grad: the cost must be a float scalar, got dtype " +
                    std::string(dtype_name(cost->type.dtype)));
  }
  for (const auto& w : wrt) {
    if (!w) throw TypeError("grad: a wrt variable is null");
  }

  std::vector<Var> roots;
  if (cost) roots.push_back(cost);
  for (const auto& [v, g] : options.known_grads) roots.push_back(v);
  const std::vector<Apply*> nodes = toposort(roots);

  VarSet constant_set;
  for (const auto& c : options.consider_constant) constant_set.insert(c.get());
  // Variables that depend on some wrt (through no variable held constant).
  VarSet depends;
  for (const auto& w : wrt) depends.insert(w.get());
  for (Apply* node : nodes) {
    bool any = false;
    for (const auto& in : node->inputs()) {
      any = any || (depends.count(in.get()) && !constant_set.count(in.get()));
    }
    if (!any) continue;
    for (int i = 0; i < node->nout(); ++i) depends.insert(&node->output_ref(i));
  }

  std::unordered_map<const Variable*, Var> grads;
  auto accumulate = [&](const Variable* v, Var g) {
    auto it = grads.find(v);
    if (it == grads.end()) {
      grads.emplace(v, std::move(g));
    } else {
      it->second = is_sparse(g) ? sparse_add(it->second, g) : add(it->second, g);
    }
  };
  if (cost) grads[cost.get()] = scalar_constant(1.0, cost->type.dtype);
  for (const auto& [v, g] : options.known_grads) {
    if (g->type.ndim() != v->type.ndim()) {
      throw TypeError("grad: known gradient for " + var_label(*v) + " has " +
                      std::to_string(g->type.ndim()) + " dimensions, expected " +
                      std::to_string(v->type.ndim()));
    }
    accumulate(v.get(), g->type.dtype == v->type.dtype ? g : cast(g, v->type.dtype));
  }

  std::vector<Var> null_vars;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    Apply* node = *it;
    bool has_grad = false;
    for (int i = 0; i < node->nout(); ++i) has_grad = has_grad || grads.count(&node->output_ref(i));
    if (!has_grad) continue;
    bool reaches_wrt = false;
    for (const auto& in : node->inputs()) {
      reaches_wrt = reaches_wrt || (depends.count(in.get()) && !constant_set.count(in.get()));
    }
    if (!reaches_wrt) continue;

    std::vector<Var> outputs = node->outputs();
    std::vector<Var> output_grads;
    for (const auto& o : outputs) {
      auto g = grads.find(o.get());
      if (g != grads.end()) {
        output_grads.push_back(g->second);
      } else {
        output_grads.push_back(is_float(o->type.dtype) ? zeros_like(o) : nullptr);
      }
    }
    std::vector<Var> input_grads;
    try {
      LocationScope scope(node->where());
      input_grads = node->op()->L_op(node->inputs(), outputs, output_grads);
    } catch (const NotImplementedError& e) {
      if (options.null_gradients == "return") {
        for (const auto& in : node->inputs()) null_vars.push_back(in);
        continue;
      }
      throw NotImplementedError(std::string(e.what()) + "\n  (asked for the gradient through " +
                                "the node built at " +
                                (node->where().empty() ? "<unknown>" : node->where()) + ")");
    }
    if (input_grads.size() != node->inputs().size()) {
      throw Error(ErrorKind::Runtime,
                  op_error(*node->op(), "L_op returned " + std::to_string(input_grads.size()) +
                                            " gradients for " +
                                            std::to_string(node->inputs().size()) + " inputs"));
    }
    for (size_t i = 0; i < input_grads.size(); ++i) {
      const Var& in = node->inputs()[i];
      Var g = input_grads[i];
      if (!g || !depends.count(in.get()) || constant_set.count(in.get())) continue;
      if (!is_float(in->type.dtype)) continue;  // integers carry no gradient
      if (g->type.ndim() != in->type.ndim()) {
        throw Error(
            ErrorKind::Runtime,
            op_error(*node->op(), "L_op gave a gradient of " + std::to_string(g->type.ndim()) +
                                      " dimensions for input " + std::to_string(i) + " of " +
                                      std::to_string(in->type.ndim())));
      }
      if (g->type.dtype != in->type.dtype) g = cast(g, in->type.dtype);
      accumulate(in.get(), std::move(g));
    }
  }

  GradResult result;
  const VarSet poisoned = null_vars.empty() ? VarSet{} : ancestors(null_vars);
  for (const auto& w : wrt) {
    if (poisoned.count(w.get())) {
      result.grads.push_back(nullptr);
      continue;
    }
    if (!is_float(w->type.dtype)) {
      result.grads.push_back(zeros_like(w, parse_dtype(config_floatX())));
      continue;
    }
    auto g = grads.find(w.get());
    if (g != grads.end()) {
      result.grads.push_back(g->second);
      continue;
    }
    std::string msg = "grad: the cost does not depend on " + var_label(*w) +
                      " (it is not part of the cost's graph, or is used only through "
                      "non-differentiable operations)";
    if (options.disconnected_inputs == "raise") {
      throw ValueError(msg + "; pass disconnected_inputs='ignore' or 'warn' to allow this");
    }
    if (options.disconnected_inputs == "warn") result.warnings.push_back(msg);
    result.grads.push_back(options.return_disconnected == "zero" ? zeros_like(w) : nullptr);
  }
  return result;
}

std::vector<Var> grad(const Var& cost, const std::vector<Var>& wrt, const GradOptions& options) {
  return grad_ex(cost, wrt, options).grads;
}

Var grad(const Var& cost, const Var& wrt, const GradOptions& options) {
  return grad_ex(cost, {wrt}, options).grads.at(0);
}

std::vector<Var> Lop(const std::vector<Var>& f, const std::vector<Var>& wrt,
                     const std::vector<Var>& eval_points) {
  if (f.size() != eval_points.size()) {
    throw ValueError("Lop: expected one evaluation point per output (" + std::to_string(f.size()) +
                     "), got " + std::to_string(eval_points.size()));
  }
  GradOptions o;
  for (size_t i = 0; i < f.size(); ++i) o.known_grads.emplace_back(f[i], eval_points[i]);
  return grad(nullptr, wrt, o);
}

std::vector<Var> Rop(const std::vector<Var>& f, const std::vector<Var>& wrt,
                     const std::vector<Var>& eval_points) {
  if (wrt.size() != eval_points.size()) {
    throw ValueError("Rop: expected one evaluation point per wrt (" + std::to_string(wrt.size()) +
                     "), got " + std::to_string(eval_points.size()));
  }
  // J v = d/du (v . J^T u): the L-operator of the L-operator. u's value never matters (the
  // result is linear in it), so it is replaced by zeros of f's shape afterwards.
  std::vector<Var> u;
  for (const auto& fi : f) u.push_back(make_input(fi->type, "rop_u"));
  std::vector<Var> g = Lop(f, wrt, u);
  GradOptions o;
  o.disconnected_inputs = "ignore";
  for (size_t i = 0; i < g.size(); ++i) o.known_grads.emplace_back(g[i], eval_points[i]);
  std::vector<Var> r = grad(nullptr, u, o);
  std::vector<std::pair<Var, Var>> replace;
  for (size_t i = 0; i < f.size(); ++i) replace.emplace_back(u[i], zeros_like(f[i]));
  return clone_replace(r, replace);
}

std::vector<Var> jacobian(const Var& expression, const std::vector<Var>& wrt,
                          const std::string& disconnected_inputs) {
  GradOptions o;
  o.disconnected_inputs = disconnected_inputs;
  if (expression->type.ndim() == 0) return grad(expression, wrt, o);
  const Var flat = expression->type.ndim() == 1 ? expression : flatten(expression, 1);
  const Var i = make_input(TensorType(DType::Int64, {}), "jacobian_row");
  const Var row = getitem(flat, {idx::at(i)});
  const std::vector<Var> grads = grad(row, wrt, o);
  const std::vector<Var> rows = map_range(shape_i(flat, 0), i, grads);
  std::vector<Var> out;
  for (size_t k = 0; k < wrt.size(); ++k) {
    if (expression->type.ndim() == 1) {
      out.push_back(rows[k]);
    } else {
      Var shape = concatenate({theon::shape(expression), theon::shape(wrt[k])}, 0);
      out.push_back(reshape(rows[k], shape, expression->type.ndim() + wrt[k]->type.ndim()));
    }
  }
  return out;
}

std::vector<Var> hessian(const Var& cost, const std::vector<Var>& wrt,
                         const std::string& disconnected_inputs) {
  if (cost->type.ndim() != 0) {
    throw TypeError("hessian: the cost must be a scalar, got " + cost->type.str());
  }
  std::vector<Var> out;
  GradOptions o;
  o.disconnected_inputs = disconnected_inputs;
  for (const auto& w : wrt) {
    Var g = grad(cost, std::vector<Var>{w}, o).at(0);
    out.push_back(jacobian(g, {w}, disconnected_inputs).at(0));
  }
  return out;
}

}  // namespace theon
