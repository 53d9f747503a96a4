// Sparse arithmetic: sparse * dense (MulSD: the dense operand, a scalar or anything that
// broadcasts to the matrix, read at the stored positions; structured), sparse * sparse
// (MulSS: the common positions), sparse + sparse (AddSS: all positions) and sparse + dense
// (AddSD: dense). The merging kernels rely on canonical matrices (sorted unique indices).
#include <algorithm>

#include "sparse_detail.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/gradient_support.hpp"

namespace theon {
namespace {

DType float_result(DType a, DType b) {
  DType r = promote(a, b);
  return r == DType::Float32 ? DType::Float32 : DType::Float64;
}

void expect_same_format(const Op& op, const Var& a, const Var& b) {
  if (sparse_format(a->type) != sparse_format(b->type)) {
    throw TypeError(op_error(op, "both operands must have the same format, got " + a->type.str() +
                                     " and " + b->type.str()));
  }
}

StaticShape both_shape(const Op& op, const Type& a, const Type& b) {
  StaticShape s = a.shape;
  for (int i = 0; i < 2; ++i) {
    if (s[i] == kUnknownDim) s[i] = b.shape[i];
    if (a.shape[i] != kUnknownDim && b.shape[i] != kUnknownDim && a.shape[i] != b.shape[i]) {
      throw ValueError(op_error(op, "shapes " + static_shape_str(a.shape) + " and " +
                                        static_shape_str(b.shape) + " differ"));
    }
  }
  return s;
}

void check_same_shape(const Op& op, const SparseMatrix& a, int64_t rows, int64_t cols) {
  if (a.rows != rows || a.cols != cols) {
    throw ValueError(op_error(op, "shapes " + shape_str({a.rows, a.cols}) + " and " +
                                      shape_str({rows, cols}) + " differ"));
  }
}

class MulSD final : public SparseOp {
 public:
  std::string type_name() const override { return "MulSD"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the sparse operand");
    expect_dense(*this, in[1], "the dense operand", -1);
    const Type& s = in[0]->type;
    if (in[1]->type.ndim() > 2) {
      throw TypeError(op_error(*this, "the dense operand has more than 2 dimensions: " + in[1]->type.str()));
    }
    broadcast_static({s.shape, in[1]->type.shape}, name());
    return {sparse_type(*sparse_format(s), float_result(s.dtype, in[1]->type.dtype), s.shape)};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& x = sparse_value(in[0], name());
    const NDArray& d0 = dense_value(in[1], name());
    broadcast_shapes({{x.rows, x.cols}, d0.shape()}, name());
    const DType dt = float_result(x.dtype(), d0.dtype());
    NDArray d = d0.dtype() == dt ? d0 : d0.astype(dt);
    d = d.broadcast_to({x.rows, x.cols});
    NDArray xv = x.data.dtype() == dt ? x.data : x.data.astype(dt);
    NDArray data = NDArray::empty(dt, {x.nnz()});
    const bool csr = x.format == SparseFormat::Csr;
    with_float(dt, [&](auto zero) {
      using T = decltype(zero);
      const T* base = d.data<T>();
      const int64_t s0 = d.strides()[0] / int64_t(sizeof(T)), s1 = d.strides()[1] / int64_t(sizeof(T));
      const T* v = xv.data<T>();
      T* o = data.data<T>();
      for (int64_t r = 0; r < x.major(); ++r) {
        for (int32_t k = x.ptr()[r]; k < x.ptr()[r + 1]; ++k) {
          const int64_t i = csr ? r : x.idx()[k], j = csr ? x.idx()[k] : r;
          o[k] = v[k] * base[i * s0 + j * s1];
        }
      }
    });
    out[0] = Value(with_data(x, data));
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    return {sparse_mul(g[0], in[1]), sum_to_shape(dense_from_sparse(sparse_mul(g[0], in[0])), in[1])};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }
};

// Merges two canonical matrices of one format and shape row by row: `both` keeps positions
// stored in both (multiplying), otherwise all positions (adding, a missing value being 0).
template <class T>
SparsePtr merge(const SparseMatrix& a, const NDArray& av, const SparseMatrix& b, const NDArray& bv,
                bool both) {
  const int64_t major = a.major();
  NDArray indptr = NDArray::empty(DType::Int32, {major + 1});
  std::vector<int32_t> idx;
  std::vector<T> val;
  const T *x = av.data<T>(), *y = bv.data<T>();
  int32_t* p = indptr.data<int32_t>();
  p[0] = 0;
  for (int64_t r = 0; r < major; ++r) {
    int32_t i = a.ptr()[r], j = b.ptr()[r];
    const int32_t ie = a.ptr()[r + 1], je = b.ptr()[r + 1];
    while (i < ie || j < je) {
      const int32_t ci = i < ie ? a.idx()[i] : INT32_MAX, cj = j < je ? b.idx()[j] : INT32_MAX;
      if (ci == cj) {
        idx.push_back(ci);
        val.push_back(both ? x[i] * y[j] : x[i] + y[j]);
        ++i, ++j;
      } else if (ci < cj) {
        if (!both) idx.push_back(ci), val.push_back(x[i]);
        ++i;
      } else {
        if (!both) idx.push_back(cj), val.push_back(y[j]);
        ++j;
      }
    }
    p[r + 1] = static_cast<int32_t>(idx.size());
  }
  const int64_t nnz = static_cast<int64_t>(idx.size());
  NDArray data = NDArray::empty(av.dtype(), {nnz});
  NDArray indices = NDArray::empty(DType::Int32, {nnz});
  std::copy(val.begin(), val.end(), data.data<T>());
  std::copy(idx.begin(), idx.end(), indices.data<int32_t>());
  return make_sparse(a.format, a.rows, a.cols, data, indices, indptr);
}

class MergeSS final : public SparseOp {
 public:
  explicit MergeSS(bool mul) : mul_(mul) {}
  std::string type_name() const override { return mul_ ? "MulSS" : "AddSS"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the left operand");
    expect_sparse(*this, in[1], "the right operand");
    expect_same_format(*this, in[0], in[1]);
    const Type &a = in[0]->type, &b = in[1]->type;
    return {sparse_type(*sparse_format(a), float_result(a.dtype, b.dtype), both_shape(*this, a, b))};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& a = sparse_value(in[0], name());
    const SparseMatrix& b = sparse_value(in[1], name());
    check_same_shape(*this, a, b.rows, b.cols);
    const DType dt = float_result(a.dtype(), b.dtype());
    const NDArray av = a.dtype() == dt ? a.data : a.data.astype(dt);
    const NDArray bv = b.dtype() == dt ? b.data : b.data.astype(dt);
    with_float(dt, [&](auto zero) {
      using T = decltype(zero);
      out[0] = Value(merge<T>(a, av, b, bv, mul_));
    });
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    if (!mul_) return {g[0], g[0]};
    return {sparse_mul(g[0], in[1]), sparse_mul(g[0], in[0])};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }

