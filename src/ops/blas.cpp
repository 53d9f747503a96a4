// Products: dot, matmul, tensordot, outer, batched_dot.
//
// Every product reduces to one kernel: C (m x n, C-contiguous) = A (m x k) * B (k x n), where A
// and B are strided views. A view is a matrix when its row dimensions and its column dimensions
// each merge into a single stride; otherwise the operand is copied to C order first. Float32 and
// float64 go to BLAS (gemv when one side is a vector, else gemm), passing transposed layouts
// through the trans flags and leading dimensions; other layouts (negative, zero or unaligned
// strides) are copied. Integer and bool products run a plain loop.
#include "theon/ops/blas.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <type_traits>

#include "blas_operands.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/shape.hpp"
#include "theon/runtime/blas.hpp"

namespace theon {
namespace {

using namespace blas_operands;

// ---------------------------------------------------------------------------------------------
// The 2-d kernel

// A strided matrix view: element (i, j) lives at p + i * rs + j * cs (strides in bytes). A
// stride is meaningless (and may be anything) along a dimension of size <= 1.
// Merges `dims` of `a` (outermost first) into one dimension; false when they do not have a
// single stride.
bool merge_dims(const NDArray& a, const std::vector<int>& dims, int64_t& size, int64_t& stride) {
  size = 1;
  for (int d : dims) size *= a.shape(d);
  stride = 0;
  if (size <= 1) return true;
  bool have = false;
  for (int d : dims) {
    const int64_t n = a.shape(d);
    if (n == 1) continue;
    const int64_t s = a.strides()[d];
    if (have && stride != s * n) return false;
    stride = s;
    have = true;
  }
  return true;
}

// `a` as a matrix whose rows run over `row_dims` and columns over `col_dims` (together every
// dimension of `a`, each once); copies to C order (kept alive in `keep`) when not expressible.
Mat as_matrix(const NDArray& a, const std::vector<int>& row_dims, const std::vector<int>& col_dims,
              std::deque<NDArray>& keep) {
  Mat m{&a, a.raw(), 0, 0, 0, 0};
  if (merge_dims(a, row_dims, m.rows, m.rs) && merge_dims(a, col_dims, m.cols, m.cs)) return m;
  Shape shape;
  Strides strides;
  for (const auto* group : {&row_dims, &col_dims}) {
    for (int d : *group) {
      shape.push_back(a.shape(d));
      strides.push_back(a.strides()[d]);
    }
  }
  keep.push_back(a.view(a.raw(), shape, strides).copy());
  const NDArray& c = keep.back();
  const int64_t isz = static_cast<int64_t>(itemsize(a.dtype()));
  m.rows = 1;
  m.cols = 1;
  for (int d : row_dims) m.rows *= a.shape(d);
  for (int d : col_dims) m.cols *= a.shape(d);
  m.base = &c;
  m.p = c.raw();
  m.cs = isz;
  m.rs = m.cols * isz;
  return m;
}

void blas_product(DType dt, Mat a, Mat b, char* c, std::deque<NDArray>& keep) {
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  const int64_t m = a.rows, k = a.cols, n = b.cols;
  if (n == 1) {  // y (m) = A x, x = the column of B
    int64_t incx = blas_inc(b.rs, k, isz);
    if (incx == 0) {
      b = copy_matrix(b, dt, keep);
      incx = 1;
    }
    const Layout la = layout_or_copy(a, dt, keep);
    blas::gemv(dt, la.trans, la.trans ? k : m, la.trans ? m : k, a.p, la.ld, b.p, incx, c, 1);
  } else if (m == 1) {  // y (n) = B^T x, x = the row of A
    int64_t incx = blas_inc(a.cs, k, isz);
    if (incx == 0) {
      a = copy_matrix(a, dt, keep);
      incx = 1;
    }
    const Layout lb = layout_or_copy(b, dt, keep);
    blas::gemv(dt, !lb.trans, lb.trans ? n : k, lb.trans ? k : n, b.p, lb.ld, a.p, incx, c, 1);
  } else {
    const Layout la = layout_or_copy(a, dt, keep);
    const Layout lb = layout_or_copy(b, dt, keep);
    blas::gemm(dt, la.trans, lb.trans, m, n, k, a.p, la.ld, b.p, lb.ld, c, n);
  }
}

// The loop for dtypes BLAS does not have. Integers accumulate modulo 2^64, which equals NumPy's
// wrap-around in the narrower type once truncated; bool is the logical or of ands.
template <class T>
void loop_product(const Mat& a, const Mat& b, char* c) {
  using Acc = std::conditional_t<std::is_same_v<T, bool>, bool,
                                 std::conditional_t<std::is_integral_v<T>, uint64_t, T>>;
  auto load = [](const char* p) -> Acc {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      return static_cast<Acc>(
          static_cast<std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>(v));
    } else {
      return static_cast<Acc>(v);
    }
  };
  std::vector<Acc> row(static_cast<size_t>(b.cols));
  T* out = reinterpret_cast<T*>(c);
  for (int64_t i = 0; i < a.rows; ++i) {
    std::fill(row.begin(), row.end(), Acc{});
    for (int64_t kk = 0; kk < a.cols; ++kk) {
      const Acc x = load(a.p + i * a.rs + kk * a.cs);
      const char* brow = b.p + kk * b.rs;
      for (int64_t j = 0; j < b.cols; ++j) {
        const Acc y = load(brow + j * b.cs);
        if constexpr (std::is_same_v<Acc, bool>) {
          row[j] = row[j] || (x && y);
        } else {
          row[j] += x * y;
        }
      }
    }
    for (int64_t j = 0; j < b.cols; ++j) out[i * b.cols + j] = static_cast<T>(row[j]);
  }
}

// C (a.rows x b.cols, C order at c) = A B, all of dtype dt.
void product_2d(DType dt, const Mat& a, const Mat& b, char* c, std::deque<NDArray>& keep) {
  const int64_t m = a.rows, k = a.cols, n = b.cols;
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: zero bits are 0 (and false) in every dtype
    std::memset(c, 0, static_cast<size_t>(m * n) * itemsize(dt));
    return;
  }
  const bool blas_ok =
      is_float(dt) && m <= blas::kMaxInt && n <= blas::kMaxInt && k <= blas::kMaxInt;
  if (blas_ok) {
    blas_product(dt, a, b, c, keep);
    return;
  }
  visit_dtype(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    loop_product<T>(a, b, c);
  });
}

