// C++ API of the subtensor op family (see src/ops/subtensor/): NumPy indexing.
//
//   Subtensor            basic indexing (ints, slices, newaxis); the output is a view of x
//   AdvancedSubtensor    integer arrays and boolean masks mixed with the above; a copy
//   IncSubtensor         set/inc of a basic indexing; returns a new array
//   AdvancedIncSubtensor set/inc of an advanced indexing (inc accumulates like np.add.at)
//
// An indexing is described by an IndexSpec: one IndexEntry per entry of the key, with the
// Ellipsis expanded and trailing full slices dropped. Every scalar part of an entry (an int
// index, a slice's start/stop/step) is absent (None), a constant (stored in the op) or
// symbolic (an int scalar input of the node). Arrays and masks are always inputs. Symbolic
// parts take the node's index inputs in the order of the entries, so the spec determines the
// slots and equal indexings give equal ops.
//
// Shapes (infer_shape), so that x[idx].shape is computed without indexing: slice lengths are
// int64 expressions of the dimension and the (possibly symbolic) start/stop/step, clamped as
// Python's slice.indices does; advanced integer arrays give their broadcast shape, placed as
// NumPy does; a boolean mask's count of true elements depends on its values: a constant for a
// constant mask, else the mask's sum, computed at run time without indexing x. set/inc give
// x's shape. Like any shape inference, these do not check the index: an out-of-range integer or a
// zero step raises when the indexing runs, not when only its shape is asked for.
//
// Gradients (L_op), built from these same ops so they can be differentiated again; index
// inputs (scalars, arrays, masks) get none:
//   x[idx]                 dx = inc_subtensor(zeros_like(x)[idx], g)  (repeated indices add up)
//   inc_subtensor(x[idx], y)  dx = g;  dy = g[idx] summed to y's shape
//   set_subtensor(x[idx], y)  dx = set_subtensor(g[idx], 0);  dy = g[idx] summed to y's shape,
//                          where an advanced index writes a location several times only the
//                          write that lands (the last) gets the gradient
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

struct IndexPart {
  enum class Mode : uint8_t { None, Const, Input };
  Mode mode = Mode::None;
  int64_t value = 0;  // the constant (Const) or the index-input slot (Input)
  bool operator==(const IndexPart&) const = default;
};

struct IndexEntry {
  enum class Kind : uint8_t { Int, Slice, NewAxis, Array, Mask };
  Kind kind = Kind::Slice;
  IndexPart part[3];  // Int: part[0]; Slice: start, stop, step
  int slot = -1;      // Array / Mask: the index-input slot
  bool operator==(const IndexEntry&) const = default;
};

struct IndexSpec {
  std::vector<IndexEntry> entries;
  int num_inputs = 0;  // index inputs (after x, or after x and y for set/inc)
  bool advanced() const;
  // "1, 2:$:-1, None, [int], [bool]": constants as numbers, "$" for a symbolic scalar.
  std::string str() const;
  bool operator==(const IndexSpec&) const = default;
};

// Common base of the four indexing ops.
class IndexingOp : public Op {
 public:
  explicit IndexingOp(IndexSpec spec) : spec_(std::move(spec)) {}
  const IndexSpec& spec() const { return spec_; }
  // The spec as "entries" (one int list per entry: kind, then mode and value of each of the
  // three parts, then the slot) and "num_inputs".
  Props fields() const override;

 protected:
  IndexSpec spec_;
};

