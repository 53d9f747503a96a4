// The reduce op family: Reduce (sum, prod, max, min, argmax, argmin, any, all over any set of
// axes), ReduceCount, Cumulative (cumsum, cumprod), the composites mean/var/std, and builders.
//
// Deliberate differences from NumPy:
// - A 0-d array has no axes: axis=0 or -1 on it raises (NumPy accepts them for reductions).
// - argmax/argmin accept several axes (as Theano does): the result is the C-order flat index
//   within the reduced axes.
// - float32 sums, products and cumulative ops accumulate in float64 (more accurate than NumPy's
//   pairwise float32 sums; results agree within float32 rounding).
#include "theon/ops/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "axis_lines.hpp"
#include "element_util.hpp"
#include "theon/core/error.hpp"
#include "theon/core/iterate.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/families.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

// ---------------------------------------------------------------------------------------------
// Axes

int64_t normalize_axis(const std::string& op, int64_t axis, int ndim) {
  if (axis < -ndim || axis >= ndim) {
    throw ValueError(op + ": axis " + std::to_string(axis) +
                     " is out of bounds for array of dimension " + std::to_string(ndim));
  }
  return axis < 0 ? axis + ndim : axis;
}

std::vector<int64_t> normalize_axes(const std::string& op,
                                    const std::optional<std::vector<int64_t>>& axis, int ndim) {
  std::vector<int64_t> out;
  if (!axis) {
    for (int i = 0; i < ndim; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : *axis) out.push_back(normalize_axis(op, a, ndim));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    throw ValueError(op + ": duplicate value in 'axis'");
  }
  return out;
}

namespace {

std::string axes_str(const std::vector<int64_t>& axes) {
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  if (axes.size() == 1) s += ",";
  return s + ")";
}

std::vector<bool> reduced_mask(const std::vector<int64_t>& axes, int ndim) {
  std::vector<bool> m(ndim, false);
  for (int64_t a : axes) m[a] = true;
  return m;
}

// Errors raised before a node exists carry the user's location as make_node's errors do.
[[noreturn]] void rethrow_located(const Error& e) {
  const std::string& where = current_location();
  if (where.empty()) throw;
  rethrow_with_message(e, std::string(e.what()) + "\n  (node built at " + where + ")");
}

template <class F>
auto located(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    rethrow_located(e);
  }
}

// The dtype sum, prod, cumsum and cumprod give.
DType sum_dtype(DType dt) {
  switch (dtype_kind(dt)) {
    case DKind::Bool:
    case DKind::Signed:
      return DType::Int64;
    case DKind::Unsigned:
      return DType::UInt64;
    case DKind::Float:
      break;
  }
  return dt;
}

// ---------------------------------------------------------------------------------------------
// Reduction policies: Acc is the accumulator type, init() its starting value and combine() folds
// one input element in. Integer sums and products wrap around like NumPy's.

template <class T>
struct SumAcc {
  using type = std::conditional_t<
      std::is_floating_point_v<T>, double,
      std::conditional_t<std::is_unsigned_v<T> && !std::is_same_v<T, bool>, uint64_t, int64_t>>;
};

template <class T>
struct SumPolicy {
  using Acc = typename SumAcc<T>::type;
  static Acc init() { return Acc(0); }
  static Acc combine(Acc a, Acc x) {
    if constexpr (std::is_integral_v<Acc>) {
      return static_cast<Acc>(static_cast<uint64_t>(a) + static_cast<uint64_t>(x));
    } else {
      return a + x;
    }
  }
  static Acc convert(T x) { return static_cast<Acc>(x); }
};

template <class T>
struct ProdPolicy {
  using Acc = typename SumAcc<T>::type;
  static Acc init() { return Acc(1); }
  static Acc combine(Acc a, Acc x) {
    if constexpr (std::is_integral_v<Acc>) {
      return static_cast<Acc>(static_cast<uint64_t>(a) * static_cast<uint64_t>(x));
    } else {
      return a * x;
    }
  }
  static Acc convert(T x) { return static_cast<Acc>(x); }
};

