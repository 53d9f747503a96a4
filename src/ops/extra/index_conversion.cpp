// Conversions between flat indices and tuples of indices into an array of shape `dims`:
// UnravelIndex{order}(indices, dims) -> one int64 array per dimension (np.unravel_index) and
// RavelMultiIndex{modes, order}(i_0, ..., i_{n-1}, dims) -> the flat indices
// (np.ravel_multi_index; the index arrays broadcast, out-of-range indices raise, wrap or clip
// per dimension). `dims` is an integer vector of static length. Integer outputs: no gradient.
#include <array>

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// ravel_multi_index's modes, by their code in the op's fields.
constexpr std::array<const char*, 3> kModes = {"raise", "wrap", "clip"};

int64_t mode_code(const std::string& mode) {
  for (size_t i = 0; i < kModes.size(); ++i) {
    if (mode == kModes[i]) return static_cast<int64_t>(i);
  }
  throw ValueError("ravel_multi_index: mode must be 'raise', 'wrap' or 'clip', got '" + mode + "'");
}

bool fortran_order(const std::string& op, const std::string& order) {
  if (order != "C" && order != "F") {
    throw ValueError(op + ": order must be 'C' or 'F', got '" + order + "'");
  }
  return order == "F";
}

// The static length of the dims vector, checked.
int64_t dims_length(const Op& op, const Var& dims) {
  const TensorType& t = dims->type;
  if (t.ndim() != 1 || !is_integer(t.dtype)) {
    throw TypeError(op_error(op, "dims must be a vector of integers, got " + t.str()));
  }
  if (t.shape[0] == kUnknownDim) {
    throw ValueError(op_error(op,
                              "the length of dims must be known when the graph is built, "
                              "got " +
                                  t.str()));
  }
  return t.shape[0];
}

// The dimensions, checked non-negative, and the element strides of order C or F.
std::vector<int64_t> read_dims(const Op& op, const NDArray& dims, bool fortran,
                               std::vector<int64_t>& strides, int64_t& total) {
  std::vector<int64_t> d = read_int_vector(dims);
  strides.assign(d.size(), 1);
  total = 1;
  for (size_t k = 0; k < d.size(); ++k) {
    const size_t i = fortran ? k : d.size() - 1 - k;
    if (d[i] < 0) throw ValueError(op_error(op, "dims must be non-negative, got " + ints_str(d)));
    strides[i] = total;
    auto t = checked_mul(total, d[i]);
    if (!t) throw ValueError(op_error(op, "dims " + ints_str(d) + " are too big"));
    total = *t;
  }
  return d;
}

class UnravelIndex final : public Op {
 public:
  explicit UnravelIndex(bool fortran) : fortran_(fortran) {}
  std::string type_name() const override { return "UnravelIndex"; }
  Props fields() const override { return {{"order", PropValue::string(fortran_ ? "F" : "C")}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 2) {
      throw TypeError(op_error(
          *this, "expected 2 inputs (indices, dims), got " + std::to_string(inputs.size())));
    }
    if (!is_integer(inputs[0]->type.dtype)) {
      throw TypeError(op_error(*this, "indices must be integers, got " + inputs[0]->type.str()));
    }
    const int64_t n = dims_length(*this, inputs[1]);
    return std::vector<TensorType>(n, TensorType(DType::Int64, inputs[0]->type.shape));
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    std::vector<int64_t> strides;
    int64_t total = 0;
    const std::vector<int64_t> dims = read_dims(*this, inputs[1], fortran_, strides, total);
    const NDArray flat = inputs[0].astype(DType::Int64);
    const int64_t* idx = flat.data<int64_t>();
    for (int64_t j = 0; j < flat.size(); ++j) {
      if (idx[j] < 0 || idx[j] >= total) {
        throw ValueError(op_error(
            *this, "index " + std::to_string(idx[j]) + " is out of bounds for an array of shape " +
                       ints_str(dims) + " (size " + std::to_string(total) + ")"));
      }
    }
    for (size_t k = 0; k < dims.size(); ++k) {
      int64_t* out = reuse_or_empty(outputs[k], DType::Int64, inputs[0].shape()).data<int64_t>();
      for (int64_t j = 0; j < flat.size(); ++j) out[j] = idx[j] / strides[k] % dims[k];
    }
  }

  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return {nullptr, nullptr};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>(inputs[1]->type.shape[0], input_shapes[0]);
  }

 private:
  bool fortran_;
};

