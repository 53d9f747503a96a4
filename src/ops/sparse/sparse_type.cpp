// The sparse value kind and matrix: validation, conversions to and from dense arrays and
// between formats, the value kernel every sparse op runs through, and Shape_i of a sparse
// variable (so that shape inference can reach sparse leaves).
#include <algorithm>
#include <cstring>

#include "sparse_detail.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/graph/serialize.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/sparse.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon {

const char* format_name(SparseFormat f) {
  return f == SparseFormat::Csr ? "csr" : "csc";
}

SparseFormat parse_sparse_format(const std::string& name, const std::string& what) {
  if (name == "csr") return SparseFormat::Csr;
  if (name == "csc") return SparseFormat::Csc;
  throw ValueError(what + ": format must be 'csr' or 'csc', got '" + name + "'");
}

bool SparseKind::equals(const ValueKind& other) const {
  const auto* o = dynamic_cast<const SparseKind*>(&other);
  return o && o->format_ == format_;
}

std::string SparseKind::value_mismatch(const Type& type, const Value& value) const {
  const auto* m = dynamic_cast<const SparseMatrix*>(value.object().get());
  if (!m) return "expected a " + name() + " matrix, got " + value.describe();
  if (m->format != format_) return "expected a " + name() + " matrix, got a " + m->kind();
  if (m->dtype() != type.dtype) {
    return "expected dtype " + std::string(dtype_name(type.dtype)) + ", got " +
           std::string(dtype_name(m->dtype()));
  }
  return type.shape_mismatch({m->rows, m->cols});
}

std::string SparseMatrix::kind() const {
  return std::string(format_name(format)) + " matrix";
}

size_t SparseMatrix::nbytes() const {
  return data.nbytes() + indices.nbytes() + indptr.nbytes();
}

std::string SparseMatrix::describe() const {
  return kind() + " of " + std::string(dtype_name(dtype())) + ", shape " + shape_str({rows, cols}) +
         ", " + std::to_string(nnz()) + " stored entries";
}

void SparseMatrix::validate(const std::string& what, bool canonical) const {
  auto fail = [&](const std::string& m) {
    throw ValueError(what + ": invalid " + kind() + ": " + m);
  };
  if (rows < 0 || cols < 0) fail("negative shape " + shape_str({rows, cols}));
  if (rows > INT32_MAX || cols > INT32_MAX)
    fail("shape " + shape_str({rows, cols}) + " exceeds int32 indices");
  if (data.dtype() != DType::Float32 && data.dtype() != DType::Float64) {
    fail("data must be float32 or float64, got " + std::string(dtype_name(data.dtype())));
  }
  if (indices.dtype() != DType::Int32 || indptr.dtype() != DType::Int32)
    fail("indices and indptr must be int32");
  if (data.ndim() != 1 || indices.ndim() != 1 || indptr.ndim() != 1)
    fail("data, indices and indptr must be 1-d");
  if (indptr.size() != major() + 1) {
    fail("indptr has " + std::to_string(indptr.size()) + " entries, expected " +
         std::to_string(major() + 1));
  }
  if (indices.size() != data.size()) {
    fail(std::to_string(indices.size()) + " indices for " + std::to_string(data.size()) +
         " values");
  }
  // Sizes read once: the loops below run over every stored entry on every call.
  const int64_t n_major = major(), n_minor = minor(), n_stored = nnz();
  const int32_t* p = ptr();
  if (p[0] != 0) fail("indptr[0] is " + std::to_string(p[0]) + ", expected 0");
  for (int64_t r = 0; r < n_major; ++r) {
    if (p[r + 1] < p[r]) fail("indptr decreases at position " + std::to_string(r + 1));
  }
  if (p[n_major] != n_stored) {
    fail("indptr ends at " + std::to_string(p[n_major]) + " but there are " +
         std::to_string(n_stored) + " values");
  }
  const int32_t* ix = idx();
  // One branch-free pass first (the largest index, as unsigned so that negative ones are huge,
  // and adjacent pairs within each row): it runs on every call, at memory speed. The entry to
  // blame is looked for only when it fails.
  uint32_t largest = 0;
  int in_order = 1;
  for (int64_t r = 0; r < n_major; ++r) {
    const int32_t b = p[r], e = p[r + 1];
    if (b < e) largest = std::max(largest, static_cast<uint32_t>(ix[b]));
    for (int32_t k = b + 1; k < e; ++k) {
      largest = std::max(largest, static_cast<uint32_t>(ix[k]));
      in_order &= static_cast<int>(ix[k] > ix[k - 1]);
    }
  }
  const bool in_bounds = n_stored == 0 || largest < static_cast<uint32_t>(n_minor);
  if (in_bounds && (in_order || !canonical)) return;
  for (int64_t r = 0; r < n_major; ++r) {
    for (int32_t k = p[r]; k < p[r + 1]; ++k) {
      if (ix[k] < 0 || ix[k] >= n_minor) {
        fail("index " + std::to_string(ix[k]) + " at position " + std::to_string(k) +
             " is out of bounds for " + std::to_string(n_minor) +
             (format == SparseFormat::Csr ? " columns" : " rows"));
      }
      if (canonical && k > p[r] && ix[k] <= ix[k - 1]) {
        fail("indices are not sorted without duplicates in " +
             std::string(format == SparseFormat::Csr ? "row " : "column ") + std::to_string(r) +
             " (canonical form: scipy's sum_duplicates() and sort_indices())");
      }
    }
  }
}