// max/min propagate NaN like np.maximum / np.minimum.
template <class T, bool kMax>
struct ExtremePolicy {
  using Acc = T;
  static Acc init() {
    if constexpr (std::is_floating_point_v<T>) {
      return kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    } else {
      return kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    }
  }
  static Acc combine(Acc a, Acc x) {
    if (is_nan(a)) return a;
    if (is_nan(x)) return x;
    if constexpr (kMax) {
      return x > a ? x : a;
    } else {
      return x < a ? x : a;
    }
  }
  static Acc convert(T x) { return x; }
};

template <class T, bool kAny>
struct LogicalPolicy {
  using Acc = bool;
  static Acc init() { return !kAny; }
  static Acc combine(Acc a, Acc x) { return kAny ? (a || x) : (a && x); }
  static Acc convert(T x) { return x != T(0); }
};

// One dimension of a reduction loop: its size, the input's byte stride, the accumulator's
// element stride (0 along reduced axes) and the stride of the flat index within the reduced
// axes (0 along kept axes; used by argmax/argmin).
struct RDim {
  int64_t n, s, a, r;
};

// Calls run(p, ai, ri, inner) once per innermost run.
template <class Run>
void for_each_rrun(const char* base, const std::vector<RDim>& dims, Run&& run) {
  if (dims.empty()) {
    run(base, int64_t{0}, int64_t{0}, RDim{1, 0, 0, 0});
    return;
  }
  const int k = static_cast<int>(dims.size()) - 1;
  const RDim inner = dims[k];
  std::vector<int64_t> cnt(k, 0);
  const char* p = base;
  int64_t ai = 0, ri = 0;
  while (true) {
    run(p, ai, ri, inner);
    int d = k - 1;
    for (; d >= 0; --d) {
      p += dims[d].s;
      ai += dims[d].a;
      ri += dims[d].r;
      if (++cnt[d] < dims[d].n) break;
      p -= dims[d].s * dims[d].n;
      ai -= dims[d].a * dims[d].n;
      ri -= dims[d].r * dims[d].n;
      cnt[d] = 0;
    }
    if (d < 0) return;
  }
}

template <class P, class T>
void reduce_fold(const char* base, const std::vector<RDim>& dims, typename P::Acc* acc) {
  using Acc = typename P::Acc;
  for_each_rrun(base, dims, [&](const char* p, int64_t ai, int64_t, const RDim& in) {
    const int64_t n = in.n, s = in.s;
    if (in.a == 0) {
      // Several partial results break the dependency chain (and pair up float sums a little).
      Acc v0 = P::init(), v1 = P::init(), v2 = P::init(), v3 = P::init();
      int64_t i = 0;
      for (; i + 4 <= n; i += 4) {
        v0 = P::combine(v0, P::convert(load<T>(p + i * s)));
        v1 = P::combine(v1, P::convert(load<T>(p + (i + 1) * s)));
        v2 = P::combine(v2, P::convert(load<T>(p + (i + 2) * s)));
        v3 = P::combine(v3, P::convert(load<T>(p + (i + 3) * s)));
      }
      for (; i < n; ++i) v0 = P::combine(v0, P::convert(load<T>(p + i * s)));
      acc[ai] = P::combine(acc[ai], P::combine(P::combine(v0, v1), P::combine(v2, v3)));
    } else {
      Acc* dst = acc + ai;
      for (int64_t i = 0; i < n; ++i) {
        dst[i * in.a] = P::combine(dst[i * in.a], P::convert(load<T>(p + i * s)));
      }
    }
  });
}