// Contracts axes_a of `a` with axes_b of `b` (same dtype dt) into the C-order array at `out`,
// whose dimensions are the other axes of a followed by the other axes of b.
void contract(DType dt, const NDArray& a, const NDArray& b, const std::vector<int>& axes_a,
              const std::vector<int>& axes_b, char* out) {
  auto free_dims = [](int nd, const std::vector<int>& axes) {
    std::vector<int> out;
    for (int d = 0; d < nd; ++d) {
      if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(d);
    }
    return out;
  };
  std::deque<NDArray> keep;  // copies the Mats point into
  const Mat ma = as_matrix(a, free_dims(a.ndim(), axes_a), axes_a, keep);
  const Mat mb = as_matrix(b, axes_b, free_dims(b.ndim(), axes_b), keep);
  product_2d(dt, ma, mb, out, keep);
}

NDArray in_dtype(const NDArray& x, DType dt) {
  return x.dtype() == dt ? x : x.astype(dt);
}

// ---------------------------------------------------------------------------------------------
// Shapes

// The contraction axes numpy.dot uses for inputs of these ndims (none when one is 0-d).
std::pair<std::vector<int>, std::vector<int>> dot_axes(int nda, int ndb) {
  if (nda == 0 || ndb == 0) return {{}, {}};
  return {{nda - 1}, {std::max(ndb - 2, 0)}};
}

// Free dims of a then free dims of b (static or runtime shapes alike).
template <class S>
S contracted_shape(const S& a, const S& b, const std::vector<int>& axes_a,
                   const std::vector<int>& axes_b) {
  S out;
  for (int d = 0; d < static_cast<int>(a.size()); ++d) {
    if (std::find(axes_a.begin(), axes_a.end(), d) == axes_a.end()) out.push_back(a[d]);
  }
  for (int d = 0; d < static_cast<int>(b.size()); ++d) {
    if (std::find(axes_b.begin(), axes_b.end(), d) == axes_b.end()) out.push_back(b[d]);
  }
  return out;
}

void check_two(const Op& op, const std::vector<Var>& inputs) {
  if (inputs.size() != 2) {
    throw TypeError(op_error(op, "expected 2 inputs, got " + std::to_string(inputs.size())));
  }
}

// A static size pair that differs for sure.
bool known_mismatch(int64_t x, int64_t y) {
  return x != kUnknownDim && y != kUnknownDim && x != y;
}

std::string not_aligned(const std::string& sa, const std::string& sb, int64_t ka, int da,
                        int64_t kb, int db) {
  auto size = [](int64_t v) { return v == kUnknownDim ? std::string("None") : std::to_string(v); };
  return "shapes " + sa + " and " + sb + " not aligned: " + size(ka) + " (dim " +
         std::to_string(da) + ") != " + size(kb) + " (dim " + std::to_string(db) + ")";
}

std::string axes_str(const std::vector<int64_t>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + (axes.size() == 1 ? ",)" : ")");
}

std::vector<int> to_int(const std::vector<int64_t>& v) {
  return {v.begin(), v.end()};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Dot

std::vector<TensorType> Dot::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  auto [axa, axb] = dot_axes(ta.ndim(), tb.ndim());
  if (!axa.empty() && known_mismatch(ta.shape[axa[0]], tb.shape[axb[0]])) {
    throw ValueError(
        op_error(*this, not_aligned(static_shape_str(ta.shape), static_shape_str(tb.shape),
                                    ta.shape[axa[0]], axa[0], tb.shape[axb[0]], axb[0])));
  }
  return {TensorType(promote(ta.dtype, tb.dtype), contracted_shape(ta.shape, tb.shape, axa, axb))};
}