 private:
  bool mul_;
};

class AddSD final : public SparseOp {
 public:
  std::string type_name() const override { return "AddSD"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the sparse operand");
    expect_dense(*this, in[1], "the dense operand", 2);
    const Type &s = in[0]->type, &d = in[1]->type;
    return {TensorType(float_result(s.dtype, d.dtype), both_shape(*this, s, d))};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& x = sparse_value(in[0], name());
    const NDArray& d = dense_value(in[1], name());
    check_same_shape(*this, x, d.shape(0), d.shape(1));
    const DType dt = float_result(x.dtype(), d.dtype());
    NDArray o = d.astype(dt);
    const NDArray xv = x.dtype() == dt ? x.data : x.data.astype(dt);
    const bool csr = x.format == SparseFormat::Csr;
    with_float(dt, [&](auto zero) {
      using T = decltype(zero);
      T* od = o.data<T>();
      const T* v = xv.data<T>();
      for (int64_t r = 0; r < x.major(); ++r) {
        for (int32_t k = x.ptr()[r]; k < x.ptr()[r + 1]; ++k) {
          const int64_t i = csr ? r : x.idx()[k], j = csr ? x.idx()[k] : r;
          od[i * x.cols + j] += v[k];
        }
      }
    });
    out[0] = std::move(o);
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    return {sample_dense(in[0], g[0]), g[0]};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[1]};
  }
};

}  // namespace

Var sparse_mul(const Var& a, const Var& b) {
  if (is_sparse(a) && is_sparse(b)) return make_node1(std::make_shared<MergeSS>(true), {a, b});
  if (is_sparse(b)) return make_node1(std::make_shared<MulSD>(), {b, a});
  return make_node1(std::make_shared<MulSD>(), {a, b});
}

Var sparse_add(const Var& a, const Var& b) {
  if (is_sparse(a) && is_sparse(b)) return make_node1(std::make_shared<MergeSS>(false), {a, b});
  if (is_sparse(b)) return make_node1(std::make_shared<AddSD>(), {b, a});
  return make_node1(std::make_shared<AddSD>(), {a, b});
}

THEON_OP_FILE(sparse_arithmetic) {
  register_op_factory("MulSD",
                      [](const PropReader&) -> OpPtr { return std::make_shared<MulSD>(); });
  register_op_factory("AddSD",
                      [](const PropReader&) -> OpPtr { return std::make_shared<AddSD>(); });
  register_op_factory("MulSS",
                      [](const PropReader&) -> OpPtr { return std::make_shared<MergeSS>(true); });
  register_op_factory("AddSS",
                      [](const PropReader&) -> OpPtr { return std::make_shared<MergeSS>(false); });
  for (const char* n : {"MulSD", "MulSS", "AddSS", "AddSD"}) register_sparse_kernel(n);
  register_builder("sparse.mul", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sparse_mul(in[0], in[1])};
  });
  register_builder("sparse.add", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sparse_add(in[0], in[1])};
  });
}

}  // namespace theon