// argmax (kMax) / argmin: NaN wins, and among equal values the smallest flat index.
template <class T, bool kMax>
void arg_fold(const char* base, const std::vector<RDim>& dims, Storage<T>* best, int64_t* idx) {
  // Whether x at flat index r replaces the current best b at index id (id < 0: none yet).
  auto takes = [](T x, int64_t r, T b, int64_t id) {
    if (id < 0) return true;
    if (is_nan(b)) return is_nan(x) && r < id;
    if (is_nan(x)) return true;
    if (x == b) return r < id;
    return kMax ? (x > b) : (x < b);
  };
  for_each_rrun(base, dims, [&](const char* p, int64_t ai, int64_t ri, const RDim& in) {
    if (in.a == 0) {
      // The run's own first extreme (or first NaN): its flat indices increase along the run.
      T lb = load<T>(p);
      int64_t li = 0;
      if (!is_nan(lb)) {
        for (int64_t i = 1; i < in.n; ++i) {
          const T x = load<T>(p + i * in.s);
          if (kMax ? (x > lb) : (x < lb)) {
            lb = x;
            li = i;
          } else if (is_nan(x)) {
            lb = x;
            li = i;
            break;
          }
        }
      }
      const int64_t r = ri + li * in.r;
      if (takes(lb, r, static_cast<T>(best[ai]), idx[ai])) {
        best[ai] = static_cast<Storage<T>>(lb);
        idx[ai] = r;
      }
      return;
    }
    for (int64_t i = 0; i < in.n; ++i) {
      const T x = load<T>(p + i * in.s);
      const int64_t r = ri + i * in.r;
      const int64_t j = ai + i * in.a;
      if (takes(x, r, static_cast<T>(best[j]), idx[j])) {
        best[j] = static_cast<Storage<T>>(x);
        idx[j] = r;
      }
    }
  });
}

const char* kind_name(ReduceKind k) {
  switch (k) {
    case ReduceKind::Sum:
      return "Sum";
    case ReduceKind::Prod:
      return "Prod";
    case ReduceKind::Max:
      return "Max";
    case ReduceKind::Min:
      return "Min";
    case ReduceKind::Argmax:
      return "Argmax";
    case ReduceKind::Argmin:
      return "Argmin";
    case ReduceKind::Any:
      return "Any";
    case ReduceKind::All:
      break;
  }
  return "All";
}

DType reduce_dtype(ReduceKind k, DType in) {
  switch (k) {
    case ReduceKind::Sum:
    case ReduceKind::Prod:
      return sum_dtype(in);
    case ReduceKind::Argmax:
    case ReduceKind::Argmin:
      return DType::Int64;
    case ReduceKind::Any:
    case ReduceKind::All:
      return DType::Bool;
    default:
      return in;
  }
}

template <class P, class T>
void run_fold(const NDArray& x, const std::vector<RDim>& dims, NDArray& out, bool skip) {
  using Acc = typename P::Acc;
  const int64_t m = out.size();
  constexpr DType acc_dt = dtype_of<Acc>();
  if (acc_dt == out.dtype()) {
    Acc* acc = out.data<Acc>();
    std::fill(acc, acc + m, P::init());
    if (!skip) reduce_fold<P, T>(x.raw(), dims, acc);
  } else {
    std::unique_ptr<Storage<Acc>[]> buf(new Storage<Acc>[m > 0 ? m : 1]);
    Acc* acc = reinterpret_cast<Acc*>(buf.get());
    std::fill(acc, acc + m, P::init());
    if (!skip) reduce_fold<P, T>(x.raw(), dims, acc);
    convert_strided(acc_dt, reinterpret_cast<const char*>(acc), sizeof(Acc), out.dtype(), out.raw(),
                    static_cast<int64_t>(itemsize(out.dtype())), m);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reduce

Reduce::Reduce(ReduceKind kind, std::vector<int64_t> axes, bool keepdims)
    : kind_(kind), axes_(std::move(axes)), keepdims_(keepdims) {}

std::string Reduce::type_name() const {
  return kind_name(kind_);
}

Props Reduce::fields() const {
  return {{"axis", PropValue::ints(axes_)}, {"keepdims", PropValue::boolean(keepdims_)}};
}

std::string Reduce::props() const {
  return "axis=" + axes_str(axes_) + (keepdims_ ? ", keepdims=True" : "");
}

std::vector<TensorType> Reduce::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  for (int64_t a : axes_) {
    if (a < 0 || a >= t.ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(t.ndim())));
    }
  }
  const std::vector<bool> red = reduced_mask(axes_, t.ndim());
  StaticShape shape;
  for (int i = 0; i < t.ndim(); ++i) {
    if (!red[i]) {
      shape.push_back(t.shape[i]);
    } else if (keepdims_) {
      shape.push_back(1);
    }
  }
  return {TensorType(reduce_dtype(kind_, t.dtype), shape)};
}