bool SparseMatrix::same_pattern(const SparseMatrix& o) const {
  if (format != o.format || rows != o.rows || cols != o.cols || nnz() != o.nnz()) return false;
  auto same = [](const NDArray& a, const NDArray& b) {
    return a.raw() == b.raw() || std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
  };
  return same(indptr, o.indptr) && same(indices, o.indices);
}

SparsePtr make_sparse(SparseFormat format, int64_t rows, int64_t cols, NDArray data,
                      NDArray indices, NDArray indptr) {
  auto m = std::make_shared<SparseMatrix>();
  m->format = format;
  m->rows = rows;
  m->cols = cols;
  m->data = std::move(data);
  m->indices = std::move(indices);
  m->indptr = std::move(indptr);
  return m;
}

SparsePtr with_data(const SparseMatrix& pattern, NDArray data) {
  return make_sparse(pattern.format, pattern.rows, pattern.cols, std::move(data), pattern.indices,
                     pattern.indptr);
}

NDArray sparse_to_dense(const SparseMatrix& m) {
  NDArray out = NDArray::zeros(m.dtype(), {m.rows, m.cols});
  with_float(m.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* v = m.data.data<T>();
    T* o = out.data<T>();
    const bool csr = m.format == SparseFormat::Csr;
    for (int64_t r = 0; r < m.major(); ++r) {
      for (int32_t k = m.ptr()[r]; k < m.ptr()[r + 1]; ++k) {
        const int64_t i = csr ? r : m.idx()[k], j = csr ? m.idx()[k] : r;
        o[i * m.cols + j] += v[k];  // duplicates add up, as in SciPy
      }
    }
  });
  return out;
}

SparsePtr sparse_from_dense_array(const NDArray& a, SparseFormat format) {
  const NDArray c = a.is_c_contiguous() ? a : a.copy();
  const int64_t rows = c.shape(0), cols = c.shape(1);
  const bool csr = format == SparseFormat::Csr;
  const int64_t major = csr ? rows : cols, minor = csr ? cols : rows;
  NDArray indptr = NDArray::empty(DType::Int32, {major + 1});
  return with_float(c.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* x = c.data<T>();
    auto at = [&](int64_t r, int64_t k) { return csr ? x[r * cols + k] : x[k * cols + r]; };
    int64_t nnz = 0;
    int32_t* p = indptr.data<int32_t>();
    p[0] = 0;
    for (int64_t r = 0; r < major; ++r) {
      for (int64_t k = 0; k < minor; ++k) nnz += at(r, k) != T(0);
      if (nnz > INT32_MAX) throw ValueError("csr_from_dense: more than 2^31-1 nonzero entries");
      p[r + 1] = static_cast<int32_t>(nnz);
    }
    NDArray data = NDArray::empty(c.dtype(), {nnz});
    NDArray indices = NDArray::empty(DType::Int32, {nnz});
    T* d = data.data<T>();
    int32_t* ix = indices.data<int32_t>();
    for (int64_t r = 0, n = 0; r < major; ++r) {
      for (int64_t k = 0; k < minor; ++k) {
        if (at(r, k) != T(0)) {
          d[n] = at(r, k);
          ix[n++] = static_cast<int32_t>(k);
        }
      }
    }
    return make_sparse(format, rows, cols, data, indices, indptr);
  });
}

SparsePtr convert_format(const SparseMatrix& m, SparseFormat format) {
  if (m.format == format) return std::make_shared<SparseMatrix>(m);
  // Counting sort of the entries by their minor index: the transpose of the compressed arrays.
  const int64_t out_major = m.minor(), nnz = m.nnz();
  NDArray indptr = NDArray::zeros(DType::Int32, {out_major + 1});
  NDArray indices = NDArray::empty(DType::Int32, {nnz});
  NDArray data = NDArray::empty(m.dtype(), {nnz});
  int32_t* p = indptr.data<int32_t>();
  for (int64_t k = 0; k < nnz; ++k) ++p[m.idx()[k] + 1];
  for (int64_t r = 0; r < out_major; ++r) p[r + 1] += p[r];
  std::vector<int32_t> next(p, p + out_major);
  with_float(m.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* v = m.data.data<T>();
    T* d = data.data<T>();
    int32_t* ix = indices.data<int32_t>();
    for (int64_t r = 0; r < m.major(); ++r) {
      for (int32_t k = m.ptr()[r]; k < m.ptr()[r + 1]; ++k) {
        const int32_t dst = next[m.idx()[k]]++;
        d[dst] = v[k];
        ix[dst] = static_cast<int32_t>(r);
      }
    }
  });
  return make_sparse(format, m.rows, m.cols, data, indices, indptr);
}

