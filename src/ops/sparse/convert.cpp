// Conversions: dense_from_sparse, csr_from_dense / csc_from_dense, and transpose (a CSR
// matrix's arrays read as CSC are its transpose, so it costs nothing). dense_from_sparse's
// gradient is structured, as Theano's: the output gradient at the input's stored positions.
#include "sparse_detail.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/gradient_support.hpp"

namespace theon {
namespace {

class DenseFromSparse final : public SparseOp {
 public:
  std::string type_name() const override { return "DenseFromSparse"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the input");
    return {TensorType(in[0]->type.dtype, in[0]->type.shape)};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    out[0] = sparse_to_dense(sparse_value(in[0], name()));
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }
};

class SparseFromDense final : public SparseOp {
 public:
  explicit SparseFromDense(SparseFormat f) : format_(f) {}
  std::string type_name() const override { return "SparseFromDense"; }
  Props fields() const override { return {{"format", PropValue::string(format_name(format_))}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_dense(*this, in[0], "the input", 2);
    return {sparse_type(format_, expect_float_dtype(*this, in[0]->type.dtype), in[0]->type.shape)};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    out[0] = Value(sparse_from_dense_array(dense_value(in[0], name()), format_));
  }
  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    return {dense_from_sparse(g[0])};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }

 private:
  SparseFormat format_;
};

class SparseTranspose final : public SparseOp {
 public:
  std::string type_name() const override { return "SparseTranspose"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the input");
    const Type& t = in[0]->type;
    return {sparse_type(other_format(*sparse_format(t)), t.dtype, {t.shape[1], t.shape[0]})};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& m = sparse_value(in[0], name());
    out[0] = Value(make_sparse(other_format(m.format), m.cols, m.rows, m.data, m.indices, m.indptr));
  }
  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    return {sparse_transpose(g[0])};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{{shapes[0][1], shapes[0][0]}};
  }
};

// The dense gradient at x's stored positions (x's values are not used): the structured
// gradient of dense_from_sparse and of sp_sum.
class SampleDense final : public SparseOp {
 public:
  std::string type_name() const override { return "SampleDense"; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the pattern");
    expect_dense(*this, in[1], "the values", -1);
    if (in[1]->type.ndim() > 2) {
      throw TypeError(op_error(*this, "the values have more than 2 dimensions: " + in[1]->type.str()));
    }
    const Type& t = in[0]->type;
    return {sparse_type(*sparse_format(t), t.dtype, t.shape)};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& p = sparse_value(in[0], name());
    NDArray g = dense_value(in[1], name()).broadcast_to({p.rows, p.cols});
    NDArray data = NDArray::empty(p.dtype(), {p.nnz()});
    const bool csr = p.format == SparseFormat::Csr;
    with_float(p.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* d = data.data<T>();
      NDArray gc = g.dtype() == p.dtype() ? g : g.astype(p.dtype());
      const T* base = gc.data<T>();
      const int64_t s0 = gc.strides()[0] / int64_t(sizeof(T)), s1 = gc.strides()[1] / int64_t(sizeof(T));
      for (int64_t r = 0; r < p.major(); ++r) {
        for (int32_t k = p.ptr()[r]; k < p.ptr()[r + 1]; ++k) {
          const int64_t i = csr ? r : p.idx()[k], j = csr ? p.idx()[k] : r;
          d[k] = base[i * s0 + j * s1];
        }
      }
    });
    out[0] = Value(with_data(p, data));
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override {
    return {nullptr, sum_to_shape(dense_from_sparse(g[0]), in[1])};
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }
};

std::vector<Var> DenseFromSparse::L_op(const std::vector<Var>& in, const std::vector<Var>&,
                                       const std::vector<Var>& g) const {
  return {make_node1(std::make_shared<SampleDense>(), {in[0], g[0]})};
}

}  // namespace

Var dense_from_sparse(const Var& x) { return make_node1(std::make_shared<DenseFromSparse>(), {x}); }
Var sparse_from_dense(const Var& x, SparseFormat f) {
  return make_node1(std::make_shared<SparseFromDense>(f), {x});
}
Var sparse_transpose(const Var& x) { return make_node1(std::make_shared<SparseTranspose>(), {x}); }
Var sample_dense(const Var& pattern, const Var& g) {
  return make_node1(std::make_shared<SampleDense>(), {pattern, g});
}

THEON_OP_FILE(sparse_convert) {
  register_op_factory("DenseFromSparse", [](const PropReader&) -> OpPtr {
    return std::make_shared<DenseFromSparse>();
  });
  register_op_factory("SparseFromDense", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SparseFromDense>(
        parse_sparse_format(f.get_string("format"), f.context("format")));
  });
  register_op_factory("SparseTranspose", [](const PropReader&) -> OpPtr {
    return std::make_shared<SparseTranspose>();
  });
  register_op_factory("SampleDense",
                      [](const PropReader&) -> OpPtr { return std::make_shared<SampleDense>(); });
  for (const char* n : {"DenseFromSparse", "SparseFromDense", "SparseTranspose", "SampleDense"}) {
    register_sparse_kernel(n);
  }
  register_builder("sparse.dense_from_sparse", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{dense_from_sparse(in[0])};
  });
  register_builder("sparse.csr_from_dense", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sparse_from_dense(in[0], SparseFormat::Csr)};
  });
  register_builder("sparse.csc_from_dense", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sparse_from_dense(in[0], SparseFormat::Csc)};
  });
  register_builder("sparse.transpose", 1, 1, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sparse_transpose(in[0])};
  });
  register_builder("sparse.sample_dense", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{sample_dense(in[0], in[1])};
  });
}

}  // namespace theon