class Subtensor : public IndexingOp {
 public:
  using IndexingOp::IndexingOp;
  std::string type_name() const override { return "Subtensor"; }
  std::string props() const override { return spec_.str(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::string pprint(const std::vector<std::string>& args) const override;
};

class AdvancedSubtensor : public IndexingOp {
 public:
  using IndexingOp::IndexingOp;
  std::string type_name() const override { return "AdvancedSubtensor"; }
  std::string props() const override { return spec_.str(); }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;
  std::string pprint(const std::vector<std::string>& args) const override;
};

// Inputs: x, y, index inputs. Output: a copy of x with x[idx] set to (or incremented by) y
// broadcast to the indexed shape. Never writes into x, except the inplace variant (built only
// by the inplace rewrite), which writes into x's buffer when x is writeable.
class IncSubtensorBase : public IndexingOp {
 public:
  IncSubtensorBase(IndexSpec spec, bool set_instead_of_inc, bool inplace = false)
      : IndexingOp(std::move(spec)), set_(set_instead_of_inc), inplace_(inplace) {}
  bool set_instead_of_inc() const { return set_; }
  bool inplace() const { return inplace_; }
  Props fields() const override;
  std::string props() const override {
    return std::string(set_ ? "Set" : "Inc") + (inplace_ ? ",inplace; " : "; ") + spec_.str();
  }
  std::vector<std::pair<int, int>> destroy_map() const override {
    if (!inplace_) return {};
    return {{0, 0}};
  }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 protected:
  bool set_;
  bool inplace_;
};

class IncSubtensor : public IncSubtensorBase {
 public:
  using IncSubtensorBase::IncSubtensorBase;
  std::string type_name() const override { return "IncSubtensor"; }
};

class AdvancedIncSubtensor : public IncSubtensorBase {
 public:
  using IncSubtensorBase::IncSubtensorBase;
  std::string type_name() const override { return "AdvancedIncSubtensor"; }
};

// ---- Building keys from C++ ----

// A scalar part of a key: None, a constant int or a symbolic int scalar.
struct IndexValue {
  std::optional<int64_t> value;
  Var var;
  IndexValue() = default;
  IndexValue(std::nullopt_t) {}             // NOLINT
  IndexValue(int64_t v) : value(v) {}       // NOLINT
  IndexValue(int v) : value(v) {}           // NOLINT
  IndexValue(Var v) : var(std::move(v)) {}  // NOLINT
  bool none() const { return !value && !var; }
};

// One entry of a NumPy key as written by the user (before Ellipsis expansion).
struct Index {
  enum class Kind : uint8_t { Int, Slice, NewAxis, Ellipsis, Array };
  Kind kind = Kind::Slice;
  IndexValue a, b, c;  // Int: a; Slice: start, stop, step
  Var array;           // Array: an integer array or a boolean mask
};

namespace idx {
inline Index at(IndexValue i) {
  return {Index::Kind::Int, std::move(i), {}, {}, nullptr};
}
inline Index slice(IndexValue start = {}, IndexValue stop = {}, IndexValue step = {}) {
  return {Index::Kind::Slice, std::move(start), std::move(stop), std::move(step), nullptr};
}
inline Index all() {
  return slice();
}
inline Index newaxis() {
  return {Index::Kind::NewAxis, {}, {}, {}, nullptr};
}
inline Index ellipsis() {
  return {Index::Kind::Ellipsis, {}, {}, {}, nullptr};
}
// An integer array (any int dtype) or a boolean mask (bool dtype).
inline Index array(Var a) {
  return {Index::Kind::Array, {}, {}, {}, std::move(a)};
}
}  // namespace idx

// A NumPy key: its entries as written (the Python bindings parse x[key]'s key into one).
using IndexKey = std::vector<Index>;

// NumPy's message for an object that cannot be an index entry.
inline constexpr const char* kBadIndex =
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or "
    "boolean arrays are valid indices";

// x[key] with NumPy semantics: a Subtensor (view) when the key is basic, else an
// AdvancedSubtensor (copy).
Var getitem(const Var& x, const IndexKey& key);
// Normalizes a key against an array of `ndim` dimensions into a spec and its index inputs.
IndexSpec make_index_spec(int ndim, const IndexKey& key, std::vector<Var>* inputs);

// The (advanced) subtensor of x with a given spec and its index inputs.
Var subtensor(const Var& x, const IndexSpec& spec, std::vector<Var> index_inputs);

// Theano's set_subtensor(x[idx], y) / inc_subtensor(x[idx], y): `indexed` must be the result
// of a Subtensor or AdvancedSubtensor node (TypeError otherwise); returns a new tensor equal
// to that node's x with x[idx] replaced by (or incremented by) y.
Var set_subtensor(const Var& indexed, const Var& y);
Var inc_subtensor(const Var& indexed, const Var& y);

// np.take(x, indices, axis): axis must be given here (x is not flattened).
Var take(const Var& x, const Var& indices, int64_t axis);

}  // namespace theon