void Dot::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  auto [axa, axb] = dot_axes(a0.ndim(), b0.ndim());
  if (!axa.empty() && a0.shape(axa[0]) != b0.shape(axb[0])) {
    throw ValueError(
        op_error(*this, not_aligned(shape_str(a0.shape()), shape_str(b0.shape()), a0.shape(axa[0]),
                                    axa[0], b0.shape(axb[0]), axb[0])));
  }
  const DType dt = promote(a0.dtype(), b0.dtype());
  const NDArray a = in_dtype(a0, dt), b = in_dtype(b0, dt);
  NDArray& out = reuse_or_empty(outputs[0], dt, contracted_shape(a.shape(), b.shape(), axa, axb));
  contract(dt, a, b, axa, axb, out.raw());
}

// ---------------------------------------------------------------------------------------------
// Matmul

namespace {

std::string matmul_mismatch(const std::string& sa, const std::string& sb, int nda, int ndb,
                            int64_t ka, int64_t kb) {
  return not_aligned(sa, sb, ka, nda - 1, kb, std::max(ndb - 2, 0));
}

// The operands as stacks of matrices: a 1-d a becomes (1, k), a 1-d b (k, 1).
template <class S>
void matmul_promote(S& a, S& b, int64_t one) {
  if (a.size() == 1) a.insert(a.begin(), one);
  if (b.size() == 1) b.push_back(one);
}

}  // namespace

std::vector<TensorType> Matmul::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  for (int i = 0; i < 2; ++i) {
    if (inputs[i]->type.ndim() == 0) {
      throw ValueError(op_error(*this, "input operand " + std::to_string(i) +
                                           " does not have enough dimensions (expected at "
                                           "least 1, got a 0-d " +
                                           std::string(dtype_name(inputs[i]->type.dtype)) + ")"));
    }
  }
  StaticShape a = ta.shape, b = tb.shape;
  matmul_promote(a, b, int64_t{1});
  const int64_t ka = a.back(), kb = b[b.size() - 2];
  if (known_mismatch(ka, kb)) {
    throw ValueError(
        op_error(*this, matmul_mismatch(static_shape_str(ta.shape), static_shape_str(tb.shape),
                                        ta.ndim(), tb.ndim(), ka, kb)));
  }
  StaticShape out = broadcast_static(
      {StaticShape(a.begin(), a.end() - 2), StaticShape(b.begin(), b.end() - 2)}, name());
  if (ta.ndim() > 1) out.push_back(a[a.size() - 2]);
  if (tb.ndim() > 1) out.push_back(b.back());
  return {TensorType(promote(ta.dtype, tb.dtype), out)};
}

void Matmul::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  if (a0.ndim() == 0 || b0.ndim() == 0) {
    throw ValueError(op_error(*this, "0-d operands are not allowed"));
  }
  Shape sa = a0.shape(), sb = b0.shape();
  matmul_promote(sa, sb, int64_t{1});
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  if (k != sb[sb.size() - 2]) {
    throw ValueError(op_error(*this, matmul_mismatch(shape_str(a0.shape()), shape_str(b0.shape()),
                                                     a0.ndim(), b0.ndim(), k, sb[sb.size() - 2])));
  }
  const Shape batch =
      broadcast_shapes({Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2)}, name());
  Shape out_shape = batch;
  if (a0.ndim() > 1) out_shape.push_back(m);
  if (b0.ndim() > 1) out_shape.push_back(n);
  const DType dt = promote(a0.dtype(), b0.dtype());
  NDArray& out = reuse_or_empty(outputs[0], dt, out_shape);
  if (out.size() == 0) return;

  // Views of the promoted operands, broadcast to the full batch shape.
  auto stack_view = [&](const NDArray& x, const Shape& s, bool is_a) {
    Strides st = x.strides();
    if (x.ndim() == 1) {
      if (is_a)
        st.insert(st.begin(), 0);
      else
        st.push_back(0);
    }
    NDArray v = x.view(x.raw(), s, st);
    Shape full = batch;
    full.push_back(s[s.size() - 2]);
    full.push_back(s.back());
    return v.broadcast_to(full);
  };
  const NDArray a = stack_view(in_dtype(a0, dt), sa, true);
  const NDArray b = stack_view(in_dtype(b0, dt), sb, false);
  const int nb = static_cast<int>(batch.size());
  const int64_t nbatch = shape_size(batch);
  const int64_t block = m * n * static_cast<int64_t>(itemsize(dt));
  std::vector<int64_t> idx(nb, 0);
  std::deque<NDArray> keep;
  for (int64_t t = 0; t < nbatch; ++t) {
    const char* pa = a.raw();
    const char* pb = b.raw();
    for (int d = 0; d < nb; ++d) {
      pa += idx[d] * a.strides()[d];
      pb += idx[d] * b.strides()[d];
    }
    const Mat ma{&a, pa, m, k, a.strides()[nb], a.strides()[nb + 1]};
    const Mat mb{&b, pb, k, n, b.strides()[nb], b.strides()[nb + 1]};
    keep.clear();
    product_2d(dt, ma, mb, out.raw() + t * block, keep);
    for (int d = nb - 1; d >= 0; --d) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Tensordot

Tensordot::Tensordot(std::vector<int64_t> axes_a, std::vector<int64_t> axes_b)
    : axes_a_(std::move(axes_a)), axes_b_(std::move(axes_b)) {}

std::string Tensordot::props() const {
  return "axes=(" + axes_str(axes_a_) + ", " + axes_str(axes_b_) + ")";
}

std::vector<TensorType> Tensordot::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  if (axes_a_.size() != axes_b_.size()) {
    throw ValueError(op_error(*this, "expected as many axes for a as for b"));
  }
  for (int side = 0; side < 2; ++side) {
    const auto& axes = side == 0 ? axes_a_ : axes_b_;
    const int nd = side == 0 ? ta.ndim() : tb.ndim();
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < 0 || axes[i] >= nd) {
        throw ValueError(op_error(*this, std::string("axis ") + std::to_string(axes[i]) +
                                             " is out of bounds for operand " +
                                             (side == 0 ? "a" : "b") + " of dimension " +
                                             std::to_string(nd)));
      }
      if (std::count(axes.begin(), axes.end(), axes[i]) > 1) {
        throw ValueError(op_error(*this, "repeated axis " + std::to_string(axes[i]) +
                                             " for operand " + (side == 0 ? "a" : "b")));
      }
    }
  }
  for (size_t i = 0; i < axes_a_.size(); ++i) {
    if (known_mismatch(ta.shape[axes_a_[i]], tb.shape[axes_b_[i]])) {
      throw ValueError(
          op_error(*this, "shape-mismatch for sum: shapes " + static_shape_str(ta.shape) + " and " +
                              static_shape_str(tb.shape) + ", axis " + std::to_string(axes_a_[i]) +
                              " of a has size " + std::to_string(ta.shape[axes_a_[i]]) + ", axis " +
                              std::to_string(axes_b_[i]) + " of b has size " +
                              std::to_string(tb.shape[axes_b_[i]])));
    }
  }
  return {TensorType(promote(ta.dtype, tb.dtype),
                     contracted_shape(ta.shape, tb.shape, to_int(axes_a_), to_int(axes_b_)))};
}

