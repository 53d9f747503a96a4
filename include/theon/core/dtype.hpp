// Element types and NumPy 2 type promotion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace theon {

enum class DType : uint8_t {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  Float32,
  Float64,
};
inline constexpr int kNumDTypes = 11;

enum class DKind : uint8_t { Bool, Signed, Unsigned, Float };

size_t itemsize(DType dt);
std::string_view dtype_name(DType dt);
// Accepts NumPy names ("float32", "int64", "bool"); throws TypeError otherwise.
DType parse_dtype(std::string_view name);
DKind dtype_kind(DType dt);
inline bool is_float(DType dt) {
  return dtype_kind(dt) == DKind::Float;
}
inline bool is_integer(DType dt) {
  auto k = dtype_kind(dt);
  return k == DKind::Signed || k == DKind::Unsigned;
}
inline bool is_bool(DType dt) {
  return dt == DType::Bool;
}

// np.result_type for two arrays under NumPy 2 rules.
DType promote(DType a, DType b);
// np.can_cast(from, to, casting='safe').
bool can_cast_safe(DType from, DType to);
// The float type an integer is converted to by float functions (exp, sqrt, true division):
// small integers go to float32, the rest to float64 (NumPy would pick float16 for 8-bit ones).
DType upgrade_to_float(DType dt);

// The dtype a Python scalar takes when combined with an array of dtype `other` (NumPy 2 "weak"
// scalars): it adopts the array's dtype when of the same or a higher kind.
enum class PyScalarKind : uint8_t { Bool, Int, Float };
DType weak_scalar_dtype(PyScalarKind kind, DType other);
// The dtype a Python scalar has on its own (int -> int64, float -> float64).
DType default_scalar_dtype(PyScalarKind kind);

template <class T>
struct TypeTag {
  using type = T;
};

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<bool>() {
  return DType::Bool;
}
template <>
constexpr DType dtype_of<int8_t>() {
  return DType::Int8;
}
template <>
constexpr DType dtype_of<int16_t>() {
  return DType::Int16;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::Int32;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::Int64;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::UInt8;
}
template <>
constexpr DType dtype_of<uint16_t>() {
  return DType::UInt16;
}
template <>
constexpr DType dtype_of<uint32_t>() {
  return DType::UInt32;
}
template <>
constexpr DType dtype_of<uint64_t>() {
  return DType::UInt64;
}
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}

// Calls f(TypeTag<T>{}) with T the C++ type of `dt`.
template <class F>
decltype(auto) visit_dtype(DType dt, F&& f) {
  switch (dt) {
    case DType::Bool:
      return std::forward<F>(f)(TypeTag<bool>{});
    case DType::Int8:
      return std::forward<F>(f)(TypeTag<int8_t>{});
    case DType::Int16:
      return std::forward<F>(f)(TypeTag<int16_t>{});
    case DType::Int32:
      return std::forward<F>(f)(TypeTag<int32_t>{});
    case DType::Int64:
      return std::forward<F>(f)(TypeTag<int64_t>{});
    case DType::UInt8:
      return std::forward<F>(f)(TypeTag<uint8_t>{});
    case DType::UInt16:
      return std::forward<F>(f)(TypeTag<uint16_t>{});
    case DType::UInt32:
      return std::forward<F>(f)(TypeTag<uint32_t>{});
    case DType::UInt64:
      return std::forward<F>(f)(TypeTag<uint64_t>{});
    case DType::Float32:
      return std::forward<F>(f)(TypeTag<float>{});
    case DType::Float64:
      break;
  }
  return std::forward<F>(f)(TypeTag<double>{});
}

}  // namespace theon
