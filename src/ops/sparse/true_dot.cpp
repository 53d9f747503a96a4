// true_dot: sparse x sparse -> sparse (Gustavson's row-by-row product on CSR operands, one
// dense accumulator row per task), in the left operand's format; and SparseConvert, the same
// matrix in the other format (csr <-> csc), which true_dot's gradient needs to give each
// operand a gradient of its own format.
#include <algorithm>

#include "sparse_detail.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

class SparseConvert final : public SparseOp {
 public:
  explicit SparseConvert(SparseFormat f) : format_(f) {}
  std::string type_name() const override { return "SparseConvert"; }
  Props fields() const override { return {{"format", PropValue::string(format_name(format_))}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the input");
    return {sparse_type(format_, in[0]->type.dtype, in[0]->type.shape)};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    out[0] = Value(convert_format(sparse_value(in[0], name()), format_));
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    return {sparse_convert(g[0], *sparse_format(in[0]->type))};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }

 private:
  SparseFormat format_;
};

template <class T>
SparsePtr csr_product(const SparseMatrix& a, const NDArray& av, const SparseMatrix& b,
                      const NDArray& bv) {
  const int64_t m = a.rows, n = b.cols;
  std::vector<std::vector<int32_t>> row_idx(m);
  std::vector<std::vector<T>> row_val(m);
  const T *x = av.data<T>(), *y = bv.data<T>();
  parallel_for(m, 64, [&](int64_t rb, int64_t re) {
    std::vector<T> acc(n, T(0));
    std::vector<char> seen(n, 0);
    std::vector<int32_t> cols;
    for (int64_t i = rb; i < re; ++i) {
      cols.clear();
      for (int32_t k = a.ptr()[i]; k < a.ptr()[i + 1]; ++k) {
        const int32_t j = a.idx()[k];
        for (int32_t l = b.ptr()[j]; l < b.ptr()[j + 1]; ++l) {
          const int32_t c = b.idx()[l];
          if (!seen[c]) seen[c] = 1, cols.push_back(c);
          acc[c] += x[k] * y[l];
        }
      }
      std::sort(cols.begin(), cols.end());
      row_idx[i] = cols;
      row_val[i].reserve(cols.size());
      for (int32_t c : cols) {
        row_val[i].push_back(acc[c]);
        acc[c] = 0;
        seen[c] = 0;
      }
    }
  });
  NDArray indptr = NDArray::empty(DType::Int32, {m + 1});
  int32_t* p = indptr.data<int32_t>();
  p[0] = 0;
  int64_t nnz = 0;
  for (int64_t i = 0; i < m; ++i) {
    nnz += static_cast<int64_t>(row_idx[i].size());
    if (nnz > INT32_MAX) throw ValueError("true_dot: the product has more than 2^31-1 entries");
    p[i + 1] = static_cast<int32_t>(nnz);
  }
  NDArray data = NDArray::empty(av.dtype(), {nnz});
  NDArray indices = NDArray::empty(DType::Int32, {nnz});
  for (int64_t i = 0; i < m; ++i) {
    std::copy(row_idx[i].begin(), row_idx[i].end(), indices.data<int32_t>() + p[i]);
    std::copy(row_val[i].begin(), row_val[i].end(), data.data<T>() + p[i]);
  }
  return make_sparse(SparseFormat::Csr, m, n, data, indices, indptr);
}

class TrueDot final : public SparseOp {
 public:
  std::string type_name() const override { return "TrueDot"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the left operand");
    expect_sparse(*this, in[1], "the right operand");
    const Type &a = in[0]->type, &b = in[1]->type;
    if (a.shape[1] != kUnknownDim && b.shape[0] != kUnknownDim && a.shape[1] != b.shape[0]) {
      throw ValueError(op_error(*this, "shapes " + static_shape_str(a.shape) + " and " +
                                           static_shape_str(b.shape) + " are not aligned"));
    }
    DType dt = promote(a.dtype, b.dtype);
    return {sparse_type(*sparse_format(a), dt, {a.shape[0], b.shape[1]})};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& a0 = sparse_value(in[0], name());
    const SparseMatrix& b0 = sparse_value(in[1], name());
    if (a0.cols != b0.rows) {
      throw ValueError(op_error(*this, "shapes " + shape_str({a0.rows, a0.cols}) + " and " +
                                           shape_str({b0.rows, b0.cols}) + " are not aligned"));
    }
    const SparsePtr a = convert_format(a0, SparseFormat::Csr);
    const SparsePtr b = convert_format(b0, SparseFormat::Csr);
    const DType dt = promote(a->dtype(), b->dtype());
    const NDArray av = a->dtype() == dt ? a->data : a->data.astype(dt);
    const NDArray bv = b->dtype() == dt ? b->data : b->data.astype(dt);
    with_float(dt, [&](auto zero) {
      using T = decltype(zero);
      SparsePtr r = csr_product<T>(*a, av, *b, bv);
      out[0] = Value(a0.format == SparseFormat::Csr ? r : convert_format(*r, SparseFormat::Csc));
    });
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    const Var &a = in[0], &b = in[1];
    Var ga = true_dot(g[0], sparse_transpose(b));
    Var gb = sparse_convert(true_dot(sparse_transpose(a), g[0]), *sparse_format(b->type));
    return {sparse_convert(ga, *sparse_format(a->type)), gb};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{{shapes[0][0], shapes[1][1]}};
  }
};

}  // namespace

Var sparse_convert(const Var& x, SparseFormat format) {
  if (sparse_format(x->type) == format) return x;
  return make_node1(std::make_shared<SparseConvert>(format), {x});
}

Var true_dot(const Var& a, const Var& b) { return make_node1(std::make_shared<TrueDot>(), {a, b}); }

THEON_OP_FILE(sparse_true_dot) {
  register_op_factory("SparseConvert", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SparseConvert>(
        parse_sparse_format(f.get_string("format"), f.context("format")));
  });
  register_op_factory("TrueDot",
                      [](const PropReader&) -> OpPtr { return std::make_shared<TrueDot>(); });
  register_sparse_kernel("SparseConvert");
  register_sparse_kernel("TrueDot");
  register_builder("sparse.true_dot", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{true_dot(in[0], in[1])};
  });
  register_builder("sparse.convert", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        sparse_convert(in[0], parse_sparse_format(p.get_string("format", ""), "sparse.convert"))};
  });
}

}  // namespace theon