void Tensordot::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  for (size_t i = 0; i < axes_a_.size(); ++i) {
    if (a0.shape(static_cast<int>(axes_a_[i])) != b0.shape(static_cast<int>(axes_b_[i]))) {
      throw ValueError(op_error(
          *this, "shape-mismatch for sum: shapes " + shape_str(a0.shape()) + " and " +
                     shape_str(b0.shape()) + ", axis " + std::to_string(axes_a_[i]) +
                     " of a has size " + std::to_string(a0.shape(static_cast<int>(axes_a_[i]))) +
                     ", axis " + std::to_string(axes_b_[i]) + " of b has size " +
                     std::to_string(b0.shape(static_cast<int>(axes_b_[i])))));
    }
  }
  const DType dt = promote(a0.dtype(), b0.dtype());
  const NDArray a = in_dtype(a0, dt), b = in_dtype(b0, dt);
  const std::vector<int> axa = to_int(axes_a_), axb = to_int(axes_b_);
  NDArray& out = reuse_or_empty(outputs[0], dt, contracted_shape(a.shape(), b.shape(), axa, axb));
  contract(dt, a, b, axa, axb, out.raw());
}

// ---------------------------------------------------------------------------------------------
// Outer

std::vector<TensorType> Outer::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  auto flat = [](const StaticShape& s) {
    int64_t n = 1;
    bool unknown = false;
    for (int64_t d : s) {
      if (d == 0) return int64_t{0};
      if (d == kUnknownDim)
        unknown = true;
      else
        n *= d;
    }
    return unknown ? kUnknownDim : n;
  };
  return {TensorType(promote(inputs[0]->type.dtype, inputs[1]->type.dtype),
                     {flat(inputs[0]->type.shape), flat(inputs[1]->type.shape)})};
}

void Outer::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const DType dt = promote(inputs[0].dtype(), inputs[1].dtype());
  NDArray a = in_dtype(inputs[0], dt), b = in_dtype(inputs[1], dt);
  // Flatten (as a (size,) view when the layout allows, else a C-order copy).
  auto flat = [](NDArray x) {
    std::vector<int> dims(x.ndim());
    for (int d = 0; d < x.ndim(); ++d) dims[d] = d;
    int64_t n, s;
    if (!merge_dims(x, dims, n, s)) {
      x = x.copy();
      s = static_cast<int64_t>(itemsize(x.dtype()));
    }
    return x.view(x.raw(), {x.size()}, {s});
  };
  a = flat(a);
  b = flat(b);
  NDArray& out = reuse_or_empty(outputs[0], dt, {a.size(), b.size()});
  contract(dt, a, b, {}, {}, out.raw());
}

// ---------------------------------------------------------------------------------------------
// BatchedDot

namespace {

std::string batch_mismatch(const std::string& sa, const std::string& sb) {
  return "expected the same batch size (first dimension), got shapes " + sa + " and " + sb;
}

}  // namespace