void Reduce::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const int nd = x.ndim();
  for (int64_t a : axes_) {
    if (a >= nd) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(nd)));
    }
  }
  const std::vector<bool> red = reduced_mask(axes_, nd);
  Shape out_shape;
  int64_t reduced_count = 1;
  for (int i = 0; i < nd; ++i) {
    if (!red[i]) {
      out_shape.push_back(x.shape(i));
    } else {
      reduced_count *= x.shape(i);
      if (keepdims_) out_shape.push_back(1);
    }
  }
  if (reduced_count == 0) {
    switch (kind_) {
      case ReduceKind::Max:
      case ReduceKind::Min:
        throw ValueError(op_error(*this, std::string("zero-size array to reduction operation ") +
                                             (kind_ == ReduceKind::Max ? "maximum" : "minimum") +
                                             " which has no identity (input shape " +
                                             shape_str(x.shape()) + ")"));
      case ReduceKind::Argmax:
      case ReduceKind::Argmin:
        throw ValueError(op_error(*this, std::string("attempt to get ") +
                                             (kind_ == ReduceKind::Argmax ? "argmax" : "argmin") +
                                             " of an empty sequence (input shape " +
                                             shape_str(x.shape()) + ")"));
      default:
        break;
    }
  }
  NDArray& out = reuse_or_empty(outputs[0], reduce_dtype(kind_, x.dtype()), out_shape);

  // Loop dimensions: accumulator strides follow the C order of the kept axes, flat-index
  // strides the C order of the reduced axes.
  std::vector<RDim> dims(nd);
  int64_t astride = 1, rstride = 1;
  for (int i = nd - 1; i >= 0; --i) {
    dims[i] = {x.shape(i), x.strides()[i], 0, 0};
    if (red[i]) {
      dims[i].r = rstride;
      rstride *= x.shape(i);
    } else {
      dims[i].a = astride;
      astride *= x.shape(i);
    }
  }
  const bool skip = x.size() == 0;
  // Drop size-1 dimensions, order by decreasing |stride| (memory order), merge where possible.
  std::erase_if(dims, [](const RDim& d) { return d.n == 1; });
  std::stable_sort(dims.begin(), dims.end(),
                   [](const RDim& a, const RDim& b) { return std::abs(a.s) > std::abs(b.s); });
  std::vector<RDim> merged;
  for (const RDim& d : dims) {
    if (!merged.empty()) {
      RDim& o = merged.back();
      if (o.s == d.s * d.n && o.a == d.a * d.n && o.r == d.r * d.n) {
        o = {o.n * d.n, d.s, d.a, d.r};
        continue;
      }
    }
    merged.push_back(d);
  }

  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (kind_) {
      case ReduceKind::Sum:
        run_fold<SumPolicy<T>, T>(x, merged, out, skip);
        break;
      case ReduceKind::Prod:
        run_fold<ProdPolicy<T>, T>(x, merged, out, skip);
        break;
      case ReduceKind::Max:
        run_fold<ExtremePolicy<T, true>, T>(x, merged, out, skip);
        break;
      case ReduceKind::Min:
        run_fold<ExtremePolicy<T, false>, T>(x, merged, out, skip);
        break;
      case ReduceKind::Any:
        run_fold<LogicalPolicy<T, true>, T>(x, merged, out, skip);
        break;
      case ReduceKind::All:
        run_fold<LogicalPolicy<T, false>, T>(x, merged, out, skip);
        break;
      case ReduceKind::Argmax:
      case ReduceKind::Argmin: {
        const int64_t m = out.size();
        int64_t* idx = out.data<int64_t>();
        std::fill(idx, idx + m, int64_t{-1});
        if (skip) break;
        std::unique_ptr<Storage<T>[]> best(new Storage<T>[m > 0 ? m : 1]);
        if (kind_ == ReduceKind::Argmax) {
          arg_fold<T, true>(x.raw(), merged, best.get(), idx);
        } else {
          arg_fold<T, false>(x.raw(), merged, best.get(), idx);
        }
        break;
      }
    }
  });
}

