// SearchSorted{side}(a, v): for each element of v, the index in the sorted vector a where it
// would be inserted to keep a sorted (np.searchsorted): the first such index with side='left',
// the last with side='right'. Both are compared in their promoted dtype, NaN sorting last as in
// np.sort. The sorter argument is Python glue (a[sorter]). Integer output: no gradient.
#include <algorithm>

#include "../element_util.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

class SearchSorted final : public Op {
 public:
  explicit SearchSorted(bool right) : right_(right) {}
  std::string type_name() const override { return "SearchSorted"; }
  Props fields() const override { return {{"side", PropValue::string(right_ ? "right" : "left")}}; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != 2) {
      throw TypeError(
          op_error(*this, "expected 2 inputs (a, v), got " + std::to_string(inputs.size())));
    }
    if (inputs[0]->type.ndim() != 1) {
      throw ValueError(op_error(*this, "a must be a sorted vector, got " + inputs[0]->type.str()));
    }
    return {TensorType(DType::Int64, inputs[1]->type.shape)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const DType common = promote(inputs[0].dtype(), inputs[1].dtype());
    const NDArray a = inputs[0].astype(common);
    const NDArray v = inputs[1].astype(common);
    NDArray& out = reuse_or_empty(outputs[0], DType::Int64, inputs[1].shape());
    int64_t* dst = out.data<int64_t>();
    visit_dtype(common, [&](auto tag) {
      using T = Storage<typename decltype(tag)::type>;
      const T* begin = reinterpret_cast<const T*>(a.raw());
      const T* end = begin + a.size();
      const T* values = reinterpret_cast<const T*>(v.raw());
      auto less = [](T p, T q) { return p < q || (is_nan(q) && !is_nan(p)); };
      for (int64_t i = 0; i < v.size(); ++i) {
        const T* at = right_ ? std::upper_bound(begin, end, values[i], less)
                             : std::lower_bound(begin, end, values[i], less);
        dst[i] = at - begin;
      }
    });
  }

  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return {nullptr, nullptr};
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const override {
    return std::vector<std::vector<Var>>{input_shapes[1]};
  }

 private:
  bool right_;
};

bool side_is_right(const std::string& side) {
  if (side != "left" && side != "right") {
    throw ValueError("searchsorted: side must be 'left' or 'right', got '" + side + "'");
  }
  return side == "right";
}

}  // namespace

THEON_OP_FILE(searchsorted) {
  register_op_factory("SearchSorted", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SearchSorted>(side_is_right(f.get_string("side")));
  });
  register_builder("searchsorted", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    const bool right = side_is_right(p.get_string("side", "left"));
    return std::vector<Var>{make_node1(std::make_shared<SearchSorted>(right), in)};
  });
}

}  // namespace theon