class RavelMultiIndex final : public Op {
 public:
  RavelMultiIndex(std::vector<int64_t> modes, bool fortran)
      : modes_(std::move(modes)), fortran_(fortran) {}
  std::string type_name() const override { return "RavelMultiIndex"; }
  Props fields() const override {
    return {{"modes", PropValue::ints(modes_)}, {"order", PropValue::string(fortran_ ? "F" : "C")}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() < 2) {
      throw TypeError(op_error(*this, "expected the index arrays and dims, got " +
                                          std::to_string(inputs.size()) + " inputs"));
    }
    const int64_t n = dims_length(*this, inputs.back());
    if (n != static_cast<int64_t>(inputs.size()) - 1 || n != static_cast<int64_t>(modes_.size())) {
      throw ValueError(op_error(*this, "got " + std::to_string(inputs.size() - 1) +
                                           " index arrays for " + std::to_string(n) +
                                           " dimensions"));
    }
    std::vector<StaticShape> shapes;
    for (size_t k = 0; k + 1 < inputs.size(); ++k) {
      if (!is_integer(inputs[k]->type.dtype)) {
        throw TypeError(op_error(*this, "index array " + std::to_string(k) +
                                            " must hold integers, got " + inputs[k]->type.str()));
      }
      shapes.push_back(inputs[k]->type.shape);
    }
    return {TensorType(DType::Int64, broadcast_static(shapes, name()))};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    std::vector<int64_t> strides;
    int64_t total = 0;
    const std::vector<int64_t> dims = read_dims(*this, inputs.back(), fortran_, strides, total);
    std::vector<Shape> shapes;
    for (size_t k = 0; k + 1 < inputs.size(); ++k) shapes.push_back(inputs[k].shape());
    const Shape shape = broadcast_shapes(shapes, name());
    NDArray& out = reuse_or_empty(outputs[0], DType::Int64, shape);
    int64_t* flat = out.data<int64_t>();
    std::fill(flat, flat + out.size(), 0);
    for (size_t k = 0; k < dims.size(); ++k) {
      const NDArray idx = inputs[k].broadcast_to(shape).astype(DType::Int64);
      const int64_t* v = idx.data<int64_t>();
      for (int64_t j = 0; j < out.size(); ++j) {
        int64_t i = v[j];
        if (i < 0 || i >= dims[k]) {
          if (kModes[modes_[k]] == std::string("raise") || dims[k] == 0) {
            throw ValueError(
                op_error(*this, "index " + std::to_string(i) + " is out of bounds for dimension " +
                                    std::to_string(k) + " of size " + std::to_string(dims[k])));
          }
          i = kModes[modes_[k]] == std::string("wrap") ? ((i % dims[k]) + dims[k]) % dims[k]
                                                       : (i < 0 ? 0 : dims[k] - 1);
        }
        flat[j] += i * strides[k];
      }
    }
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return std::vector<Var>(inputs.size(), nullptr);
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override {
    const std::vector<Var> indices(inputs.begin(), inputs.end() - 1);
    const std::vector<std::vector<Var>> shapes(input_shapes.begin(), input_shapes.end() - 1);
    return std::vector<std::vector<Var>>{broadcast_dims(indices, shapes)};
  }

 private:
  std::vector<int64_t> modes_;
  bool fortran_;
};

std::vector<int64_t> checked_modes(const std::vector<int64_t>& modes) {
  for (int64_t m : modes) {
    if (m < 0 || m >= static_cast<int64_t>(kModes.size())) {
      throw ValueError("ravel_multi_index: mode code " + std::to_string(m) +
                       " is not one of "
                       "0 (raise), 1 (wrap), 2 (clip)");
    }
  }
  return modes;
}

}  // namespace

THEON_OP_FILE(index_conversion) {
  register_op_factory("UnravelIndex", [](const PropReader& f) -> OpPtr {
    return std::make_shared<UnravelIndex>(fortran_order("UnravelIndex", f.get_string("order")));
  });
  register_op_factory("RavelMultiIndex", [](const PropReader& f) -> OpPtr {
    return std::make_shared<RavelMultiIndex>(
        checked_modes(f.get_ints("modes")),
        fortran_order("RavelMultiIndex", f.get_string("order")));
  });
  // unravel_index(indices, dims; order='C').
  register_builder("unravel_index", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    const bool fortran = fortran_order("unravel_index", p.get_string("order", "C"));
    return make_node(std::make_shared<UnravelIndex>(fortran), in);
  });
  // ravel_multi_index(i_0, ..., i_{n-1}, dims; mode: one name, or one per dimension as
  // "raise,wrap,clip"; order='C').
  register_builder("ravel_multi_index", 2, -1, [](const std::vector<Var>& in, const Params& p) {
    const bool fortran = fortran_order("ravel_multi_index", p.get_string("order", "C"));
    const std::string spec = p.get_string("mode", "raise");
    std::vector<int64_t> modes;
    size_t start = 0;
    while (true) {
      const size_t comma = spec.find(',', start);
      modes.push_back(mode_code(spec.substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (modes.size() == 1) modes.assign(in.size() - 1, modes[0]);
    return std::vector<Var>{
        make_node1(std::make_shared<RavelMultiIndex>(std::move(modes), fortran), in)};
  });
}

}  // namespace theon