std::shared_ptr<const Reduce> make_reduce_op(ReduceKind kind, std::vector<int64_t> axes,
                                             bool keepdims) {
  switch (kind) {
    case ReduceKind::Sum:
      return std::make_shared<ReduceOf<ReduceKind::Sum>>(axes, keepdims);
    case ReduceKind::Prod:
      return std::make_shared<ReduceOf<ReduceKind::Prod>>(axes, keepdims);
    case ReduceKind::Max:
      return std::make_shared<ReduceOf<ReduceKind::Max>>(axes, keepdims);
    case ReduceKind::Min:
      return std::make_shared<ReduceOf<ReduceKind::Min>>(axes, keepdims);
    case ReduceKind::Argmax:
      return std::make_shared<ReduceOf<ReduceKind::Argmax>>(axes, keepdims);
    case ReduceKind::Argmin:
      return std::make_shared<ReduceOf<ReduceKind::Argmin>>(axes, keepdims);
    case ReduceKind::Any:
      return std::make_shared<ReduceOf<ReduceKind::Any>>(axes, keepdims);
    case ReduceKind::All:
      break;
  }
  return std::make_shared<ReduceOf<ReduceKind::All>>(axes, keepdims);
}

// ---------------------------------------------------------------------------------------------
// ReduceCount

ReduceCount::ReduceCount(std::vector<int64_t> axes, int64_t ddof)
    : axes_(std::move(axes)), ddof_(ddof) {}

Props ReduceCount::fields() const {
  return {{"axis", PropValue::ints(axes_)}, {"ddof", PropValue::integer(ddof_)}};
}

std::string ReduceCount::props() const {
  return "axis=" + axes_str(axes_) + (ddof_ ? ", ddof=" + std::to_string(ddof_) : "");
}

std::vector<TensorType> ReduceCount::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  for (int64_t a : axes_) {
    if (a < 0 || a >= inputs[0]->type.ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(inputs[0]->type.ndim())));
    }
  }
  return {TensorType(DType::Int64, {})};
}

void ReduceCount::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  int64_t n = 1;
  for (int64_t a : axes_) {
    if (a >= inputs[0].ndim()) {
      throw ValueError(op_error(*this, "axis " + std::to_string(a) +
                                           " is out of bounds for array of dimension " +
                                           std::to_string(inputs[0].ndim())));
    }
    n *= inputs[0].shape(static_cast<int>(a));
  }
  NDArray& out = reuse_or_empty(outputs[0], DType::Int64, {});
  *out.data<int64_t>() = std::max<int64_t>(n - ddof_, 0);
}

// ---------------------------------------------------------------------------------------------
// Cumulative

namespace {

template <class P, class T>
void cumulate_line(const char* src, int64_t ss, char* dst, int64_t n) {
  using Acc = typename P::Acc;
  using O = std::conditional_t<std::is_floating_point_v<T>, T, Acc>;
  O* o = reinterpret_cast<O*>(dst);
  Acc a = P::init();
  for (int64_t i = 0; i < n; ++i) {
    a = P::combine(a, P::convert(load<T>(src + i * ss)));
    o[i] = static_cast<O>(a);
  }
}

}  // namespace

Cumulative::Cumulative(bool product, std::optional<int64_t> axis)
    : product_(product), axis_(axis) {}

Props Cumulative::fields() const {
  return {{"axis", PropValue::optional_int(axis_)}};
}

std::vector<TensorType> Cumulative::output_types(const std::vector<Var>& inputs) const {
  if (inputs.size() != 1) {
    throw TypeError(op_error(*this, "expected 1 input, got " + std::to_string(inputs.size())));
  }
  const TensorType& t = inputs[0]->type;
  const DType dt = sum_dtype(t.dtype);
  return {TensorType(dt, line_op_shape(*this, t, axis_))};
}

