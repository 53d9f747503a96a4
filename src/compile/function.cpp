#include "theon/compile/function.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "theon/compile/guards.hpp"
#include "theon/compile/linker.hpp"
#include "theon/compile/mode.hpp"
#include "theon/compile/rewrite_check.hpp"
#include "theon/compile/shared.hpp"
#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/scan_op.hpp"

namespace theon {
namespace {

bool values_equal(const NDArray& a, const NDArray& b) {
  for (int64_t i = 0; i < a.size(); ++i) {
    double x = a.flat_as_double(i), y = b.flat_as_double(i);
    if (!(x == y || (x != x && y != y))) return false;
  }
  return true;
}

std::string fn_label(const std::string& name) {
  return name.empty() ? std::string("theon function") : "theon function '" + name + "'";
}

}  // namespace

std::string Function::describe_input(size_t index) const {
  const Var& v = inputs_[index].variable;
  std::string label = inputs_[index].name.empty() ? v->name : inputs_[index].name;
  std::string s = "Bad input argument " + std::to_string(index);
  if (!label.empty()) s += " ('" + label + "')";
  return s + " of " + fn_label(options_.name) + " (type " + v->type.str() + "): ";
}

namespace {

// The shared variables a scan of the graph of `roots` carries from step to step (a random
// stream drawn in the loop), with the scan's label: their values after the call are the scan's
// outputs, which only the updates theon.scan returned give.
std::unordered_map<const SharedValue*, std::string> carried_by_scans(
    const std::vector<Var>& roots) {
  std::unordered_map<const SharedValue*, std::string> carried;
  for (Apply* node : toposort(roots)) {
    const auto* scan = dynamic_cast<const Scan*>(node->op().get());
    if (!scan) continue;
    for (int j = 0; j < scan->spec().n_carried; ++j) {
      const Var& v = node->inputs()[scan->carried_begin() + j];
      if (!v->is_shared()) continue;
      const std::string where = node->where();
      carried.emplace(v->shared.get(),
                      scan->label() + (where.empty() ? "" : " (built at " + where + ")"));
    }
  }
  return carried;
}

}  // namespace

// Appends the default updates of the shared variables the graph reads (and those their updates
// read, and so on) to options_.updates, unless updated explicitly or excluded.
void Function::add_default_updates(const std::vector<Var>& outputs) {
  if (options_.no_default_updates) return;
  std::unordered_set<const SharedValue*> done;
  for (const auto& v : options_.no_default_updates_for) {
    if (v && v->is_shared()) done.insert(v->shared.get());
  }
  for (const auto& [target, expr] : options_.updates) {
    if (target && target->is_shared()) done.insert(target->shared.get());
  }
  std::vector<Var> frontier = outputs;
  for (const auto& [target, expr] : options_.updates) {
    if (expr) frontier.push_back(expr);
  }
  for (const auto& [from, to] : options_.givens) {
    if (from && from->is_shared()) done.insert(from->shared.get());  // replaced, not read
    if (to) frontier.push_back(to);
  }
  const auto carried = carried_by_scans(frontier);
  while (!frontier.empty()) {
    std::vector<Var> next;
    for (const auto& leaf : graph_leaves(frontier)) {
      if (!leaf->is_shared() || !done.insert(leaf->shared.get()).second) continue;
      if (Var update = default_update(leaf)) {
        // Its default update is the state of one step inside the loop, not the loop's result.
        if (auto it = carried.find(leaf->shared.get()); it != carried.end()) {
          throw ValueError(fn_label(options_.name) + ": shared variable '" + leaf->name +
                           "' is updated inside " + it->second +
                           " (a random stream drawn in the loop); pass the updates theon.scan "
                           "returned to function(updates=...), or no_default_updates=True to "
                           "leave it unchanged");
        }
        options_.updates.emplace_back(leaf, update);
        next.push_back(update);
      }
    }
    frontier = std::move(next);
  }
}

Function::Function(std::vector<In> inputs, std::vector<Out> outputs, FunctionOptions options)
    : inputs_(std::move(inputs)), outputs_(std::move(outputs)), options_(std::move(options)) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point t_start = Clock::now();
  std::unordered_set<const Variable*> seen_inputs;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Var& v = inputs_[i].variable;
    if (!v) throw TypeError(fn_label(options_.name) + ": input " + std::to_string(i) + " is null");
    if (v->is_shared()) {
      throw TypeError(fn_label(options_.name) + ": shared variable '" + v->name +
                      "' cannot be an explicit input; it is used implicitly");
    }
    if (v->is_constant() || v->owner) {
      throw TypeError(fn_label(options_.name) + ": input " + std::to_string(i) + " (" +
                      var_label(*v) +
                      ") must be a free variable, not a constant or the result of an op");
    }
    if (!seen_inputs.insert(v.get()).second) {
      throw ValueError(fn_label(options_.name) + ": variable '" + var_label(*v) +
                       "' is given twice in the inputs");
    }
    if (inputs_[i].name.empty()) inputs_[i].name = v->name;
    if (inputs_[i].value) inputs_[i].value = check_arg(i, *inputs_[i].value, ArgOrigin::PythonData);
  }
  std::vector<Var> roots;
  for (const auto& o : outputs_) {
    if (!o.variable) throw TypeError(fn_label(options_.name) + ": an output is null");
    roots.push_back(o.variable);
  }
  add_default_updates(roots);
  std::unordered_set<const SharedValue*> updated;
  for (const auto& [target, expr] : options_.updates) {
    if (!target || !target->is_shared()) {
      throw TypeError(fn_label(options_.name) + ": update target " +
                      (target ? var_label(*target) : std::string("null")) +
                      " is not a shared variable");
    }
    if (!updated.insert(target->shared.get()).second) {
      throw ValueError(fn_label(options_.name) + ": shared variable '" + target->name +
                       "' is updated twice");
    }
    const TensorType& want = target->type;
    const TensorType& got = expr->type;
    if (!want.compatible_with(got)) {
      throw TypeError(fn_label(options_.name) +
                      ": an update must have the type of its shared "
                      "variable: shared variable '" +
                      target->name + "' has type " + want.str() + ", update value " +
                      var_label(*expr) + " has type " + got.str() +
                      (want.dtype != got.dtype ? " (cast the update with .astype('" +
                                                     std::string(dtype_name(want.dtype)) + "'))"
                                               : ""));
    }
    roots.push_back(expr);
    update_cells_.push_back(target->shared);
  }

  std::vector<Var> input_vars;
  for (const auto& in : inputs_) input_vars.push_back(in.variable);
  fgraph_ = std::make_unique<FunctionGraph>(input_vars, roots, options_.givens);

  // Inputs are checked on the graph as the user wrote it: rewriting may drop an input (x * 0)
  // that the user did use.
  std::unordered_set<const Variable*> used;
  std::unordered_map<SharedValue*, bool> locked;  // cell -> exclusive
  for (const auto& cell : update_cells_) locked[cell.get()] = true;
  for (const auto& leaf : fgraph_->leaves()) {
    if (leaf->is_shared()) locked.emplace(leaf->shared.get(), false);
    if (!leaf->is_input()) continue;
    if (!seen_inputs.count(leaf.get())) {
      throw ValueError(fn_label(options_.name) + ": the graph needs input '" + var_label(*leaf) +
                       "' (" + leaf->type.str() + ", created at " +
                       (leaf->where.empty() ? "<unknown>" : leaf->where) +
                       "), which is neither among the inputs nor given a value");
    }
    used.insert(leaf.get());
  }
  for (const auto& [cell, exclusive] : locked) shared_locks_.push_back({cell, exclusive});
  std::sort(shared_locks_.begin(), shared_locks_.end(),
            [](const auto& a, const auto& b) { return a.cell->id < b.cell->id; });
  const std::string policy = options_.on_unused_input.empty()
                                 ? Config::global().get("on_unused_input")
                                 : options_.on_unused_input;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (used.count(inputs_[i].variable.get())) continue;
    std::string msg = fn_label(options_.name) + ": input " + std::to_string(i) + " ('" +
                      var_label(*inputs_[i].variable) +
                      "') is not used to compute any output (pass on_unused_input='ignore' or "
                      "'warn' to allow this)";
    if (policy == "raise") throw ValueError(msg);
    if (policy == "warn") warnings_.push_back(msg);
  }

  history_ = std::make_shared<RewriteHistory>();
  fgraph_->add_feature(history_);
  mode_ = resolve_mode(options_.mode);
  const Mode& mode = mode_;
  import_seconds_ = std::chrono::duration<double>(Clock::now() - t_start).count();
  LinkOptions link_options;
  link_options.wait_for_kernels =
      mode.debug_checks ||
      options_.wait_for_kernels.value_or(Config::global().get("compile_wait") == "True");
  Linked linked =
      options_.rewritten ? link(*fgraph_, link_options) : compile(*fgraph_, mode, link_options);
  if (mode.debug_checks) {
    rewrite_checker_ = std::make_unique<RewriteChecker>(
        input_vars, roots, options_.givens, options_.mode, static_cast<int64_t>(history_->size()));
  }
  program_ = linked.program;
  native_ = linked.native;
  rewrite_seconds_ = linked.rewrite_seconds;
  codegen_seconds_ = linked.codegen_seconds;
  link_seconds_ = linked.link_seconds;

  for (size_t i = 0; i < inputs_.size(); ++i) {
    input_slots_.push_back(program_->slot(inputs_[i].variable.get()));
  }
  profiling_ = options_.profile ? *options_.profile : Config::global().get("profile") == "True";
  nan_guard_ = mode.nan_guard;
  nan_guard_big_ = mode.nan_guard_big;
  debug_checks_ = mode.debug_checks;
  serial_ = profiling_ || nan_guard_ || debug_checks_;
  if (profiling_) timer_pair_seconds();  // measured now, not during the first call
  idle_.push_back(make_state());
}

