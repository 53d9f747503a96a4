// Variables and Apply nodes: the immutable expression graph.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "theon/core/ndarray.hpp"
#include "theon/core/value.hpp"
#include "theon/graph/type.hpp"

namespace theon {

class Op;
class Apply;
struct Variable;
using OpPtr = std::shared_ptr<const Op>;

// The value cell behind a shared variable; functions read it at the start of a call and write
// updates back only after the call succeeded. `value` is guarded by `mutex`: load() and
// exchange() take it for one access, and a function call holds it (shared to read, exclusive to
// update) from filling in its inputs to writing its updates, so that calls are atomic with
// respect to each other. Whoever locks several cells locks them in increasing `id` order, so
// that no two threads wait on each other.
struct SharedValue {
  SharedValue();
  explicit SharedValue(NDArray v, std::string n = "");
  SharedValue(const SharedValue&) = delete;
  SharedValue& operator=(const SharedValue&) = delete;

  // A handle to the current value (its buffer, not a copy). Reads without locking when this
  // thread already holds the cell (a function call evaluating a graph that reads it).
  NDArray load() const;
  // Replaces the value and returns the old one, for the caller to drop after the lock is
  // released (dropping a borrowed NumPy array takes Python's GIL).
  NDArray exchange(NDArray v);

  NDArray value;  // guarded by mutex
  // A value of another kind (a sparse matrix) held instead of `value`; guarded by mutex.
  std::shared_ptr<const Object> object;
  std::string name;
  // Theano's default_update (see compile/shared.hpp): an expression over `self`, a stand-in
  // input for this variable, so that the variable and its update do not own each other.
  struct DefaultUpdate {
    std::shared_ptr<Variable> self;
    std::shared_ptr<Variable> expression;
  };
  std::shared_ptr<const DefaultUpdate> default_update;  // guarded by mutex
  const uint64_t id;  // the locking order
  mutable std::shared_mutex mutex;
};

// Holds the locks of a set of cells for its lifetime: exclusive for those marked so, shared for
// the rest, taken in increasing id order. `cells` must be sorted by id without repeats, outlive
// this object and hold no cell this thread holds already.
class SharedLocks {
 public:
  struct Entry {
    SharedValue* cell;
    bool exclusive;
  };
  explicit SharedLocks(const std::vector<Entry>& cells);
  ~SharedLocks();
  SharedLocks(const SharedLocks&) = delete;
  SharedLocks& operator=(const SharedLocks&) = delete;
  // Whether this thread holds `cell` through a SharedLocks now.
  static bool held(const SharedValue* cell);

 private:
  const std::vector<Entry>& cells_;
  const SharedLocks* outer_;  // the enclosing SharedLocks of this thread, if any
};

struct Variable {
  TensorType type;
  std::string name;
  Apply* owner = nullptr;  // kept alive by the shared_ptr that holds this variable
  int index = 0;           // output index within `owner`
  std::shared_ptr<const NDArray> constant;
  std::shared_ptr<SharedValue> shared;
  std::string where;  // user's file:line where it was created
  uint64_t id;

  Variable();
  bool is_constant() const { return constant != nullptr; }
  bool is_shared() const { return shared != nullptr; }
  bool is_input() const { return !owner && !constant && !shared; }
};
using Var = std::shared_ptr<Variable>;

class Apply : public std::enable_shared_from_this<Apply> {
 public:
  Apply(OpPtr op, std::vector<Var> inputs, const std::vector<TensorType>& output_types,
        std::string where, std::string origin = {});
  const OpPtr& op() const { return op_; }
  const std::vector<Var>& inputs() const { return inputs_; }
  int nout() const { return static_cast<int>(outputs_.size()); }
  // A handle that keeps this node (and so its whole input graph) alive.
  Var output(int i);
  const Variable& output_ref(int i) const { return outputs_[i]; }
  std::vector<Var> outputs();
  // The creation trace: the user's file:line that built the node ("" if unknown); for a node
  // a rewrite built, the lines of the nodes it took the place of, comma-separated.
  const std::string& where() const { return where_; }
  // For a node a rewrite built, the ops the user wrote that it took the place of, in graph
  // order and comma-separated: "Dot, Elemwise{sub}" for the Gemv of y - dot(X, w). Through
  // later rewrites it stays the user's ops. "" for the user's own nodes. Errors name it beside
  // the node's op.
  const std::string& origin() const { return origin_; }

 private:
  // Only a FunctionGraph rewires inputs, and only of its own private copies of nodes; it also
  // gives the nodes a rewrite builds the trace of the node they replace.
  friend class FunctionGraph;
  void set_input(size_t i, Var v) { inputs_[i] = std::move(v); }
  // `absorbed`: the nodes whose place this node takes, inputs first (see FunctionGraph::replace).
  void inherit_trace(const std::vector<const Apply*>& absorbed);

  OpPtr op_;
  std::vector<Var> inputs_;
  std::vector<Variable> outputs_;  // never resized: handles point into it
  std::string where_;
  std::string origin_;
};

// Creates a node: asks the op for its output types (which validates the inputs) and records
// the current user location. Errors raised by the op get the location appended.
std::vector<Var> make_node(OpPtr op, std::vector<Var> inputs);
Var make_node1(OpPtr op, std::vector<Var> inputs);
// The op's output types on these inputs, on the device where the inputs live (unless the op
// places its outputs itself): what make_node and graph copies give a node.
std::vector<TensorType> output_types_on_device(const Op& op, const std::vector<Var>& inputs);

// Throws ValueError naming `what` when no array of `type` could exist: the product of its
// known static sizes (times the item size) overflows int64.
void check_static_size(const TensorType& type, const std::string& what);

Var make_input(TensorType type, std::string name = "");
Var make_constant(NDArray value, std::string name = "");
Var make_shared(std::shared_ptr<SharedValue> cell, TensorType type);

// If `v` is a constant (possibly through no ops), its value.
const NDArray* constant_value(const Var& v);

// Where the user is building the graph: set by the Python layer (its caller's file:line) or
// by C++ callers; read when a node is created.
const std::string& current_location();
class LocationScope {
 public:
  explicit LocationScope(std::string where);
  ~LocationScope();
  LocationScope(const LocationScope&) = delete;
  LocationScope& operator=(const LocationScope&) = delete;

 private:
  std::string previous_;
};

// "x", "Elemwise{add}.0" or "<float64 matrix>": how a variable is named in messages.
std::string var_label(const Variable& v);

}  // namespace theon
