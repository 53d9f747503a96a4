// Nonzero(a): the indices of the elements of a that are not zero, one int64 vector per
// dimension, in C order (np.nonzero); their length depends on the values. NaN counts as
// nonzero. A 0-d array has no dimension to index (NumPy 2 refuses it too). Integer outputs: no
// gradient; flatnonzero and nonzero_values are Python glue over it.
#include <cstring>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

class Nonzero final : public Op {
 public:
  std::string type_name() const override { return "Nonzero"; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 1) {
      throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
    }
    const TensorType& t = inputs[0]->type;
    if (t.ndim() == 0) {
      throw ValueError(op_error(*this,
                                "a 0-d input has no dimension to index; use "
                                "atleast_1d (or flatnonzero) first, got " +
                                    t.str()));
    }
    return std::vector<TensorType>(t.ndim(), TensorType(DType::Int64, {kUnknownDim}));
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const NDArray truth = inputs[0].astype(DType::Bool);
    const auto* flags = reinterpret_cast<const uint8_t*>(truth.raw());
    int64_t count = 0;
    for (int64_t j = 0; j < truth.size(); ++j) count += flags[j] != 0;
    const int nd = truth.ndim();
    std::vector<int64_t*> out(nd);
    for (int d = 0; d < nd; ++d) {
      out[d] = reuse_or_empty(outputs[d], DType::Int64, {count}).data<int64_t>();
    }
    std::vector<int64_t> at(nd, 0);  // the multi-index of element j, advanced in C order
    int64_t k = 0;
    for (int64_t j = 0; j < truth.size(); ++j) {
      if (flags[j]) {
        for (int d = 0; d < nd; ++d) out[d][k] = at[d];
        ++k;
      }
      for (int d = nd - 1; d >= 0; --d) {
        if (++at[d] < truth.shape(d)) break;
        at[d] = 0;
      }
    }
  }

  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return {nullptr};
  }
};

}  // namespace

THEON_OP_FILE(nonzero) {
  register_op_factory("Nonzero",
                      [](const PropReader&) -> OpPtr { return std::make_shared<Nonzero>(); });
  register_builder("nonzero", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return make_node(std::make_shared<Nonzero>(), in);
  });
}

}  // namespace theon
