// The generator state type (a ValueKind: four uint32 words, seed low, seed high, stream and
// call count) and what the random ops share about states, sizes and parameters.
#include <algorithm>

#include "random_util.hpp"
#include "theon/compile/shared.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/random.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

class GeneratorStateKind final : public ValueKind {
 public:
  std::string name() const override { return "RandomGenerator"; }
  bool equals(const ValueKind& other) const override {
    return dynamic_cast<const GeneratorStateKind*>(&other) != nullptr;
  }
  std::string value_mismatch(const Type&, const Value& value) const override {
    if (!value.is_array() || value.array().dtype() != DType::UInt32 ||
        value.array().shape() != Shape{4}) {
      return "expected a generator state (4 uint32 words), got " + value.describe();
    }
    return "";
  }
};

}  // namespace

TensorType generator_state_type() {
  static const auto kind = std::make_shared<const GeneratorStateKind>();
  TensorType t(DType::UInt32, {4});
  t.value_kind = kind;
  return t;
}

bool is_generator_state(const TensorType& type) {
  return type.value_kind && type.value_kind->equals(*generator_state_type().value_kind);
}

NDArray generator_state_value(uint64_t seed, uint32_t stream) {
  return NDArray::from_vector<uint32_t>(
      {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), stream, 0}, {4});
}

Var generator_state(uint64_t seed, uint32_t stream, const std::string& name) {
  auto cell = std::make_shared<SharedValue>(generator_state_value(seed, stream), name);
  return make_shared(cell, generator_state_type());
}

namespace random_detail {

StateWords read_state(const Op& op, const NDArray& state) {
  if (state.dtype() != DType::UInt32 || state.shape() != Shape{4}) {
    throw TypeError(op_error(op, "expected a generator state (4 uint32 words), got a " +
                                     std::string(dtype_name(state.dtype())) + " array of shape " +
                                     shape_str(state.shape())));
  }
  const NDArray s = state.is_c_contiguous() ? state : state.copy();
  const uint32_t* w = s.data<uint32_t>();
  return {{w[0], w[1]}, w[2], w[3]};
}

void advance_state(const NDArray& state, NDArray& slot) {
  const NDArray s = state.is_c_contiguous() ? state : state.copy();
  NDArray& out = reuse_or_empty(slot, DType::UInt32, {4});
  std::copy_n(s.data<uint32_t>(), 4, out.data<uint32_t>());
  out.data<uint32_t>()[3] += 1;  // wraps after 2^32 calls
}

void check_state_input(const Op& op, const Var& v) {
  if (!is_generator_state(v->type)) {
    throw TypeError(op_error(op, "the first input must be a generator state (" +
                                     generator_state_type().str() + "), got " + v->type.str()));
  }
}

StaticShape static_size(const Op& op, const Var& size) {
  const TensorType& t = size->type;
  if (!is_integer(t.dtype) || t.ndim() != 1) {
    throw TypeError(op_error(op, "size must be an integer vector, got " + t.str()));
  }
  auto vals = static_int_vector(size);
  if (!vals) {
    throw TypeError(op_error(op,
                             "size must have a static length (pass a tuple or a vector of "
                             "known length), got " +
                                 t.str()));
  }
  StaticShape out;
  for (const auto& v : *vals) {
    if (v && *v < 0) {
      throw ValueError(
          op_error(op, "size must not have negative entries, got " + std::to_string(*v)));
    }
    out.push_back(v ? *v : kUnknownDim);
  }
  return out;
}

Shape runtime_size(const Op& op, const NDArray& size) {
  Shape out = read_int_vector(size);
  for (int64_t d : out) {
    if (d < 0)
      throw ValueError(op_error(op, "size must not have negative entries: " + ints_str(out)));
  }
  return out;
}

std::vector<Var> size_dims(const Var& size) {
  std::vector<Var> out;
  auto vals = static_int_vector(size);
  for (size_t i = 0; vals && i < vals->size(); ++i) {
    out.push_back((*vals)[i] ? int64_const(*(*vals)[i]) : vector_entry(size, int64_t(i)));
  }
  return out;
}

std::vector<NDArray> broadcast_params(const Op& op, const std::vector<NDArray>& params,
                                      const Shape& shape, const std::vector<const char*>& names) {
  std::vector<NDArray> out;
  for (size_t k = 0; k < params.size(); ++k) {
    const NDArray& p = params[k];
    bool ok = p.ndim() <= static_cast<int>(shape.size());
    const size_t off = shape.size() - std::min<size_t>(shape.size(), p.ndim());
    for (int i = 0; ok && i < p.ndim(); ++i) ok = p.shape(i) == 1 || p.shape(i) == shape[off + i];
    if (!ok) {
      throw ValueError(op_error(
          op, "parameter '" + std::string(names[k]) + "' of shape " + shape_str(p.shape()) +
                  " does not broadcast to the sample shape " + shape_str(shape)));
    }
    out.push_back((p.dtype() == DType::Float64 ? p : p.astype(DType::Float64)).broadcast_to(shape));
  }
  return out;
}

OffsetWalker::OffsetWalker(const std::vector<NDArray>& arrays, const Shape& shape, int64_t begin)
    : shape_(shape), index_(shape.size(), 0), offsets_(arrays.size(), 0) {
  for (const NDArray& a : arrays) {
    std::vector<int64_t> st;
    for (int64_t s : a.strides()) st.push_back(s / static_cast<int64_t>(itemsize(a.dtype())));
    strides_.push_back(std::move(st));
  }
  int64_t rest = begin;
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0 && shape[d] > 0; --d) {
    index_[d] = rest % shape[d];
    rest /= shape[d];
  }
  for (size_t k = 0; k < arrays.size(); ++k) {
    for (size_t d = 0; d < shape.size(); ++d) offsets_[k] += index_[d] * strides_[k][d];
  }
}

void OffsetWalker::next() {
  for (int d = static_cast<int>(shape_.size()) - 1; d >= 0; --d) {
    if (++index_[d] < shape_[d]) {
      for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] += strides_[k][d];
      return;
    }
    for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] -= (shape_[d] - 1) * strides_[k][d];
    index_[d] = 0;
  }
}

}  // namespace random_detail
}  // namespace theon
