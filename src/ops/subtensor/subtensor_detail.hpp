// Helpers shared by the op files of the subtensor family (src/ops/subtensor/), private to them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/core/iterate.hpp"
#include "theon/core/ndarray.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::subtensor_detail {

// A slice resolved against a dimension of size n (Python's slice.indices): `len` elements
// from `start` by `step`; start is 0 when len is 0.
struct SliceRange {
  int64_t start;
  int64_t len;
  int64_t step;
};
SliceRange normalize_slice(std::optional<int64_t> start, std::optional<int64_t> stop,
                           std::optional<int64_t> step, int64_t n);

// Where the broadcast dimensions of the advanced indices go in the output.
struct AdvLayout {
  bool advanced = false;
  int adv_pos = 0;  // number of basic output dimensions before them
};
AdvLayout adv_layout(const IndexSpec& spec);

// NumPy's messages.
std::string out_of_bounds(int64_t index, int axis, int64_t size);
std::string mask_mismatch(int axis, int64_t size, int64_t mask_size);

// A 0-d integer array's value as int64.
inline int64_t read_int(const NDArray& a) {
  int64_t v = 0;
  convert_strided(a.dtype(), a.raw(), 0, DType::Int64, reinterpret_cast<char*>(&v), 0, 1);
  return v;
}

inline std::string part_str(const IndexPart& p) {
  switch (p.mode) {
    case IndexPart::Mode::None:
      return "";
    case IndexPart::Mode::Const:
      return std::to_string(p.value);
    case IndexPart::Mode::Input:
      return "$";
  }
  return "";
}

// Renders the key; `sym` gives the text of the index input in a slot.
template <class Sym>
std::string render(const IndexSpec& spec, Sym&& sym) {
  auto part = [&](const IndexPart& p) {
    return p.mode == IndexPart::Mode::Input ? sym(static_cast<int>(p.value)) : part_str(p);
  };
  std::string s;
  for (size_t i = 0; i < spec.entries.size(); ++i) {
    const IndexEntry& e = spec.entries[i];
    if (i) s += ", ";
    switch (e.kind) {
      case IndexEntry::Kind::Int:
        s += part(e.part[0]);
        break;
      case IndexEntry::Kind::Slice:
        s += part(e.part[0]) + ":" + part(e.part[1]);
        if (e.part[2].mode != IndexPart::Mode::None) s += ":" + part(e.part[2]);
        break;
      case IndexEntry::Kind::NewAxis:
        s += "None";
        break;
      case IndexEntry::Kind::Array:
        s += sym(e.slot);
        break;
      case IndexEntry::Kind::Mask:
        s += sym(e.slot);
        break;
    }
  }
  return s;
}

// The spec in an op's typed fields (index_spec.cpp): must be basic or advanced as asked.
IndexSpec checked_spec(const PropReader& f, bool advanced);

// Throws TypeError unless the node has `want` inputs (static_shape.cpp).
void check_num_inputs(const Op& op, const std::vector<Var>& inputs, size_t want, const char* what);
// The static shape of x[idx] (checks what can be checked at build time).
StaticShape indexed_static_shape(const Op& op, const IndexSpec& spec, const TensorType& xt,
                                 const std::vector<Var>& idx);

// The symbolic shape of x[idx] (symbolic_shape.cpp).
std::optional<std::vector<std::vector<Var>>> indexing_shape(
    const IndexSpec& spec, const std::vector<Var>& inputs,
    const std::vector<std::vector<Var>>& input_shapes);

// x[idx] described as: the basic dimensions (`rest`, in output order, byte strides into x,
// starting at `base`), and for advanced indexing the broadcast shape of the index arrays with
// one byte offset per element of it (C order). The output has shape
// rest[:adv_pos] + bshape + rest[adv_pos:]. A basic index has bshape () and offsets {0}.
struct Plan {
  int64_t base = 0;
  Shape rest_shape;
  Strides rest_strides;
  Shape bshape;
  std::vector<int64_t> offsets{0};
  int adv_pos = 0;

  Shape out_shape() const {
    Shape s(rest_shape.begin(), rest_shape.begin() + adv_pos);
    s.insert(s.end(), bshape.begin(), bshape.end());
    s.insert(s.end(), rest_shape.begin() + adv_pos, rest_shape.end());
    return s;
  }
};

// Byte offsets of every element of `shape` (C order) under `strides`.
std::vector<int64_t> odometer_offsets(const Shape& shape, const int64_t* strides);
// Splits `all` into the dims [pos, pos + n) and the others.
void split_dims(const Strides& all, int pos, int n, Strides* inside, Strides* outside);
// The plan of x[idx] for an array of this geometry; the index inputs start at in[first_index].
Plan make_plan(const Op& op, const IndexSpec& spec, const Shape& shape, const Strides& strides,
               const std::vector<NDArray>& in, size_t first_index);

// Runs f(dst, src, dst_stride, src_stride, n) over the inner runs of a block of `shape`
// with two sets of byte strides; dimensions are merged where both layouts allow.
class BlockLoop {
 public:
  BlockLoop(const Shape& shape, const Strides& dst, const Strides& src) {
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 1) continue;
      if (!shape_.empty() && dst_.back() == dst[i] * shape[i] && src_.back() == src[i] * shape[i]) {
        shape_.back() *= shape[i];
        dst_.back() = dst[i];
        src_.back() = src[i];
        continue;
      }
      shape_.push_back(shape[i]);
      dst_.push_back(dst[i]);
      src_.push_back(src[i]);
    }
    empty_ = shape_size(shape) == 0;
    counter_.assign(shape_.size(), 0);
  }

  template <class F>
  void run(char* dst, const char* src, F&& f) {
    if (empty_) return;
    const int nd = static_cast<int>(shape_.size());
    if (nd == 0) {
      f(dst, src, 0, 0, 1);
      return;
    }
    const int64_t n = shape_[nd - 1];
    const int64_t sd = dst_[nd - 1];
    const int64_t ss = src_[nd - 1];
    std::fill(counter_.begin(), counter_.end(), 0);
    while (true) {
      f(dst, src, sd, ss, n);
      int d = nd - 2;
      for (; d >= 0; --d) {
        dst += dst_[d];
        src += src_[d];
        if (++counter_[d] < shape_[d]) break;
        dst -= dst_[d] * shape_[d];
        src -= src_[d] * shape_[d];
        counter_[d] = 0;
      }
      if (d < 0) return;
    }
  }

 private:
  Shape shape_;
  Strides dst_, src_;
  std::vector<int64_t> counter_;
  bool empty_ = false;
};

using RunFn = void (*)(char*, const char*, int64_t, int64_t, int64_t);
// Copies n elements of this dtype's size between two strided runs (plan.cpp).
RunFn copy_fn(DType dt);

// The (advanced) set/inc node of x[idx] with y for a given spec and its index inputs
// (inc_subtensor.cpp).
Var inc_node(const IndexSpec& spec, bool set, const Var& x, const Var& y,
             const std::vector<Var>& index_inputs);

// The gradient with respect to x of x[idx] (subtensor.cpp).
std::vector<Var> indexing_grad(const IndexSpec& spec, const std::vector<Var>& inputs, const Var& g);

}  // namespace theon::subtensor_detail
