// hstack / vstack of sparse matrices (SparseStack) and its gradient, the block of the output
// gradient that belongs to each input (SparseBlock). Stacking along the compressed dimension
// (rows of CSR, columns of CSC) concatenates the arrays; blocks are converted to that format
// first, and the result to the requested one.
#include <algorithm>

#include "sparse_detail.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// The format whose major dimension is the stacking axis.
SparseFormat major_format(bool horizontal) {
  return horizontal ? SparseFormat::Csc : SparseFormat::Csr;
}

class SparseStack final : public SparseOp {
 public:
  SparseStack(bool horizontal, SparseFormat f) : horizontal_(horizontal), format_(f) {}
  std::string type_name() const override { return "SparseStack"; }
  Props fields() const override {
    return {{"horizontal", PropValue::boolean(horizontal_)},
            {"format", PropValue::string(format_name(format_))}};
  }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.empty()) throw ValueError(op_error(*this, "needs at least one matrix"));
    const int along = horizontal_ ? 1 : 0, across = 1 - along;
    DType dt = in[0]->type.dtype;
    StaticShape shape{0, 0};
    shape[across] = kUnknownDim;
    for (size_t i = 0; i < in.size(); ++i) {
      expect_sparse(*this, in[i], "input " + std::to_string(i));
      const Type& t = in[i]->type;
      dt = promote(dt, t.dtype);
      shape[along] = shape[along] == kUnknownDim || t.shape[along] == kUnknownDim
                         ? kUnknownDim
                         : shape[along] + t.shape[along];
      if (t.shape[across] != kUnknownDim) {
        if (shape[across] != kUnknownDim && shape[across] != t.shape[across]) {
          throw ValueError(op_error(*this, "input " + std::to_string(i) + " has shape " +
                                               static_shape_str(t.shape) + ", the others " +
                                               std::to_string(shape[across]) +
                                               (horizontal_ ? " rows" : " columns")));
        }
        shape[across] = t.shape[across];
      }
    }
    return {sparse_type(format_, dt, shape)};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseFormat mf = major_format(horizontal_);
    std::vector<SparsePtr> blocks;
    DType dt = sparse_value(in[0], name()).dtype();
    int64_t nnz = 0, major = 0;
    for (const Value& v : in) {
      const SparseMatrix& m = sparse_value(v, name());
      blocks.push_back(convert_format(m, mf));
      dt = promote(dt, m.dtype());
      nnz += m.nnz();
      major += blocks.back()->major();
    }
    const int64_t minor = blocks[0]->minor();
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (blocks[i]->minor() != minor) {
        throw ValueError(op_error(*this, "input " + std::to_string(i) + " has shape " +
                                             shape_str({blocks[i]->rows, blocks[i]->cols}) +
                                             ", input 0 " + shape_str({blocks[0]->rows, blocks[0]->cols})));
      }
    }
    if (nnz > INT32_MAX) throw ValueError(op_error(*this, "more than 2^31-1 stored entries"));
    NDArray data = NDArray::empty(dt, {nnz});
    NDArray indices = NDArray::empty(DType::Int32, {nnz});
    NDArray indptr = NDArray::empty(DType::Int32, {major + 1});
    int32_t* p = indptr.data<int32_t>();
    p[0] = 0;
    int64_t at = 0, row = 0;
    for (const SparsePtr& b : blocks) {
      NDArray values = b->dtype() == dt ? b->data : b->data.astype(dt);
      std::copy_n(values.raw(), values.nbytes(), data.raw() + at * itemsize(dt));
      std::copy_n(b->idx(), b->nnz(), indices.data<int32_t>() + at);
      for (int64_t r = 0; r < b->major(); ++r) p[row + r + 1] = static_cast<int32_t>(at + b->ptr()[r + 1]);
      at += b->nnz();
      row += b->major();
    }
    const int64_t rows = horizontal_ ? minor : major, cols = horizontal_ ? major : minor;
    SparsePtr r = make_sparse(mf, rows, cols, data, indices, indptr);
    out[0] = Value(format_ == mf ? r : convert_format(*r, format_));
  }
  std::vector<Var> L_op(const std::vector<Var>& in, const std::vector<Var>&,
                        const std::vector<Var>& g) const override;
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    const int along = horizontal_ ? 1 : 0;
    std::vector<Var> out = shapes[0];
    for (size_t i = 1; i < shapes.size(); ++i) out[along] = add(out[along], shapes[i][along]);
    return std::vector<std::vector<Var>>{out};
  }

 private:
  bool horizontal_;
  SparseFormat format_;
};