std::unique_ptr<Function::CallState> Function::make_state() const {
  auto state = std::make_unique<CallState>();
  state->slots.assign(program_->num_slots, Value());
  for (const auto& [s, value] : program_->constant_slots) state->slots[s] = *value;
  state->vm = std::make_unique<VM>(program_);
  if (nan_guard_) state->vm->add_hook(make_nan_guard(true, true, nan_guard_big_));
  if (debug_checks_) state->vm->add_hook(make_debug_checks());
  if (profiling_) state->vm->enable_timing(true);
  return state;
}

std::unique_ptr<Function::CallState> Function::take_state() {
  {
    std::lock_guard<std::mutex> lock(idle_mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<CallState> state = std::move(idle_.back());
      idle_.pop_back();
      return state;
    }
  }
  return make_state();
}

void Function::return_state(std::unique_ptr<CallState> state) {
  std::lock_guard<std::mutex> lock(idle_mutex_);
  idle_.push_back(std::move(state));
}

std::shared_ptr<ProfileStats> Function::profile() const {
  if (!profiling_) return nullptr;
  // A profiled function is serial: with mutex_ held, its one state is idle.
  std::lock_guard<std::mutex> lock(mutex_);
  const VM& vm = *idle_.front()->vm;
  auto p = std::make_shared<ProfileStats>();
  p->function_name = options_.name;
  p->import_seconds = import_seconds_;
  p->rewrite_seconds = rewrite_seconds_;
  p->link_seconds = link_seconds_;
  p->codegen_seconds = codegen_seconds_;
  p->kernels =
      native_->done()
          ? (native_->installed()
                 ? (native_->from_cache()
                        ? "loaded from the cache"
                        : "compiled in " +
                              std::to_string(static_cast<int>(native_->compile_seconds() * 1e3)) +
                              " ms")
                 : (native_->error().empty() ? "none" : "failed"))
          : "still compiling";
  p->calls = vm.runs();
  p->run_seconds = vm.run_seconds();
  p->peak_bytes = vm.peak_bytes();
  p->timer_seconds = timer_pair_seconds();
  const auto& code = program_->code;
  for (size_t pc = 0; pc < code.size(); ++pc) {
    const Apply& node = *code[pc].node;
    p->nodes.push_back({node.op()->name(), node.op()->type_name(), node.where(),
                        vm.instruction_seconds()[pc], vm.instruction_calls()[pc],
                        code[pc].kernel->origin()});
  }
  return p;
}