Type sparse_type(SparseFormat format, DType dtype, StaticShape shape) {
  Type t(dtype, std::move(shape));
  static const auto csr = std::make_shared<const SparseKind>(SparseFormat::Csr);
  static const auto csc = std::make_shared<const SparseKind>(SparseFormat::Csc);
  t.value_kind = format == SparseFormat::Csr ? csr : csc;
  return t;
}

std::optional<SparseFormat> sparse_format(const Type& t) {
  const auto* k = dynamic_cast<const SparseKind*>(t.value_kind.get());
  if (!k) return std::nullopt;
  return k->format();
}

const SparseMatrix& sparse_value(const Value& v, const std::string& what) {
  const auto* m = dynamic_cast<const SparseMatrix*>(v.object().get());
  if (!m) throw TypeError(what + ": expected a sparse matrix, got " + v.describe());
  return *m;
}

const NDArray& dense_value(const Value& v, const std::string& what) {
  if (!v.is_array()) throw TypeError(what + ": expected a host array, got " + v.describe());
  return v.array();
}

void SparseOp::perform(const std::vector<NDArray>&, std::vector<NDArray>&) const {
  throw NotImplementedError(op_error(*this, "runs on sparse values, not on host arrays alone"));
}

namespace {

class SparseValueKernel final : public Kernel {
 public:
  explicit SparseValueKernel(const SparseOp& op) : op_(op) {}
  bool takes_values() const override { return true; }
  void run_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    op_.perform_values(in, out);
  }
  std::string origin() const override { return "perform"; }
  bool is_reference() const override { return true; }

 private:
  const SparseOp& op_;
};

// Shape and Shape_i of a sparse matrix: its shape, read off the value (i < 0: the whole shape).
class SparseShapeKernel final : public Kernel {
 public:
  explicit SparseShapeKernel(int64_t i) : i_(i) {}
  bool takes_values() const override { return true; }
  void run_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    const SparseMatrix& m = sparse_value(in[0], i_ < 0 ? "Shape" : "Shape_i");
    if (i_ < 0) {
      out[0] = NDArray::from_vector<int64_t>({m.rows, m.cols}, {2});
    } else {
      out[0] = NDArray::scalar<int64_t>(i_ == 0 ? m.rows : m.cols);
    }
  }
  std::string origin() const override { return "sparse shape"; }

 private:
  int64_t i_;
};

}  // namespace

void register_sparse_kernel(const std::string& type_name) {
  register_kernel(type_name, DeviceKind::Cpu, [](const Apply& node) -> std::unique_ptr<Kernel> {
    const auto* op = dynamic_cast<const SparseOp*>(node.op().get());
    if (!op) return nullptr;
    return std::make_unique<SparseValueKernel>(*op);
  });
}

void expect_sparse(const Op& op, const Var& v, const std::string& which) {
  if (!is_sparse(v)) {
    throw TypeError(
        op_error(op, which + " must be a sparse matrix (csr or csc), got " + v->type.str()));
  }
}

void expect_dense(const Op& op, const Var& v, const std::string& which, int ndim) {
  if (!v->type.is_tensor() || (ndim >= 0 && v->type.ndim() != ndim)) {
    throw TypeError(op_error(op, which + " must be a dense " +
                                     (ndim >= 0 ? std::to_string(ndim) + "-d " : std::string()) +
                                     "tensor, got " + v->type.str()));
  }
}

DType expect_float_dtype(const Op& op, DType dt) {
  if (dt != DType::Float32 && dt != DType::Float64) {
    throw TypeError(
        op_error(op, "sparse values are float32 or float64, got " + std::string(dtype_name(dt))));
  }
  return dt;
}

Var sparse_input(SparseFormat format, DType dtype, std::string name) {
  if (dtype != DType::Float32 && dtype != DType::Float64) {
    throw TypeError(std::string(format_name(format)) +
                    "_matrix: dtype must be float32 or float64, got " +
                    std::string(dtype_name(dtype)));
  }
  return make_input(sparse_type(format, dtype), std::move(name));
}

THEON_OP_FILE(sparse_type) {
  // Sparse types are matrices of float32 or float64 (what sparse_input accepts).
  const ValueKindTypeCheck check = [](const Type& t) -> std::string {
    if (t.ndim() != 2 || (t.dtype != DType::Float32 && t.dtype != DType::Float64)) {
      return "expected a float32 or float64 matrix, got " + t.str();
    }
    return "";
  };
  register_value_kind(sparse_type(SparseFormat::Csr, DType::Float64, {}).value_kind, check);
  register_value_kind(sparse_type(SparseFormat::Csc, DType::Float64, {}).value_kind, check);
  register_kernel("Shape_i", DeviceKind::Cpu, [](const Apply& node) -> std::unique_ptr<Kernel> {
    if (!is_sparse(node.inputs()[0])) return nullptr;
    return std::make_unique<SparseShapeKernel>(static_cast<const ShapeI&>(*node.op()).i());
  });
  register_kernel("Shape", DeviceKind::Cpu, [](const Apply& node) -> std::unique_ptr<Kernel> {
    if (!is_sparse(node.inputs()[0])) return nullptr;
    return std::make_unique<SparseShapeKernel>(-1);
  });
}

}  // namespace theon
