// function(): compiles inputs -> outputs (with updates of shared variables and givens) into a
// callable that runs on the VM.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "theon/codegen/native.hpp"
#include "theon/compile/mode.hpp"
#include "theon/compile/profile.hpp"
#include "theon/compile/rewrite_check.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/variable.hpp"
#include "theon/rewrite/rewriter.hpp"
#include "theon/runtime/vm.hpp"

namespace theon {

struct In {
  Var variable;
  std::string name;                      // keyword name; defaults to the variable's name
  std::optional<NDArray> value;          // default when the argument is omitted
  In(Var v) : variable(std::move(v)) {}  // NOLINT: a bare variable is an input
  In(Var v, std::string n, std::optional<NDArray> default_value = std::nullopt)
      : variable(std::move(v)), name(std::move(n)), value(std::move(default_value)) {}
};

struct Out {
  Var variable;
  bool borrow = false;  // may alias internal storage, inputs or shared values
  Out(Var v, bool b = false) : variable(std::move(v)), borrow(b) {}  // NOLINT
};

struct FunctionOptions {
  std::vector<std::pair<Var, Var>> updates;  // (shared variable, new value expression)
  std::vector<std::pair<Var, Var>> givens;   // (variable, replacement)
  // Theano's no_default_updates: skip the default updates (set_default_update) of every
  // shared variable, or of those listed. Otherwise every shared variable the graph reads that
  // has one and is not updated explicitly gets it.
  bool no_default_updates = false;
  std::vector<Var> no_default_updates_for;
  bool allow_input_downcast = false;
  std::string on_unused_input;  // "raise" | "warn" | "ignore"; empty: the config flag
  std::string name;
  Mode mode;  // default: config.mode with config.optimizer_including/_excluding
  // Records per-node kernel times (Function::profile()); nullopt: the config flag `profile`.
  std::optional<bool> profile;
  // Waits for the generated kernels before returning; nullopt: the config flag compile_wait.
  std::optional<bool> wait_for_kernels;
  // The outputs and updates are a graph already rewritten by `mode` (a loaded function): it is
  // linked as it is, and no rewrite runs.
  bool rewritten = false;
};

// How an argument reached the function: an array as such, or values converted from Python
// data (lists, scalars), which may be narrowed when that loses nothing.
enum class ArgOrigin { Array, PythonData };

class Function {
 public:
  Function(std::vector<In> inputs, std::vector<Out> outputs, FunctionOptions options);

  // One argument per input, in order; an undefined NDArray takes the input's default. Safe to
  // call from several threads at once, for this function and others: each call reads the
  // shared values and applies its updates as if no other call ran meanwhile.
  std::vector<NDArray> operator()(std::vector<NDArray> args) { return call(std::move(args)); }
  std::vector<NDArray> call(std::vector<NDArray> args, const std::vector<ArgOrigin>& origins = {});
  // The same with values of any kind (sparse matrices) as arguments and results; an
  // undefined Value takes the input's default.
  std::vector<Value> call_values(std::vector<Value> args,
                                 const std::vector<ArgOrigin>& origins = {});

  const std::vector<In>& inputs() const { return inputs_; }
  const std::vector<Out>& outputs() const { return outputs_; }
  const std::string& name() const { return options_.name; }
  // As given, with the default updates added (options().updates lines up with the graph's
  // outputs after the function's own).
  const FunctionOptions& options() const { return options_; }
  // The mode as resolved when compiling (config defaults filled in).
  const Mode& mode() const { return mode_; }
  bool profiling() const { return profiling_; }
  const FunctionGraph& graph() const { return *fgraph_; }
  // Warnings raised while compiling (e.g. unused inputs with on_unused_input='warn').
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Which rewrites changed the graph while compiling.
  const RewriteHistory& history() const { return *history_; }
  // The profile so far (compile times, per-node times over all calls); null unless compiled
  // with profiling on.
  std::shared_ptr<ProfileStats> profile() const;
  // The generated kernels of this function (fused loops), compiled in the background unless
  // config.compile_wait or FunctionOptions::wait_for_kernels says to wait.
  const codegen::NativeBuild& native() const { return *native_; }
  // The linked program: its schedule, kernels and storage plan.
  const Program& program() const { return *program_; }

 private:
  void add_default_updates(const std::vector<Var>& outputs);
  NDArray check_arg(size_t index, NDArray value, ArgOrigin origin) const;
  // check_arg for values that are not host arrays: the input's type must accept them.
  Value check_value_arg(size_t index, Value value, ArgOrigin origin) const;
  // The array in an output slot after a run; NotImplementedError for values of other kinds.
  NDArray output_array(const std::vector<Value>& slots, int slot) const;
  NDArray output_array(const Value& v) const;
  std::string describe_input(size_t index) const;

  std::vector<In> inputs_;
  std::vector<Out> outputs_;
  FunctionOptions options_;
  Mode mode_;
  std::vector<std::string> warnings_;
  std::unique_ptr<FunctionGraph> fgraph_;
  std::shared_ptr<RewriteHistory> history_;
  std::shared_ptr<codegen::NativeBuild> native_;
  std::unique_ptr<RewriteChecker> rewrite_checker_;  // DebugMode only
  std::shared_ptr<const Program> program_;  // its output slots: outputs, then update values
  std::vector<int> input_slots_;            // -1 for inputs the outputs do not use
  std::vector<std::shared_ptr<SharedValue>> update_cells_;
  // Every shared value the graph reads or updates, by id, exclusive for those updated: a call
  // holds them all, so that it sees and leaves the shared values as if it ran alone.
  std::vector<SharedLocks::Entry> shared_locks_;
  bool profiling_ = false;
  bool nan_guard_ = false, debug_checks_ = false;
  double nan_guard_big_ = 0;
  double import_seconds_ = 0, rewrite_seconds_ = 0, codegen_seconds_ = 0, link_seconds_ = 0;

  // What one call writes: the VM (with its buffer pool and scratch) and the slots. Calls running
  // at once take a state each from the pool, so that one function serves several threads.
  // Profiled, NaN-guarded and DebugMode functions are serial: one state, calls under mutex_, so
  // that their statistics and checks see one call at a time.
  struct CallState {
    std::unique_ptr<VM> vm;
    std::vector<Value> slots;
    std::vector<const NDArray*> reachable;  // scratch of a call, kept to avoid reallocating
    std::vector<NDArray> replaced;          // the shared values a call's updates replace
  };
  std::unique_ptr<CallState> make_state() const;
  std::unique_ptr<CallState> take_state();
  void return_state(std::unique_ptr<CallState> state);
  // The part of call() that runs with the shared values locked; the shared values it replaces
  // go to `dropped`, for the caller to release once the locks are not held.
  std::vector<Value> run_locked(CallState& state, const std::vector<Value>& args,
                                std::vector<Value>& dropped);
  bool serial_ = false;
  mutable std::mutex mutex_;  // held by calls of a serial function
  std::mutex idle_mutex_;
  std::vector<std::unique_ptr<CallState>> idle_;  // guarded by idle_mutex_
};

std::shared_ptr<Function> function(std::vector<In> inputs, std::vector<Out> outputs,
                                   FunctionOptions options = {});

}  // namespace theon