void Cumulative::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const NDArray& x = inputs[0];
  const DType dt = sum_dtype(x.dtype());
  const AxisLines lines = axis_lines(*this, x, axis_);
  NDArray& out = reuse_or_empty(outputs[0], dt, lines.out_shape);
  // A line is written to a contiguous scratch when the output's axis stride is not one element.
  const int64_t isz = static_cast<int64_t>(itemsize(dt));
  std::vector<char> scratch;
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for_each_line(lines, out, [&](const char* p, int64_t ss, char* o, int64_t os, int64_t len) {
      if (os != isz) scratch.resize(len * isz);
      char* dst = os == isz ? o : scratch.data();
      if (product_) {
        cumulate_line<ProdPolicy<T>, T>(p, ss, dst, len);
      } else {
        cumulate_line<SumPolicy<T>, T>(p, ss, dst, len);
      }
      if (os != isz) convert_strided(dt, scratch.data(), isz, dt, o, os, len);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Symbolic shapes (see Op::infer_shape)

std::optional<std::vector<std::vector<Var>>> Reduce::infer_shape(
    const std::vector<Var>& inputs, const std::vector<std::vector<Var>>& input_shapes) const {
  const std::vector<bool> red = reduced_mask(axes_, inputs[0]->type.ndim());
  std::vector<Var> out;
  for (size_t i = 0; i < red.size(); ++i) {
    if (!red[i]) {
      out.push_back(input_shapes[0][i]);
    } else if (keepdims_) {
      out.push_back(int64_const(1));
    }
  }
  return std::vector<std::vector<Var>>{out};
}

std::optional<std::vector<std::vector<Var>>> ReduceCount::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>&) const {
  return std::vector<std::vector<Var>>{{}};  // a 0-d output
}

std::optional<std::vector<std::vector<Var>>> Cumulative::infer_shape(
    const std::vector<Var>&, const std::vector<std::vector<Var>>& input_shapes) const {
  if (axis_) return std::vector<std::vector<Var>>{input_shapes[0]};
  return std::vector<std::vector<Var>>{{dims_product(input_shapes[0])}};
}

// ---------------------------------------------------------------------------------------------
// C++ API

namespace {

Var reduce(ReduceKind kind, const char* name, const Var& x, const OptAxes& axis, bool keepdims) {
  auto axes = located([&] { return normalize_axes(name, axis, x->type.ndim()); });
  return make_node1(make_reduce_op(kind, std::move(axes), keepdims), {x});
}

Var as_float(const Var& x) {
  return is_float(x->type.dtype) ? x : cast(x, DType::Float64);
}

}  // namespace

Var sum(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Sum, "sum", x, axis, keepdims);
}
Var prod(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Prod, "prod", x, axis, keepdims);
}
Var max(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Max, "max", x, axis, keepdims);
}
Var min(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Min, "min", x, axis, keepdims);
}
Var argmax(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Argmax, "argmax", x, axis, keepdims);
}
Var argmin(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Argmin, "argmin", x, axis, keepdims);
}
Var any(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::Any, "any", x, axis, keepdims);
}
Var all(const Var& x, OptAxes axis, bool keepdims) {
  return reduce(ReduceKind::All, "all", x, axis, keepdims);
}

Var reduce_count(const Var& x, OptAxes axis, int64_t ddof, DType dtype) {
  auto axes = located([&] { return normalize_axes("reduce_count", axis, x->type.ndim()); });
  int64_t n = 1;
  for (int64_t a : axes) {
    const int64_t d = x->type.shape[a];
    if (d == kUnknownDim) {
      Var c = make_node1(std::make_shared<ReduceCount>(std::move(axes), ddof), {x});
      return cast(c, dtype);
    }
    n *= d;
  }
  return scalar_constant(static_cast<double>(std::max<int64_t>(n - ddof, 0)), dtype);
}

Var mean(const Var& x, OptAxes axis, bool keepdims) {
  located([&] { return normalize_axes("mean", axis, x->type.ndim()); });
  Var s = sum(as_float(x), axis, keepdims);
  return true_divide(s, reduce_count(x, axis, 0, s->type.dtype));
}