// The block of g that `like` (a stacked input) came from: `like`'s rows (vstack) or columns
// (hstack) from `start` (an int64 scalar) on, in like's format.
class SparseBlock final : public SparseOp {
 public:
  explicit SparseBlock(bool horizontal) : horizontal_(horizontal) {}
  std::string type_name() const override { return "SparseBlock"; }
  Props fields() const override { return {{"horizontal", PropValue::boolean(horizontal_)}}; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    expect_sparse(*this, in[0], "the gradient");
    expect_dense(*this, in[1], "the start", 0);
    expect_sparse(*this, in[2], "the block");
    return {sparse_type(*sparse_format(in[2]->type), in[0]->type.dtype, in[2]->type.shape)};
  }
  void perform_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparsePtr m = convert_format(sparse_value(in[0], name()), major_format(horizontal_));
    const SparseMatrix& like = sparse_value(in[2], name());
    const int64_t begin = dense_value(in[1], name()).astype(DType::Int64).data<int64_t>()[0];
    const int64_t n = horizontal_ ? like.cols : like.rows;
    if (begin < 0 || begin + n > m->major() || m->minor() != (horizontal_ ? like.rows : like.cols)) {
      throw ValueError(op_error(*this, "a block of shape " + shape_str({like.rows, like.cols}) +
                                           " at " + std::to_string(begin) + " does not fit in " +
                                           m->describe()));
    }
    const int32_t first = m->ptr()[begin], last = m->ptr()[begin + n];
    const int64_t nnz = last - first;
    NDArray data = NDArray::empty(m->dtype(), {nnz});
    std::copy_n(m->data.raw() + first * itemsize(m->dtype()), data.nbytes(), data.raw());
    NDArray indices = NDArray::empty(DType::Int32, {nnz});
    std::copy_n(m->idx() + first, nnz, indices.data<int32_t>());
    NDArray indptr = NDArray::empty(DType::Int32, {n + 1});
    for (int64_t r = 0; r <= n; ++r) indptr.data<int32_t>()[r] = m->ptr()[begin + r] - first;
    SparsePtr r = make_sparse(m->format, like.rows, like.cols, data, indices, indptr);
    out[0] = Value(like.format == m->format ? r : convert_format(*r, like.format));
  }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[2]};
  }

 private:
  bool horizontal_;
};

std::vector<Var> SparseStack::L_op(const std::vector<Var>& in, const std::vector<Var>&,
                                   const std::vector<Var>& g) const {
  const int along = horizontal_ ? 1 : 0;
  std::vector<Var> grads;
  Var start = int64_const(0);
  for (const Var& x : in) {
    grads.push_back(make_node1(std::make_shared<SparseBlock>(horizontal_), {g[0], start, x}));
    start = add(start, shape_i(x, along));
  }
  return grads;
}

}  // namespace

Var sparse_stack(const std::vector<Var>& blocks, bool horizontal, SparseFormat format) {
  return make_node1(std::make_shared<SparseStack>(horizontal, format), blocks);
}

THEON_OP_FILE(sparse_stack) {
  register_op_factory("SparseStack", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SparseStack>(
        f.get_bool("horizontal"), parse_sparse_format(f.get_string("format"), f.context("format")));
  });
  register_op_factory("SparseBlock", [](const PropReader& f) -> OpPtr {
    return std::make_shared<SparseBlock>(f.get_bool("horizontal"));
  });
  register_sparse_kernel("SparseStack");
  register_sparse_kernel("SparseBlock");
  for (const bool horizontal : {true, false}) {
    register_builder(horizontal ? "sparse.hstack" : "sparse.vstack", 1, -1,
                     [horizontal](const std::vector<Var>& in, const Params& p) {
                       const std::string f = p.get_string("format", horizontal ? "csc" : "csr");
                       return std::vector<Var>{sparse_stack(in, horizontal, parse_sparse_format(f, "stack"))};
                     });
  }
}

}  // namespace theon
