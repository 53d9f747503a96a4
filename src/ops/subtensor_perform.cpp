// The runtime side of the indexing ops: an index spec resolved against an array's geometry
// (a "plan"), and the kernels of the four ops built on it.
#include <cstring>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

using namespace subtensor_detail;

// x[idx] described as: the basic dimensions (`rest`, in output order, byte strides into x,
// starting at `base`), and for advanced indexing the broadcast shape of the index arrays with
// one byte offset per element of it (C order). The output has shape
// rest[:adv_pos] + bshape + rest[adv_pos:]. A basic index has bshape () and offsets {0}.
struct Plan {
  int64_t base = 0;
  Shape rest_shape;
  Strides rest_strides;
  Shape bshape;
  std::vector<int64_t> offsets{0};
  int adv_pos = 0;

  Shape out_shape() const {
    Shape s(rest_shape.begin(), rest_shape.begin() + adv_pos);
    s.insert(s.end(), bshape.begin(), bshape.end());
    s.insert(s.end(), rest_shape.begin() + adv_pos, rest_shape.end());
    return s;
  }
};

// Byte offsets of every element of `shape` (C order) under `strides`.
std::vector<int64_t> odometer_offsets(const Shape& shape, const int64_t* strides) {
  const int64_t total = shape_size(shape);
  std::vector<int64_t> off(static_cast<size_t>(total));
  const int nd = static_cast<int>(shape.size());
  std::vector<int64_t> c(nd, 0);
  int64_t cur = 0;
  for (int64_t i = 0; i < total; ++i) {
    off[i] = cur;
    for (int d = nd - 1; d >= 0; --d) {
      cur += strides[d];
      if (++c[d] < shape[d]) break;
      cur -= strides[d] * shape[d];
      c[d] = 0;
    }
  }
  return off;
}

// Splits `all` into the dims [pos, pos + n) and the others.
void split_dims(const Strides& all, int pos, int n, Strides* inside, Strides* outside) {
  inside->assign(all.begin() + pos, all.begin() + pos + n);
  outside->assign(all.begin(), all.begin() + pos);
  outside->insert(outside->end(), all.begin() + pos + n, all.end());
}