std::vector<TensorType> BatchedDot::output_types(const std::vector<Var>& inputs) const {
  check_two(*this, inputs);
  const TensorType& ta = inputs[0]->type;
  const TensorType& tb = inputs[1]->type;
  if (ta.ndim() == 0 || tb.ndim() == 0) {
    throw TypeError(op_error(*this, "expected inputs with a batch dimension (ndim >= 1), got " +
                                        ta.short_str() + " and " + tb.short_str()));
  }
  if (known_mismatch(ta.shape[0], tb.shape[0])) {
    throw ValueError(
        op_error(*this, batch_mismatch(static_shape_str(ta.shape), static_shape_str(tb.shape))));
  }
  const StaticShape a(ta.shape.begin() + 1, ta.shape.end());
  const StaticShape b(tb.shape.begin() + 1, tb.shape.end());
  auto [axa, axb] = dot_axes(ta.ndim() - 1, tb.ndim() - 1);
  if (!axa.empty() && known_mismatch(a[axa[0]], b[axb[0]])) {
    throw ValueError(
        op_error(*this, not_aligned(static_shape_str(ta.shape), static_shape_str(tb.shape),
                                    a[axa[0]], axa[0] + 1, b[axb[0]], axb[0] + 1)));
  }
  StaticShape out = contracted_shape(a, b, axa, axb);
  const int64_t n = ta.shape[0] != kUnknownDim ? ta.shape[0] : tb.shape[0];
  out.insert(out.begin(), n);
  return {TensorType(promote(ta.dtype, tb.dtype), out)};
}

void BatchedDot::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& a0 = inputs[0];
  const NDArray& b0 = inputs[1];
  if (a0.ndim() == 0 || b0.ndim() == 0) {
    throw TypeError(op_error(*this, "expected inputs with a batch dimension"));
  }
  if (a0.shape(0) != b0.shape(0)) {
    throw ValueError(op_error(*this, batch_mismatch(shape_str(a0.shape()), shape_str(b0.shape()))));
  }
  const DType dt = promote(a0.dtype(), b0.dtype());
  const NDArray a = in_dtype(a0, dt), b = in_dtype(b0, dt);
  auto slice = [](const NDArray& x, int64_t i) {
    return x.view(x.raw() + i * x.strides()[0], Shape(x.shape().begin() + 1, x.shape().end()),
                  Strides(x.strides().begin() + 1, x.strides().end()));
  };
  auto [axa, axb] = dot_axes(a.ndim() - 1, b.ndim() - 1);
  const Shape sa(a.shape().begin() + 1, a.shape().end());
  const Shape sb(b.shape().begin() + 1, b.shape().end());
  if (!axa.empty() && sa[axa[0]] != sb[axb[0]]) {
    throw ValueError(op_error(*this, not_aligned(shape_str(a.shape()), shape_str(b.shape()),
                                                 sa[axa[0]], axa[0] + 1, sb[axb[0]], axb[0] + 1)));
  }
  Shape out_shape = contracted_shape(sa, sb, axa, axb);
  const int64_t block = shape_size(out_shape) * static_cast<int64_t>(itemsize(dt));
  out_shape.insert(out_shape.begin(), a.shape(0));
  NDArray& out = reuse_or_empty(outputs[0], dt, out_shape);
  if (out.size() == 0) return;
  for (int64_t i = 0; i < a.shape(0); ++i) {
    contract(dt, slice(a, i), slice(b, i), axa, axb, out.raw() + i * block);
  }
}

// ---------------------------------------------------------------------------------------------
// Symbolic shapes: the free dimensions of the operands, taken from their run-time shapes.

using Shapes = std::optional<std::vector<std::vector<Var>>>;
using Dims = std::vector<Var>;

Shapes Dot::infer_shape(const std::vector<Var>& inputs,
                        const std::vector<std::vector<Var>>& input_shapes) const {
  auto [axa, axb] = dot_axes(inputs[0]->type.ndim(), inputs[1]->type.ndim());
  return std::vector<Dims>{contracted_shape(input_shapes[0], input_shapes[1], axa, axb)};
}

Shapes Matmul::infer_shape(const std::vector<Var>& inputs,
                           const std::vector<std::vector<Var>>& input_shapes) const {
  // Batch dimensions broadcast; a 1-d operand contributes no batch and no output dimension.
  const Dims& a = input_shapes[0];
  const Dims& b = input_shapes[1];
  const StaticShape& sa = inputs[0]->type.shape;
  const StaticShape& sb = inputs[1]->type.shape;
  const size_t ba = a.size() > 1 ? a.size() - 2 : 0;
  const size_t bb = b.size() > 1 ? b.size() - 2 : 0;
  Dims out = broadcast_dims(
      {Dims(a.begin(), a.begin() + ba), Dims(b.begin(), b.begin() + bb)},
      {StaticShape(sa.begin(), sa.begin() + ba), StaticShape(sb.begin(), sb.begin() + bb)});
  if (a.size() > 1) out.push_back(a[a.size() - 2]);
  if (b.size() > 1) out.push_back(b.back());
  return std::vector<Dims>{out};
}

Shapes Tensordot::infer_shape(const std::vector<Var>&,
                              const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<Dims>{
      contracted_shape(input_shapes[0], input_shapes[1], to_int(axes_a_), to_int(axes_b_))};
}

Shapes Outer::infer_shape(const std::vector<Var>&,
                          const std::vector<std::vector<Var>>& input_shapes) const {
  return std::vector<Dims>{{dims_product(input_shapes[0]), dims_product(input_shapes[1])}};
}