Var var(const Var& x, OptAxes axis, bool keepdims, int64_t ddof) {
  located([&] { return normalize_axes("var", axis, x->type.ndim()); });
  Var xf = as_float(x);
  Var m = mean(xf, axis, true);
  Var d = sub(xf, m);
  Var s = sum(mul(d, d), axis, keepdims);
  return true_divide(s, reduce_count(x, axis, ddof, s->type.dtype));
}

Var std(const Var& x, OptAxes axis, bool keepdims, int64_t ddof) {
  located([&] { return normalize_axes("std", axis, x->type.ndim()); });
  return elemwise("sqrt", {var(x, axis, keepdims, ddof)});
}

Var cumsum(const Var& x, std::optional<int64_t> axis) {
  std::optional<int64_t> a;
  if (axis) a = located([&] { return normalize_axis("cumsum", *axis, x->type.ndim()); });
  return make_node1(std::make_shared<CumulativeOf<false>>(a), {x});
}

Var cumprod(const Var& x, std::optional<int64_t> axis) {
  std::optional<int64_t> a;
  if (axis) a = located([&] { return normalize_axis("cumprod", *axis, x->type.ndim()); });
  return make_node1(std::make_shared<CumulativeOf<true>>(a), {x});
}

// ---------------------------------------------------------------------------------------------
// Gradients (see reduce.hpp for the formulas). Every gradient is a graph of other ops.

namespace {

// `v`, shaped like a reduction's output, with the reduced axes put back as size-1 dimensions.
Var restore_reduced(const Var& v, const std::vector<int64_t>& axes, bool keepdims) {
  if (keepdims || axes.empty()) return v;
  return expand_dims(v, axes);
}

// A float mask (0 or 1) of dtype `dt` from a bool variable. Its gradient stops at the bool.
Var float_mask(const Var& b, DType dt) {
  return cast(b, dt);
}

// v reversed along `axis`.
Var flip(const Var& v, int64_t axis) {
  std::vector<Index> key(axis, idx::all());
  key.push_back(idx::slice({}, {}, -1));
  return getitem(v, key);
}

// sum_{j >= i} v_j along `axis`.
Var reverse_cumsum(const Var& v, int64_t axis) {
  return flip(cumsum(flip(v, axis), axis), axis);
}

}  // namespace

std::vector<Var> Reduce::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                              const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& g = output_grads[0];
  if (!is_float(x->type.dtype) || !g) return {nullptr};
  const DType dt = x->type.dtype;
  const Var ge = restore_reduced(g, axes_, keepdims_);
  switch (kind_) {
    case ReduceKind::Sum:
      // g broadcast over the reduced axes (fill keeps g's dtype).
      return {fill(x, ge)};
    case ReduceKind::Prod: {
      // Product of the other elements of each group, without dividing by zero: xs is x with
      // its zeros replaced by 1, pnz the product of the group's non-zero elements; pnz / xs is
      // the product of the others wherever no OTHER element is zero, and 0 is the answer where
      // one is.
      const Var is_zero = equal(x, 0.0);
      const Var xs = add(x, float_mask(is_zero, dt));
      const Var pnz = prod(xs, axes_, true);
      const Var zeros_in_group = sum(is_zero, axes_, true);
      const Var no_other_zero = equal(sub(zeros_in_group, is_zero), 0.0);
      return {mul(mul(ge, true_divide(pnz, xs)), float_mask(no_other_zero, dt))};
    }
    case ReduceKind::Max:
    case ReduceKind::Min: {
      // Every element equal to the result (all of them on ties) gets the whole gradient.
      const Var hit = equal(x, restore_reduced(outputs[0], axes_, keepdims_));
      return {mul(ge, float_mask(hit, dt))};
    }
    default:
      // argmax, argmin, any, all: integer or bool outputs carry no gradient.
      return {nullptr};
  }
}

std::vector<Var> ReduceCount::L_op(const std::vector<Var>&, const std::vector<Var>&,
                                   const std::vector<Var>&) const {
  return {nullptr};  // depends on the shape only
}