NDArray Function::output_array(const std::vector<Value>& slots, int slot) const {
  return output_array(slots[slot]);
}

NDArray Function::output_array(const Value& v) const {
  if (!v.is_array()) {
    throw NotImplementedError(fn_label(options_.name) + ": an output holds a " + v.describe() +
                              "; only host arrays can be returned");
  }
  return v.array();
}

NDArray Function::check_arg(size_t index, NDArray value, ArgOrigin origin) const {
  const TensorType& type = inputs_[index].variable->type;
  if (value.ndim() != type.ndim()) {
    throw TypeError(describe_input(index) + "expected " + std::to_string(type.ndim()) +
                    " dimensions, got " + std::to_string(value.ndim()) + " (shape " +
                    shape_str(value.shape()) + ")");
  }
  if (value.dtype() != type.dtype) {
    const DType from = value.dtype();
    if (can_cast_safe(from, type.dtype) || options_.allow_input_downcast) {
      value = value.astype(type.dtype);
    } else {
      bool accepted = false;
      if (origin == ArgOrigin::PythonData) {
        NDArray converted = value.astype(type.dtype);
        const bool float_to_floatX =
            is_float(from) && is_float(type.dtype) && dtype_name(type.dtype) == config_floatX();
        if (float_to_floatX || values_equal(value, converted.astype(from))) {
          value = std::move(converted);
          accepted = true;
        }
      }
      if (!accepted) {
        throw TypeError(describe_input(index) + "cannot store a value of dtype " +
                        std::string(dtype_name(from)) + " in an input of dtype " +
                        std::string(dtype_name(type.dtype)) +
                        " without risking loss of precision; cast the data to " +
                        std::string(dtype_name(type.dtype)) +
                        " or pass allow_input_downcast=True to function()");
      }
    }
  }
  std::string mismatch = type.shape_mismatch(value.shape());
  if (!mismatch.empty()) throw ValueError(describe_input(index) + mismatch);
  return value;
}

