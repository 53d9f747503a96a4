// The geometry shared by the pooling ops (PoolSpec), their type checks and output sizes.
#include "pool_detail.hpp"

#include "../shape_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

// Window sizes, strides and pads beyond this are rejected, so that no window arithmetic on
// an array that fits in memory can overflow.
constexpr int64_t kMaxWindow = int64_t{1} << 40;

const char* mode_name(PoolMode m) {
  switch (m) {
    case PoolMode::Sum:
      return "sum";
    case PoolMode::AverageIncPad:
      return "average_inc_pad";
    case PoolMode::AverageExcPad:
      return "average_exc_pad";
    case PoolMode::Max:
      break;
  }
  return "max";
}

std::array<int64_t, 2> pair_of(const std::string& who, const std::string& what,
                               const std::vector<int64_t>& v, int64_t min) {
  if (v.size() != 2) {
    throw ValueError(who + ": " + what + " must have 2 entries (rows, columns), got " +
                     ints_str(v));
  }
  for (int64_t x : v) {
    if (x < min || x > kMaxWindow) {
      throw ValueError(who + ": " + what + " must be between " + std::to_string(min) +
                       " and 2**40, got " + ints_str(v));
    }
  }
  return {v[0], v[1]};
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

PoolSpec PoolSpec::make(const std::string& who, const std::vector<int64_t>& ws,
                        const std::vector<int64_t>& stride, const std::vector<int64_t>& pad,
                        bool ignore_border, const std::string& mode) {
  PoolSpec s;
  s.ws = pair_of(who, "ws (the window)", ws, 1);
  s.stride = pair_of(who, "stride", stride, 1);
  s.pad = pair_of(who, "pad", pad, 0);
  s.ignore_border = ignore_border;
  if (mode == "max") {
    s.mode = PoolMode::Max;
  } else if (mode == "sum") {
    s.mode = PoolMode::Sum;
  } else if (mode == "average_inc_pad") {
    s.mode = PoolMode::AverageIncPad;
  } else if (mode == "average_exc_pad") {
    s.mode = PoolMode::AverageExcPad;
  } else {
    throw ValueError(who + ": mode must be 'max', 'sum', 'average_inc_pad' or " +
                     "'average_exc_pad', got '" + mode + "'");
  }
  if (s.pad[0] >= s.ws[0] || s.pad[1] >= s.ws[1]) {
    throw ValueError(who + ": pad " + ints_str(pad) + " must be smaller than ws " + ints_str(ws));
  }
  if (!ignore_border && (s.pad[0] != 0 || s.pad[1] != 0)) {
    throw ValueError(who + ": pad " + ints_str(pad) + " needs ignore_border=True");
  }
  return s;
}

PoolSpec PoolSpec::read(const PropReader& f) {
  return make("Pool", f.get_ints("ws"), f.get_ints("stride"), f.get_ints("pad"),
              f.get_bool("ignore_border"), f.get_string("mode"));
}

Props PoolSpec::fields() const {
  return {{"ws", PropValue::ints({ws[0], ws[1]})},
          {"stride", PropValue::ints({stride[0], stride[1]})},
          {"pad", PropValue::ints({pad[0], pad[1]})},
          {"ignore_border", PropValue::boolean(ignore_border)},
          {"mode", PropValue::string(mode_name(mode))}};
}

int64_t PoolSpec::out_size(int axis, int64_t in) const {
  const int64_t v = in + 2 * pad[axis], w = ws[axis], st = stride[axis];
  if (ignore_border) return v >= w ? (v - w) / st + 1 : 0;
  // The last window starts inside the input; at most one window starts at each element.
  const int64_t windows =
      st >= w ? floor_div(v - 1, st) + 1 : std::max<int64_t>(0, floor_div(v - 1 - w + st, st)) + 1;
  return std::min(windows, v);
}

namespace pool_detail {

PoolSpec spec_from_params(const std::string& who, const Params& p) {
  const std::vector<int64_t> ws = p.get_ints("ws");
  return PoolSpec::make(who, ws, p.get_optional_ints("stride").value_or(ws),
                        p.get_optional_ints("pad").value_or(std::vector<int64_t>{0, 0}),
                        p.get_bool("ignore_border", true), p.get_string("mode", "max"));
}

void require_pooled(const Op& op, const TensorType& t, const std::string& what) {
  if (t.ndim() < 2) {
    throw TypeError(
        op_error(op, "expected " + what + " with at least 2 dimensions, got " + t.str()));
  }
  if (t.dtype != DType::Float32 && t.dtype != DType::Float64) {
    throw TypeError(op_error(op, "expected " + what + " of float32 or float64, got " + t.str()));
  }
}

void require_like(const Op& op, const TensorType& t, const TensorType& like,
                  const std::string& what) {
  bool ok = t.dtype == like.dtype && t.ndim() == like.ndim();
  for (int i = 0; ok && i < t.ndim(); ++i) {
    ok = t.shape[i] == kUnknownDim || like.shape[i] == kUnknownDim || t.shape[i] == like.shape[i];
  }
  if (!ok) {
    throw ValueError(
        op_error(op, "expected " + what + " of type " + like.str() + ", got " + t.str()));
  }
}

StaticShape static_out_shape(const PoolSpec& spec, const StaticShape& in) {
  StaticShape out = in;
  const size_t n = in.size();
  for (int axis = 0; axis < 2; ++axis) {
    const int64_t d = in[n - 2 + axis];
    out[n - 2 + axis] = d == kUnknownDim ? kUnknownDim : spec.out_size(axis, d);
  }
  return out;
}

Shape out_shape(const PoolSpec& spec, const Shape& in) {
  return static_out_shape(spec, in);
}

std::vector<Var> sym_out_shape(const PoolSpec& spec, const std::vector<Var>& in) {
  std::vector<Var> out = in;
  const size_t n = in.size();
  for (int axis = 0; axis < 2; ++axis) {
    const Var v = add(in[n - 2 + axis], int64_const(2 * spec.pad[axis]));
    const Var w = int64_const(spec.ws[axis]), st = int64_const(spec.stride[axis]);
    const Var one = int64_const(1), zero = int64_const(0);
    Var size;
    if (spec.ignore_border) {
      size = maximum(add(floor_divide(sub(v, w), st), one), zero);
    } else if (spec.stride[axis] >= spec.ws[axis]) {
      size = minimum(add(floor_divide(sub(v, one), st), one), v);
    } else {
      size = minimum(add(maximum(floor_divide(add(sub(sub(v, one), w), st), st), zero), one), v);
    }
    out[n - 2 + axis] = size;
  }
  return out;
}

void require_shape(const Op& op, const NDArray& a, const Shape& want, const std::string& what) {
  if (a.shape() != want) {
    throw ValueError(op_error(
        op, "expected " + what + " of shape " + shape_str(want) + ", got " + shape_str(a.shape())));
  }
}

void for_each_plane(const Planes& p, const std::function<void(int64_t)>& body) {
  const int64_t per_plane = std::max<int64_t>(1, p.h * p.w + p.oh * p.ow);
  const int64_t min_chunk = std::max<int64_t>(1, (int64_t{1} << 15) / per_plane);
  parallel_for(p.count, min_chunk, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) body(k);
  });
}

NDArray contiguous(const NDArray& a) {
  return a.is_c_contiguous() ? a : a.copy();
}

Planes planes_of(const PoolSpec& spec, const Shape& in) {
  const size_t n = in.size();
  Planes p{};
  p.count = checked_size(Shape(in.begin(), in.end() - 2), "pool");
  p.h = in[n - 2];
  p.w = in[n - 1];
  p.oh = spec.out_size(0, p.h);
  p.ow = spec.out_size(1, p.w);
  return p;
}

}  // namespace pool_detail
}  // namespace theon