Shapes BatchedDot::infer_shape(const std::vector<Var>& inputs,
                               const std::vector<std::vector<Var>>& input_shapes) const {
  const Dims a(input_shapes[0].begin() + 1, input_shapes[0].end());
  const Dims b(input_shapes[1].begin() + 1, input_shapes[1].end());
  auto [axa, axb] = dot_axes(static_cast<int>(a.size()), static_cast<int>(b.size()));
  Dims out = contracted_shape(a, b, axa, axb);
  // Both batch sizes are equal when the op runs; prefer the one known statically.
  const bool a_known = inputs[0]->type.shape[0] != kUnknownDim;
  const bool b_known = inputs[1]->type.shape[0] != kUnknownDim;
  out.insert(out.begin(), !a_known && b_known ? input_shapes[1][0] : input_shapes[0][0]);
  return std::vector<Dims>{out};
}

// ---------------------------------------------------------------------------------------------
// Gradients
//
// Every product is bilinear, so each input's gradient is a product of the output gradient with
// the other input: dot/matmul/batched_dot gradients are products with a transposed operand,
// tensordot gradients are tensordots over the remaining axes followed by a transpose. Integer
// and bool inputs get null; a non-float output (integer or bool inputs only) has no gradient.

namespace {

bool differentiable(const Var& x) {
  return is_float(x->type.dtype);
}

// `x` transposed so that output dimension d is input dimension perm[d] (x itself when perm
// is the identity). The gradients below call it with where[d] = the dimension of the product
// that holds the input's axis d.
Var permute(const Var& x, const std::vector<int64_t>& perm) {
  for (size_t d = 0; d < perm.size(); ++d) {
    if (perm[d] != static_cast<int64_t>(d)) return transpose(x, perm);
  }
  return x;
}

std::vector<int64_t> free_axes(int nd, const std::vector<int64_t>& axes) {
  std::vector<int64_t> out;
  for (int64_t d = 0; d < nd; ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(d);
  }
  return out;
}

// How many entries of `axes` are below v: v's position once `axes` is sorted.
int64_t rank_in(const std::vector<int64_t>& axes, int64_t v) {
  return std::count_if(axes.begin(), axes.end(), [v](int64_t x) { return x < v; });
}

// The gradients of tensordot(a, b, (axa, axb)) given g, whose dimensions are a's free axes
// then b's free axes. For a: g contracted with b over b's free axes leaves a's free axes then
// b's contracted axes (in increasing order), which a transpose puts back in a's order; b's is
// symmetric.
std::vector<Var> tensordot_grads(const Var& a, const Var& b, const std::vector<int64_t>& axa,
                                 const std::vector<int64_t>& axb, const Var& g) {
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  const std::vector<int64_t> fa = free_axes(nda, axa), fb = free_axes(ndb, axb);
  const int64_t nfa = static_cast<int64_t>(fa.size()), nfb = static_cast<int64_t>(fb.size());
  Var ga, gb;
  if (differentiable(a)) {
    std::vector<int64_t> g_axes;
    for (int64_t i = 0; i < nfb; ++i) g_axes.push_back(nfa + i);
    const Var r = tensordot(g, b, g_axes, fb);
    std::vector<int64_t> where(nda);
    for (int64_t i = 0; i < nfa; ++i) where[fa[i]] = i;
    for (size_t j = 0; j < axa.size(); ++j) where[axa[j]] = nfa + rank_in(axb, axb[j]);
    ga = permute(r, where);
  }
  if (differentiable(b)) {
    std::vector<int64_t> g_axes;
    for (int64_t i = 0; i < nfa; ++i) g_axes.push_back(i);
    const Var r = tensordot(a, g, fa, g_axes);
    const int64_t nca = static_cast<int64_t>(axa.size());
    std::vector<int64_t> where(ndb);
    for (int64_t i = 0; i < nfb; ++i) where[fb[i]] = nca + i;
    for (size_t j = 0; j < axb.size(); ++j) where[axb[j]] = rank_in(axa, axa[j]);
    gb = permute(r, where);
  }
  return {ga, gb};
}

std::vector<int64_t> iota(int64_t from, int64_t to) {
  std::vector<int64_t> v;
  for (int64_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

// x with a new broadcastable axis inserted at position `at`.
Var insert_axis(const Var& x, int64_t at) {
  std::vector<int64_t> pattern = iota(0, x->type.ndim());
  pattern.insert(pattern.begin() + at, kNewAxis);
  return dimshuffle(x, pattern);
}

}  // namespace

std::vector<Var> Dot::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                           const std::vector<Var>& output_grads) const {
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  Var ga, gb;
  if (nda == 0 || ndb == 0) {  // an elementwise product (dot() itself builds mul instead)
    ga = sum_to_shape(mul(g, b), a);
    gb = sum_to_shape(mul(g, a), b);
  } else if (nda == 1 && ndb == 1) {  // g is 0-d
    ga = mul(g, b);
    gb = mul(g, a);
  } else if (nda == 2 && ndb == 1) {  // g (m,)
    ga = outer(g, b);
    gb = dot(g, a);
  } else if (nda == 1 && ndb == 2) {  // g (n,)
    ga = dot(b, g);
    gb = outer(a, g);
  } else if (nda == 2 && ndb == 2) {
    ga = dot(g, transpose(b));
    gb = dot(transpose(a), g);
  } else {
    auto [axa, axb] = dot_axes(nda, ndb);
    return tensordot_grads(a, b, {axa[0]}, {axb[0]}, g);
  }
  return {differentiable(a) ? ga : nullptr, differentiable(b) ? gb : nullptr};
}

// The operands are promoted to stacks of matrices (a 1-d a to (1, k), a 1-d b to (k, 1)) and g
// to the promoted output batch + (m, n); then ga = g @ b^T and gb = a^T @ g, summed over the
// batch dimensions broadcasting added or stretched, and the promoted axis removed.
std::vector<Var> Matmul::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                              const std::vector<Var>& output_grads) const {
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  Var g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  const Var a2 = nda == 1 ? insert_axis(a, 0) : a;
  const Var b2 = ndb == 1 ? insert_axis(b, 1) : b;
  if (ndb == 1) g = insert_axis(g, g->type.ndim());
  if (nda == 1) g = insert_axis(g, g->type.ndim() - 1);
  Var ga, gb;
  if (differentiable(a)) {
    ga = sum_to_shape(matmul(g, swapaxes(b2, -1, -2)), a2);
    if (nda == 1) ga = squeeze(ga, std::vector<int64_t>{0});
  }
  if (differentiable(b)) {
    gb = sum_to_shape(matmul(swapaxes(a2, -1, -2), g), b2);
    if (ndb == 1) gb = squeeze(gb, std::vector<int64_t>{1});
  }
  return {ga, gb};
}

