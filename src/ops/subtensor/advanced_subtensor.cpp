// AdvancedSubtensor: integer arrays and boolean masks mixed with basic indices; a copy.
#include <cstring>
#include <memory>
#include <vector>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

template <size_t K>
void gather_k(char* out, const char* src, const std::vector<int64_t>& offsets) {
  const size_t n = offsets.size();
  for (size_t b = 0; b < n; ++b) std::memcpy(out + b * K, src + offsets[b], K);
}

void gather(size_t k, char* out, const char* src, const std::vector<int64_t>& offsets) {
  switch (k) {
    case 1:
      return gather_k<1>(out, src, offsets);
    case 2:
      return gather_k<2>(out, src, offsets);
    case 4:
      return gather_k<4>(out, src, offsets);
    default:
      return gather_k<8>(out, src, offsets);
  }
}

}  // namespace

using namespace subtensor_detail;

std::vector<TensorType> AdvancedSubtensor::output_types(const std::vector<Var>& inputs) const {
  check_num_inputs(*this, inputs, 1 + spec_.num_inputs, "x and the index inputs");
  std::vector<Var> idx(inputs.begin() + 1, inputs.end());
  return {
      TensorType(inputs[0]->type.dtype, indexed_static_shape(*this, spec_, inputs[0]->type, idx))};
}

void AdvancedSubtensor::perform(const std::vector<NDArray>& inputs,
                                std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const Plan P = make_plan(*this, spec_, x.shape(), x.strides(), inputs, 1);
  NDArray& out = reuse_or_empty(outputs[0], x.dtype(), P.out_shape());
  const char* src = x.raw() + P.base;
  if (shape_size(P.rest_shape) == 1) {
    // One element per index (x[i] on a vector, x[i, j] on a matrix): a plain gather.
    gather(itemsize(x.dtype()), out.raw(), src, P.offsets);
    return;
  }
  const int nb = static_cast<int>(P.bshape.size());
  Strides out_b, out_rest;
  split_dims(out.strides(), P.adv_pos, nb, &out_b, &out_rest);
  const std::vector<int64_t> dst_off = odometer_offsets(P.bshape, out_b.data());
  BlockLoop loop(P.rest_shape, out_rest, P.rest_strides);
  const RunFn fn = copy_fn(x.dtype());
  for (size_t b = 0; b < P.offsets.size(); ++b)
    loop.run(out.raw() + dst_off[b], src + P.offsets[b], fn);
}

std::optional<std::vector<std::vector<Var>>> AdvancedSubtensor::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  return indexing_shape(spec_, inputs, input_shapes);
}

std::string AdvancedSubtensor::pprint(const std::vector<std::string>& args) const {
  return args[0] + "[" + render(spec_, [&](int s) { return args[1 + s]; }) + "]";
}

std::vector<Var> AdvancedSubtensor::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                         const std::vector<Var>& output_grads) const {
  return indexing_grad(spec_, inputs, output_grads[0]);
}

THEON_OP_FILE(advanced_subtensor) {
  register_op_factory("AdvancedSubtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AdvancedSubtensor>(checked_spec(f, true));
  });
}

}  // namespace theon