std::vector<Var> Cumulative::L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                  const std::vector<Var>& output_grads) const {
  const Var& x = inputs[0];
  const Var& g = output_grads[0];
  if (!is_float(x->type.dtype) || !g) return {nullptr};
  const DType dt = x->type.dtype;
  // axis = None works on the C-order flattening, whose gradient is reshaped back at the end.
  const int64_t axis = axis_ ? *axis_ : 0;
  const bool flat = !axis_ && x->type.ndim() != 1;
  Var gx;
  if (!product_) {
    gx = reverse_cumsum(g, axis);
  } else {
    const Var xf = flat ? flatten(x, 1) : x;
    const Var& out = outputs[0];
    // Zero-safe: z is the first zero of a line. Before z, revcumsum(g * out) / x is exact (out
    // vanishes from z on, and x != 0); after z it is 0, as it should (every product contains
    // x_z); at z it is 0 too, and the right value is revcumsum(g * cumprod(w))_z with w = x
    // where x_z is replaced by 1 (the product of the others).
    const Var is_zero = equal(xf, 0.0);
    const Var zero_mask = float_mask(is_zero, dt);
    const Var first_zero = logical_and(is_zero, equal(cumsum(is_zero, axis), 1.0));
    const Var first_mask = float_mask(first_zero, dt);
    const Var before = true_divide(reverse_cumsum(mul(g, out), axis), add(xf, zero_mask));
    const Var others = cumprod(add(xf, first_mask), axis);
    gx = add(before, mul(reverse_cumsum(mul(g, others), axis), first_mask));
  }
  if (flat) gx = reshape(gx, shape(x));
  return {gx};
}

// ---------------------------------------------------------------------------------------------
// Builders

namespace {

std::optional<int64_t> optional_axis(const Params& p) {
  if (!p.has("axis")) return std::nullopt;
  return p.get_int("axis");
}

}  // namespace

namespace {

void register_reduce_factories() {
  for (ReduceKind kind :
       {ReduceKind::Sum, ReduceKind::Prod, ReduceKind::Max, ReduceKind::Min, ReduceKind::Argmax,
        ReduceKind::Argmin, ReduceKind::Any, ReduceKind::All}) {
    register_op_factory(kind_name(kind), [kind](const PropReader& f) -> OpPtr {
      return make_reduce_op(kind, f.get_sorted_axes("axis"), f.get_bool("keepdims"));
    });
  }
  register_op_factory("ReduceCount", [](const PropReader& f) -> OpPtr {
    return std::make_shared<ReduceCount>(f.get_sorted_axes("axis"), f.get_int("ddof"));
  });
  register_op_factory("CumSum", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CumulativeOf<false>>(f.get_optional_int("axis"));
  });
  register_op_factory("CumProd", [](const PropReader& f) -> OpPtr {
    return std::make_shared<CumulativeOf<true>>(f.get_optional_int("axis"));
  });
}

}  // namespace

void register_reduce_ops() {
  using Fn = Var (*)(const Var&, OptAxes, bool);
  const std::pair<const char*, Fn> plain[] = {
      {"sum", &sum},       {"prod", &prod}, {"max", &max}, {"min", &min},   {"argmax", &argmax},
      {"argmin", &argmin}, {"any", &any},   {"all", &all}, {"mean", &mean},
  };
  for (const auto& [name, fn] : plain) {
    register_builder(name, 1, 1, [fn = fn](const std::vector<Var>& in, const Params& p) {
      return std::vector<Var>{
          fn(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false))};
    });
  }
  register_builder("var", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{var(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false),
                                p.get_int("ddof", 0))};
  });
  register_builder("std", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{std(in[0], p.get_optional_ints("axis"), p.get_bool("keepdims", false),
                                p.get_int("ddof", 0))};
  });
  register_builder("reduce_count", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{
        reduce_count(in[0], p.get_optional_ints("axis"), p.get_int("ddof", 0), DType::Int64)};
  });
  register_builder("cumsum", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cumsum(in[0], optional_axis(p))};
  });
  register_builder("cumprod", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    return std::vector<Var>{cumprod(in[0], optional_axis(p))};
  });
  register_reduce_factories();
}

}  // namespace theon