std::vector<Var> Tensordot::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                 const std::vector<Var>& output_grads) const {
  if (!output_grads[0]) return {nullptr, nullptr};
  return tensordot_grads(inputs[0], inputs[1], axes_a_, axes_b_, output_grads[0]);
}

// out = outer(a.ravel(), b.ravel()): ga = (g @ b.ravel()) reshaped like a, gb symmetric.
std::vector<Var> Outer::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                             const std::vector<Var>& output_grads) const {
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  auto ravel = [](const Var& x) {
    return x->type.ndim() == 1 ? x : reshape(x, std::vector<int64_t>{-1});
  };
  auto unravel = [](const Var& v, const Var& like) {
    return like->type.ndim() == 1 ? v : reshape(v, shape(like), like->type.ndim());
  };
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  Var ga, gb;
  if (differentiable(a)) ga = unravel(dot(g, ravel(b)), a);
  if (differentiable(b)) gb = unravel(dot(ravel(a), g), b);
  return {ga, gb};
}

// out[i] = dot(a[i], b[i]). Per batch element the dot gradients apply; they are written with
// batched_dot where the per-element operands are vectors or matrices, and otherwise (an
// operand of 4 or more dimensions) as a broadcast product summed over the other operand's free
// axes, which costs memory proportional to the product of all the axes involved.
std::vector<Var> BatchedDot::L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                                  const std::vector<Var>& output_grads) const {
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  const Var& g = output_grads[0];
  if (!g) return {nullptr, nullptr};
  const int64_t p = a->type.ndim() - 1, q = b->type.ndim() - 1;  // per-element ndims
  const int64_t ng = g->type.ndim();
  Var ga, gb;
  if (p == 0 || q == 0) {  // out[i] = a[i] * b[i], the 0-d side broadcast over the other
    // The 0-d side as (B, 1, ..., 1) with the other side's ndim.
    auto spread = [](const Var& x, int64_t nd) {
      std::vector<int64_t> pattern{0};
      for (int64_t i = 1; i < nd; ++i) pattern.push_back(kNewAxis);
      return dimshuffle(x, pattern);
    };
    auto collapse = [](const Var& x) {
      return x->type.ndim() == 1 ? x : sum(x, iota(1, x->type.ndim()));
    };
    if (p == 0) {
      ga = collapse(mul(g, b));
      gb = mul(g, spread(a, ng));
    } else {
      ga = mul(g, spread(b, ng));
      gb = collapse(mul(g, a));
    }
  } else if (p == 1 && q == 1) {  // g (B,)
    const Var gc = dimshuffle(g, {0, kNewAxis});
    ga = mul(gc, b);
    gb = mul(gc, a);
  } else if (p == 2 && q == 1) {  // a (B, m, k), b (B, k), g (B, m)
    ga = mul(dimshuffle(g, {0, 1, kNewAxis}), dimshuffle(b, {0, kNewAxis, 1}));
    gb = batched_dot(g, a);
  } else if (p == 1 && q == 2) {  // a (B, k), b (B, k, n), g (B, n)
    ga = batched_dot(b, g);
    gb = mul(dimshuffle(a, {0, 1, kNewAxis}), dimshuffle(g, {0, kNewAxis, 1}));
  } else if (p == 2 && q == 2) {
    ga = batched_dot(g, swapaxes(b, 1, 2));
    gb = batched_dot(swapaxes(a, 1, 2), g);
  } else {
    // The index space (batch, a's free axes, b's free axes, k): a, b and g dimshuffled into
    // it, multiplied, and summed over the axes the input lacks.
    const int64_t kb = q >= 2 ? q - 1 : 1;  // b's contracted axis
    std::vector<int64_t> pa = iota(0, p), pb{0}, pg = iota(0, ng);
    for (int64_t i = 1; i < q; ++i) pa.push_back(kNewAxis);
    pa.push_back(p);
    for (int64_t i = 1; i < p; ++i) pb.push_back(kNewAxis);
    for (int64_t d = 1; d <= q; ++d) {
      if (d != kb) pb.push_back(d);
    }
    pb.push_back(kb);
    pg.push_back(kNewAxis);
    const Var gx = dimshuffle(g, pg);
    ga = mul(gx, dimshuffle(b, pb));
    if (q > 1) ga = sum(ga, iota(p, p + q - 1));
    gb = mul(gx, dimshuffle(a, pa));
    if (p > 1) gb = sum(gb, iota(1, p));
    // gb is (batch, b's free axes, k): move k back to b's axis kb.
    std::vector<int64_t> where(q + 1);
    where[0] = 0;
    int64_t pos = 1;
    for (int64_t d = 1; d <= q; ++d) {
      if (d != kb) where[d] = pos++;
    }
    where[kb] = q;
    gb = permute(gb, where);
  }
  return {differentiable(a) ? ga : nullptr, differentiable(b) ? gb : nullptr};
}

