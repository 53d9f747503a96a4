#include "theon/core/iterate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace theon {

LoopPlan plan_loop(const Shape& shape, const std::vector<const NDArray*>& operands) {
  const int nd = static_cast<int>(shape.size());
  const size_t nops = operands.size();
  // st[k * nd + i]: operand k's stride along dimension i (0 where it broadcasts); one block,
  // as this runs once per kernel call.
  std::vector<int64_t> st(nops * static_cast<size_t>(nd), 0);
  auto stride = [&](size_t k, int i) -> int64_t& { return st[k * static_cast<size_t>(nd) + i]; };
  for (size_t k = 0; k < nops; ++k) {
    const NDArray& a = *operands[k];
    const int off = nd - a.ndim();
    for (int i = 0; i < a.ndim(); ++i) {
      if (a.shape(i) != 1 || shape[off + i] == 1) stride(k, off + i) = a.strides()[i];
    }
  }
  // Loop order: dimensions by decreasing largest stride, so the innermost loop walks memory in
  // small steps whatever the operands' layouts (a transposed input, a reduction over the last
  // axis); stable, so C order is kept among equals.
  std::vector<std::pair<int64_t, int>> order;  // (key, dimension)
  order.reserve(static_cast<size_t>(nd));
  for (int i = 0; i < nd; ++i) {
    if (shape[i] == 1) continue;  // size-1 dims contribute nothing to the loop
    int64_t key = 0;
    for (size_t k = 0; k < nops; ++k) key = std::max(key, std::abs(stride(k, i)));
    order.emplace_back(key, i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  LoopPlan plan;
  plan.strides.assign(nops, {});
  for (auto& s : plan.strides) s.reserve(order.empty() ? 1 : order.size());
  plan.shape.reserve(order.empty() ? 1 : order.size());
  for (const auto& [key, i] : order) {
    bool merge = !plan.shape.empty();
    for (size_t k = 0; k < nops && merge; ++k) {
      merge = plan.strides[k].back() == stride(k, i) * shape[i];
    }
    if (merge) {
      plan.shape.back() *= shape[i];
      for (size_t k = 0; k < nops; ++k) plan.strides[k].back() = stride(k, i);
    } else {
      plan.shape.push_back(shape[i]);
      for (size_t k = 0; k < nops; ++k) plan.strides[k].push_back(stride(k, i));
    }
  }
  if (plan.shape.empty() && shape_size(shape) == 1) {
    plan.shape.push_back(1);
    for (size_t k = 0; k < nops; ++k) plan.strides[k].push_back(0);
  }
  return plan;
}

namespace {

template <class To, class From>
To convert_value(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    // Out-of-range and NaN conversions are undefined in C++; give NumPy's x86 result instead.
    if (!(v >= static_cast<From>(std::numeric_limits<int64_t>::min()) &&
          v < static_cast<From>(9.2233720368547758e18))) {
      if constexpr (std::is_unsigned_v<To>) {
        if (v >= 0 && v < static_cast<From>(1.8446744073709552e19)) {
          return static_cast<To>(static_cast<uint64_t>(v));
        }
      }
      return static_cast<To>(std::numeric_limits<int64_t>::min());
    }
    return static_cast<To>(static_cast<int64_t>(v));
  } else {
    return static_cast<To>(v);
  }
}

template <class From, class To>
void convert_loop(const char* src, int64_t ss, char* dst, int64_t ds, int64_t n) {
  if (ss == sizeof(From) && ds == sizeof(To)) {
    if constexpr (std::is_same_v<From, To>) {
      // The C library's copy uses the widest vectors the machine has; this file is built for
      // the baseline.
      std::memmove(dst, src, static_cast<size_t>(n) * sizeof(To));
      return;
    }
    const From* s = reinterpret_cast<const From*>(src);
    To* d = reinterpret_cast<To*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = convert_value<To>(s[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    *reinterpret_cast<To*>(dst + i * ds) =
        convert_value<To>(*reinterpret_cast<const From*>(src + i * ss));
  }
}

using ConvertFn = void (*)(const char*, int64_t, char*, int64_t, int64_t);

template <class From>
constexpr std::array<ConvertFn, kNumDTypes> row() {
  return {
      &convert_loop<From, bool>,     &convert_loop<From, int8_t>,   &convert_loop<From, int16_t>,
      &convert_loop<From, int32_t>,  &convert_loop<From, int64_t>,  &convert_loop<From, uint8_t>,
      &convert_loop<From, uint16_t>, &convert_loop<From, uint32_t>, &convert_loop<From, uint64_t>,
      &convert_loop<From, float>,    &convert_loop<From, double>};
}

constexpr std::array<std::array<ConvertFn, kNumDTypes>, kNumDTypes> kConvert{
    row<bool>(),     row<int8_t>(),  row<int16_t>(),  row<int32_t>(),
    row<int64_t>(),  row<uint8_t>(), row<uint16_t>(), row<uint32_t>(),
    row<uint64_t>(), row<float>(),   row<double>()};

}  // namespace

void convert_strided(DType from, const char* src, int64_t src_stride, DType to, char* dst,
                     int64_t dst_stride, int64_t n) {
  kConvert[static_cast<size_t>(from)][static_cast<size_t>(to)](src, src_stride, dst, dst_stride, n);
}

}  // namespace theon
