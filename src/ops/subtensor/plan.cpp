// The runtime side of the indexing ops: an index spec resolved against an array's geometry
// (a "plan"), and the copy runs the kernels share.
#include <cstring>
#include <optional>
#include <vector>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon::subtensor_detail {
namespace {

template <size_t K>
void copy_run(char* d, const char* s, int64_t sd, int64_t ss, int64_t n) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(d + i * sd, s + i * ss, K);
}

}  // namespace

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

}  // namespace theon::subtensor_detail