Value Function::check_value_arg(size_t index, Value value, ArgOrigin origin) const {
  const TensorType& type = inputs_[index].variable->type;
  if (value.is_array() && type.is_tensor()) return check_arg(index, value.take_array(), origin);
  const std::string mismatch = type.value_mismatch(value);
  if (!mismatch.empty()) throw TypeError(describe_input(index) + mismatch);
  return value;
}

std::vector<NDArray> Function::call(std::vector<NDArray> args,
                                    const std::vector<ArgOrigin>& origins) {
  std::vector<Value> values(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].defined()) values[i] = std::move(args[i]);
  }
  std::vector<Value> results = call_values(std::move(values), origins);
  std::vector<NDArray> arrays;
  arrays.reserve(results.size());
  for (auto& r : results) arrays.push_back(output_array(r));
  return arrays;
}

std::vector<Value> Function::call_values(std::vector<Value> args,
                                         const std::vector<ArgOrigin>& origins) {
  if (args.size() > inputs_.size()) {
    throw TypeError(fn_label(options_.name) + " takes " + std::to_string(inputs_.size()) +
                    " arguments, got " + std::to_string(args.size()));
  }
  args.resize(inputs_.size());
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].defined()) {
      if (!inputs_[i].value) {
        throw TypeError(fn_label(options_.name) + ": missing argument " + std::to_string(i) +
                        (inputs_[i].name.empty() ? "" : " ('" + inputs_[i].name + "')") +
                        "; expected " + std::to_string(inputs_.size()) + " arguments");
      }
      args[i] = *inputs_[i].value;
    } else {
      ArgOrigin origin = i < origins.size() ? origins[i] : ArgOrigin::Array;
      args[i] = check_value_arg(i, std::move(args[i]), origin);
    }
  }
  // Declared first so that it goes last, when no lock is held: the last reference to a value
  // borrowed from NumPy takes Python's GIL to drop, and a thread holding the GIL may be waiting
  // for one of these locks.
  std::vector<Value> dropped;
  std::unique_lock<std::mutex> serial;
  if (serial_) serial = std::unique_lock<std::mutex>(mutex_);
  std::unique_ptr<CallState> state = take_state();
  struct GiveBack {
    Function* fn;
    std::unique_ptr<CallState>& state;
    ~GiveBack() { fn->return_state(std::move(state)); }
  } give_back{this, state};
  SharedLocks locks(shared_locks_);
  return run_locked(*state, args, dropped);
}