Plan make_plan(const Op& op, const IndexSpec& spec, const Shape& shape, const Strides& strides,
               const std::vector<NDArray>& in, size_t first_index) {
  Plan P;
  const int ndim = static_cast<int>(shape.size());
  auto value = [&](const IndexPart& p) -> std::optional<int64_t> {
    switch (p.mode) {
      case IndexPart::Mode::None:
        return std::nullopt;
      case IndexPart::Mode::Const:
        return p.value;
      case IndexPart::Mode::Input:
        return read_int(in[first_index + p.value]);
    }
    return std::nullopt;
  };
  struct Adv {
    int dim;  // -1: a 0-d mask, which selects no dimension
    NDArray index;
  };
  std::vector<Adv> adv;
  int d = 0;
  for (const auto& e : spec.entries) {
    switch (e.kind) {
      case IndexEntry::Kind::Int: {
        int64_t v = *value(e.part[0]);
        const int64_t n = shape[d];
        if (v < -n || v >= n) throw IndexError(op_error(op, out_of_bounds(v, d, n)));
        if (v < 0) v += n;
        P.base += v * strides[d];
        ++d;
        break;
      }
      case IndexEntry::Kind::Slice: {
        const auto step = value(e.part[2]);
        if (step && *step == 0) throw ValueError(op_error(op, "slice step cannot be zero"));
        const SliceRange r = normalize_slice(value(e.part[0]), value(e.part[1]), step, shape[d]);
        P.base += r.start * strides[d];
        P.rest_shape.push_back(r.len);
        P.rest_strides.push_back(r.step * strides[d]);
        ++d;
        break;
      }
      case IndexEntry::Kind::NewAxis:
        P.rest_shape.push_back(1);
        P.rest_strides.push_back(0);
        break;
      case IndexEntry::Kind::Array:
        adv.push_back({d++, in[first_index + e.slot]});
        break;
      case IndexEntry::Kind::Mask: {
        const NDArray m = in[first_index + e.slot].copy();
        const int k = m.ndim();
        if (d + k > ndim) {
          throw IndexError(op_error(
              op, "too many indices for array: array is " + std::to_string(ndim) + "-dimensional"));
        }
        for (int j = 0; j < k; ++j) {
          if (m.shape(j) != shape[d + j]) {
            throw IndexError(op_error(op, mask_mismatch(d + j, shape[d + j], m.shape(j))));
          }
        }
        const bool* mv = m.data<bool>();
        int64_t nnz = 0;
        for (int64_t i = 0; i < m.size(); ++i) nnz += mv[i] ? 1 : 0;
        if (k == 0) {
          adv.push_back({-1, NDArray::zeros(DType::Int64, {nnz})});
          break;
        }
        // np.nonzero: one coordinate array per mask dimension.
        std::vector<NDArray> coords;
        for (int j = 0; j < k; ++j) coords.push_back(NDArray::empty(DType::Int64, {nnz}));
        int64_t w = 0;
        for (int64_t i = 0; i < m.size(); ++i) {
          if (!mv[i]) continue;
          int64_t rem = i;
          for (int j = k - 1; j >= 0; --j) {
            coords[j].data<int64_t>()[w] = rem % m.shape(j);
            rem /= m.shape(j);
          }
          ++w;
        }
        for (int j = 0; j < k; ++j) adv.push_back({d + j, coords[j]});
        d += k;
        break;
      }
    }
  }
  for (; d < ndim; ++d) {
    P.rest_shape.push_back(shape[d]);
    P.rest_strides.push_back(strides[d]);
  }
  const AdvLayout L = adv_layout(spec);
  if (!L.advanced) return P;
  P.adv_pos = L.adv_pos;
  std::vector<Shape> shapes;
  for (const auto& a : adv) shapes.push_back(a.index.shape());
  try {
    P.bshape = broadcast_shapes(shapes, "indexing arrays");
  } catch (const Error&) {
    std::string s;
    for (const auto& sh : shapes) s += " " + shape_str(sh);
    throw IndexError(op_error(
        op, "shape mismatch: indexing arrays could not be broadcast together with shapes" + s));
  }
  const int64_t total = shape_size(P.bshape);
  P.offsets.assign(static_cast<size_t>(total), 0);
  for (const auto& a : adv) {
    if (a.dim < 0) continue;
    const NDArray idx = a.index.broadcast_to(P.bshape).astype(DType::Int64);
    const int64_t* iv = idx.data<int64_t>();
    const int64_t n = shape[a.dim];
    const int64_t st = strides[a.dim];
    for (int64_t b = 0; b < total; ++b) {
      int64_t v = iv[b];
      if (v < -n || v >= n) throw IndexError(op_error(op, out_of_bounds(v, a.dim, n)));
      if (v < 0) v += n;
      P.offsets[b] += v * st;
    }
  }
  return P;
}

// Runs f(dst, src, dst_stride, src_stride, n) over the inner runs of a block of `shape`
// with two sets of byte strides; dimensions are merged where both layouts allow.
class BlockLoop {
 public:
  BlockLoop(const Shape& shape, const Strides& dst, const Strides& src) {
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 1) continue;
      if (!shape_.empty() && dst_.back() == dst[i] * shape[i] && src_.back() == src[i] * shape[i]) {
        shape_.back() *= shape[i];
        dst_.back() = dst[i];
        src_.back() = src[i];
        continue;
      }
      shape_.push_back(shape[i]);
      dst_.push_back(dst[i]);
      src_.push_back(src[i]);
    }
    empty_ = shape_size(shape) == 0;
    counter_.assign(shape_.size(), 0);
  }

  template <class F>
  void run(char* dst, const char* src, F&& f) {
    if (empty_) return;
    const int nd = static_cast<int>(shape_.size());
    if (nd == 0) {
      f(dst, src, 0, 0, 1);
      return;
    }
    const int64_t n = shape_[nd - 1];
    const int64_t sd = dst_[nd - 1];
    const int64_t ss = src_[nd - 1];
    std::fill(counter_.begin(), counter_.end(), 0);
    while (true) {
      f(dst, src, sd, ss, n);
      int d = nd - 2;
      for (; d >= 0; --d) {
        dst += dst_[d];
        src += src_[d];
        if (++counter_[d] < shape_[d]) break;
        dst -= dst_[d] * shape_[d];
        src -= src_[d] * shape_[d];
        counter_[d] = 0;
      }
      if (d < 0) return;
    }
  }

 private:
  Shape shape_;
  Strides dst_, src_;
  std::vector<int64_t> counter_;
  bool empty_ = false;
};