// ---------------------------------------------------------------------------------------------
// C++ API

Var dot(const Var& a, const Var& b) {
  if (a->type.ndim() == 0 || b->type.ndim() == 0) return mul(a, b);
  return make_node1(std::make_shared<Dot>(), {a, b});
}

Var matmul(const Var& a, const Var& b) {
  return make_node1(std::make_shared<Matmul>(), {a, b});
}

Var tensordot(const Var& a, const Var& b, int axes) {
  const int nda = a->type.ndim(), ndb = b->type.ndim();
  if (axes < 0 || axes > nda || axes > ndb) {
    throw ValueError("tensordot: axes=" + std::to_string(axes) +
                     " must be between 0 and the smaller ndim of the inputs (" +
                     std::to_string(nda) + " and " + std::to_string(ndb) + ")");
  }
  std::vector<int64_t> axa, axb;
  for (int i = 0; i < axes; ++i) {
    axa.push_back(nda - axes + i);
    axb.push_back(i);
  }
  return make_node1(std::make_shared<Tensordot>(axa, axb), {a, b});
}

Var tensordot(const Var& a, const Var& b, std::vector<int64_t> axes_a,
              std::vector<int64_t> axes_b) {
  if (axes_a.size() != axes_b.size()) {
    throw ValueError("tensordot: expected as many axes for a as for b, got " + axes_str(axes_a) +
                     " and " + axes_str(axes_b));
  }
  auto normalize = [](std::vector<int64_t>& axes, int nd, const char* which) {
    for (int64_t& ax : axes) {
      if (ax < -nd || ax >= nd) {
        throw ValueError("tensordot: axis " + std::to_string(ax) + " is out of bounds for " +
                         which + " of dimension " + std::to_string(nd));
      }
      if (ax < 0) ax += nd;
    }
  };
  normalize(axes_a, a->type.ndim(), "a");
  normalize(axes_b, b->type.ndim(), "b");
  return make_node1(std::make_shared<Tensordot>(std::move(axes_a), std::move(axes_b)), {a, b});
}

Var outer(const Var& x, const Var& y) {
  return make_node1(std::make_shared<Outer>(), {x, y});
}

Var batched_dot(const Var& a, const Var& b) {
  return make_node1(std::make_shared<BatchedDot>(), {a, b});
}

void register_blas_ops() {
  register_op_factory("Dot", [](const PropReader&) -> OpPtr { return std::make_shared<Dot>(); });
  register_op_factory("Matmul",
                      [](const PropReader&) -> OpPtr { return std::make_shared<Matmul>(); });
  register_op_factory("Outer",
                      [](const PropReader&) -> OpPtr { return std::make_shared<Outer>(); });
  register_op_factory("BatchedDot",
                      [](const PropReader&) -> OpPtr { return std::make_shared<BatchedDot>(); });
  register_op_factory("Tensordot", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Tensordot>(f.get_ints("axes_a"), f.get_ints("axes_b"));
  });
  register_builder("dot", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{dot(in[0], in[1])};
  });
  register_builder("matmul", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{matmul(in[0], in[1])};
  });
  register_builder("tensordot", 2, 2, [](const std::vector<Var>& in, const Params& p) {
    if (p.has("axes_a") || p.has("axes_b")) {
      return std::vector<Var>{tensordot(in[0], in[1], p.get_ints("axes_a"), p.get_ints("axes_b"))};
    }
    return std::vector<Var>{tensordot(in[0], in[1], static_cast<int>(p.get_int("axes", 2)))};
  });
  register_builder("outer", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{outer(in[0], in[1])};
  });
  register_builder("batched_dot", 2, 2, [](const std::vector<Var>& in, const Params&) {
    return std::vector<Var>{batched_dot(in[0], in[1])};
  });
}

}  // namespace theon