std::vector<Value> Function::run_locked(CallState& state, const std::vector<Value>& args,
                                        std::vector<Value>& dropped) {
  std::vector<Value>& slots = state.slots;
  for (size_t i = 0; i < args.size(); ++i) {
    if (input_slots_[i] >= 0) slots[input_slots_[i]] = args[i];
  }
  const auto& shared_slots = program_->shared_slots;
  const auto& output_slots = program_->output_slots;
  for (const auto& [s, cell] : shared_slots) {
    if (cell->object) {
      slots[s] = Value(cell->object);
    } else {
      slots[s] = cell->value;
    }
  }

  auto clear_transient = [&] {
    for (int s : input_slots_) {
      if (s >= 0) slots[s] = Value();
    }
    for (const auto& [s, _] : shared_slots) slots[s] = Value();
  };
  auto clear_outputs = [&] {
    for (int s : output_slots) slots[s] = Value();
  };
  try {
    state.vm->run(slots);
  } catch (...) {
    clear_transient();
    clear_outputs();
    throw;
  }

  // Outputs must not alias what the caller can reach (inputs, shared values, constants, other
  // outputs) unless borrowed.
  std::vector<const NDArray*>& reachable = state.reachable;
  reachable.clear();
  for (const auto& a : args) {
    if (a.is_array()) reachable.push_back(&a.array());
  }
  for (const auto& [_, cell] : shared_slots) reachable.push_back(&cell->value);
  const size_t num_sources = reachable.size();  // what the caller passed in or may replace
  for (const auto& [_, c] : program_->constant_slots) reachable.push_back(c.get());
  auto aliases_first = [&](const NDArray& a, size_t n) {
    for (size_t r = 0; r < n; ++r) {
      if (a.shares_buffer_with(*reachable[r])) return true;
    }
    return false;
  };
  auto aliases = [&](const NDArray& a) { return aliases_first(a, reachable.size()); };
  if (rewrite_checker_) {
    std::vector<NDArray> values, arg_arrays;
    for (int s : output_slots) values.push_back(output_array(slots, s));
    for (const auto& a : args) arg_arrays.push_back(output_array(a));
    try {
      rewrite_checker_->check(arg_arrays, values);
    } catch (...) {
      clear_transient();
      clear_outputs();
      throw;
    }
  }
  // Values of other kinds (sparse matrices) are immutable objects: they are returned as they
  // are, and the bindings that expose their arrays decide about copies.
  std::vector<Value> results;
  results.reserve(outputs_.size());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    results.push_back(slots[output_slots[i]]);
    if (!results.back().is_array()) continue;
    NDArray& a = results.back().array();
    if (!outputs_[i].borrow && aliases(a)) a = a.copy();
    reachable.push_back(&a);  // stable: `results` was reserved
  }
  // Updates of other kinds (sparse matrices) replace the cell's immutable object.
  std::vector<NDArray> new_values;
  std::vector<std::shared_ptr<const Object>> new_objects(update_cells_.size());
  new_values.reserve(update_cells_.size());
  for (size_t u = 0; u < update_cells_.size(); ++u) {
    const Value& updated = slots[output_slots[outputs_.size() + u]];
    if (updated.object()) {
      new_objects[u] = updated.object();
      new_values.emplace_back();
      continue;
    }
    new_values.push_back(output_array(updated));
    NDArray& a = new_values.back();
    if (!a.shares_buffer_with(update_cells_[u]->value) && aliases(a)) a = a.copy();
  }
  // An update aliasing an earlier update's value gets its own copy as well.
  for (size_t u = 1; u < new_values.size(); ++u) {
    if (!new_values[u].defined()) continue;
    for (size_t v = 0; v < u; ++v) {
      if (new_values[v].defined() && new_values[u].shares_buffer_with(new_values[v])) {
        new_values[u] = new_values[u].copy();
        break;
      }
    }
  }
  // An output slot keeping an argument or a shared value would keep it alive until the next
  // call, which might then drop the last reference while holding the locks. (Constants stay:
  // the program holds them, and their slots are filled once.)
  for (int s : output_slots) {
    if (slots[s].is_array() && aliases_first(slots[s].array(), num_sources)) {
      dropped.push_back(slots[s].take_array());
    } else if (slots[s].object()) {
      slots[s] = Value();  // may hold an argument's object; `results` or `args` still do
    }
  }
  std::vector<NDArray>& replaced = state.replaced;
  for (size_t u = 0; u < update_cells_.size(); ++u) {
    slots[output_slots[outputs_.size() + u]] = Value();
    if (new_objects[u]) {
      dropped.emplace_back(std::exchange(update_cells_[u]->object, std::move(new_objects[u])));
    } else {
      replaced.push_back(std::exchange(update_cells_[u]->value, std::move(new_values[u])));
    }
  }
  clear_transient();
  // A replaced value that only this call still holds, in a buffer of the call's own pool (an
  // earlier update's result), serves the next call's update: no allocation of a parameter-sized
  // array per step. Others are released by the caller, outside the locks.
  for (NDArray& old : replaced) {
    if (!state.vm->recycle(old)) dropped.emplace_back(std::move(old));
  }
  replaced.clear();
  return results;
}

std::shared_ptr<Function> function(std::vector<In> inputs, std::vector<Out> outputs,
                                   FunctionOptions options) {
  return std::make_shared<Function>(std::move(inputs), std::move(outputs), std::move(options));
}

}  // namespace theon
