// sp_sum: the sum of a sparse matrix's entries over an axis (or all), dense. With
// sparse_grad the gradient is structured (the output gradient at the stored positions);
// otherwise it is the full matrix of the broadcast output gradient.
#include "sparse_detail.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

class SpSum final : public SparseOp {
 public:
  SpSum(std::optional<int64_t> axis, bool sparse_grad) : axis_(axis), sparse_grad_(sparse_grad) {}
  std::string type_name() const override { return "SpSum"; }
  Props fields() const override {
    return {{"axis", PropValue::optional_int(axis_)}, {"sparse_grad", PropValue::boolean(sparse_grad_)}};
  }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the input");
    const Type& t = in[0]->type;
    if (!axis_) return {TensorType(t.dtype, {})};
    return {TensorType(t.dtype, {t.shape[1 - *axis_]})};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& x = sparse_value(in[0], name());
    const bool csr = x.format == SparseFormat::Csr;
    Shape shape;
    if (axis_) shape.push_back(*axis_ == 0 ? x.cols : x.rows);
    NDArray o = NDArray::zeros(x.dtype(), shape);
    with_float(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* v = x.data.data<T>();
      T* od = o.data<T>();
      for (int64_t r = 0; r < x.major(); ++r) {
        for (int32_t k = x.ptr()[r]; k < x.ptr()[r + 1]; ++k) {
          const int64_t i = csr ? r : x.idx()[k], j = csr ? x.idx()[k] : r;
          od[!axis_ ? 0 : (*axis_ == 0 ? j : i)] += v[k];
        }
      }
    });
    out[0] = std::move(o);
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    const Var g2 = axis_ && *axis_ == 1 ? expand_dims(g[0], {1}) : g[0];
    if (sparse_grad_) return {sample_dense(in[0], g2)};
    const Var full = add(zeros_like(dense_from_sparse(in[0])), g2);
    return {sparse_from_dense(full, *sparse_format(in[0]->type))};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    if (!axis_) return std::vector<std::vector<Var>>{{}};
    return std::vector<std::vector<Var>>{{shapes[0][1 - *axis_]}};
  }

 private:
  std::optional<int64_t> axis_;
  bool sparse_grad_;
};

}  // namespace

Var sp_sum(const Var& x, std::optional<int64_t> axis, bool sparse_grad) {
  if (axis && *axis < 0) *axis += 2;
  if (axis && (*axis < 0 || *axis > 1)) {
    throw ValueError("sp_sum: axis must be None, 0 or 1 (or -1, -2) for a matrix, got " +
                     std::to_string(*axis));
  }
  return make_node1(std::make_shared<SpSum>(axis, sparse_grad), {x});
}

THEON_OP_FILE(sparse_sp_sum) {
  register_op_factory("SpSum", [](const PropReader& f) -> OpPtr {
    const std::optional<int64_t> axis = f.get_optional_int("axis");
    if (axis && *axis != 0 && *axis != 1) {
      throw ValueError(f.context("axis") + ": expected None, 0 or 1, got " + std::to_string(*axis));
    }
    return std::make_shared<SpSum>(axis, f.get_bool("sparse_grad"));
  });
  register_sparse_kernel("SpSum");
  register_builder("sparse.sp_sum", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    std::optional<int64_t> axis;
    if (p.has("axis")) axis = p.get_int("axis");
    return std::vector<Var>{sp_sum(in[0], axis, p.get_bool("sparse_grad", false))};
  });
}

}  // namespace theon
