// C++ API of the sort op family (see src/ops/sort.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

// Sorts along one axis (or the C-order flattening when axis is nullopt), ascending, NaN last
// like NumPy; ArgSort is stable (equal values keep their order). Sort gives the sorted values,
// ArgSort (indices=true) their int64 positions.
//
// Gradient of Sort: the output gradient routed back through the sorting permutation p =
// argsort(x): grad_x[p[i]] = g[i] along the axis, computed as a gather of g at the inverse
// permutation argsort(p) (with aranges on the other axes; axis = nullopt gathers the flat
// gradient and reshapes it to x's shape). Among equal values the split follows argsort's stable
// order (any assignment is valid there: sort is not differentiable at ties). ArgSort has no
// gradient (integer output): its L_op returns null. None for integer or bool inputs.
class Sort : public Op {
 public:
  Sort(bool indices, std::optional<int64_t> axis);
  std::string type_name() const override { return indices_ ? "ArgSort" : "Sort"; }
  Props fields() const override { return {{"axis", PropValue::optional_int(axis_)}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override;
  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;
  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override;

 private:
  bool indices_;
  std::optional<int64_t> axis_;
};

template <bool kIndices>
class SortOf final : public Sort {
 public:
  explicit SortOf(std::optional<int64_t> axis) : Sort(kIndices, axis) {}
};

// `kind` is accepted for NumPy compatibility ("quicksort", "mergesort", "heapsort", "stable");
// argsort is stable for every kind. Another kind raises ValueError.
Var sort(const Var& x, std::optional<int64_t> axis = -1, const std::string& kind = "quicksort");
Var argsort(const Var& x, std::optional<int64_t> axis = -1, const std::string& kind = "quicksort");

}  // namespace theon