template <size_t K>
void copy_run(char* d, const char* s, int64_t sd, int64_t ss, int64_t n) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(d + i * sd, s + i * ss, K);
}

using RunFn = void (*)(char*, const char*, int64_t, int64_t, int64_t);

RunFn copy_fn(DType dt) {
  switch (itemsize(dt)) {
    case 1:
      return copy_run<1>;
    case 2:
      return copy_run<2>;
    case 4:
      return copy_run<4>;
    default:
      return copy_run<8>;
  }
}

template <class T>
void add_run(char* d, const char* s, int64_t sd, int64_t ss, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    T* p = reinterpret_cast<T*>(d + i * sd);
    const T v = *reinterpret_cast<const T*>(s + i * ss);
    if constexpr (std::is_same_v<T, bool>) {
      *p = *p || v;
    } else {
      *p = static_cast<T>(*p + v);
    }
  }
}

RunFn add_fn(DType dt) {
  return visit_dtype(dt, [](auto tag) -> RunFn { return add_run<typename decltype(tag)::type>; });
}

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

void Subtensor::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const Plan P = make_plan(*this, spec_, x.shape(), x.strides(), inputs, 1);
  outputs[0] = x.view(x.raw() + P.base, P.rest_shape, P.rest_strides);
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

void IncSubtensorBase::perform(const std::vector<NDArray>& inputs,
                               std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  bool inplace = inplace_ && x.writeable();
  for (int i = 0; inplace && i < x.ndim(); ++i) inplace = x.shape(i) <= 1 || x.strides()[i] != 0;
  if (inplace) outputs[0] = x;
  NDArray& out = inplace ? outputs[0] : reuse_or_empty(outputs[0], x.dtype(), x.shape());
  if (!inplace) out.copy_from(x);
  const Plan P = make_plan(*this, spec_, out.shape(), out.strides(), inputs, 2);
  const Shape target = P.out_shape();
  // y in x's dtype (NumPy's casting on assignment), broadcast to the indexed shape; leading
  // dimensions of size 1 beyond the indexed ones are dropped as NumPy does.
  NDArray y = inputs[1].dtype() == x.dtype() ? inputs[1] : inputs[1].astype(x.dtype());
  auto mismatch = [&] {
    return ValueError(op_error(
        *this, "shape mismatch: value array of shape " + shape_str(inputs[1].shape()) +
                   " could not be broadcast to indexing result of shape " + shape_str(target)));
  };
  const int extra = y.ndim() - static_cast<int>(target.size());
  if (extra > 0) {
    for (int i = 0; i < extra; ++i)
      if (y.shape(i) != 1) throw mismatch();
    y = y.view(y.raw(), Shape(y.shape().begin() + extra, y.shape().end()),
               Strides(y.strides().begin() + extra, y.strides().end()));
  }
  NDArray yb;
  try {
    yb = y.broadcast_to(target);
  } catch (const ValueError&) {
    throw mismatch();
  }
  const int nb = static_cast<int>(P.bshape.size());
  Strides y_b, y_rest;
  split_dims(yb.strides(), P.adv_pos, nb, &y_b, &y_rest);
  const std::vector<int64_t> src_off = odometer_offsets(P.bshape, y_b.data());
  BlockLoop loop(P.rest_shape, P.rest_strides, y_rest);
  const RunFn fn = set_ ? copy_fn(x.dtype()) : add_fn(x.dtype());
  char* dst = out.raw() + P.base;
  for (size_t b = 0; b < P.offsets.size(); ++b)
    loop.run(dst + P.offsets[b], yb.raw() + src_off[b], fn);
}

}  // namespace theon
