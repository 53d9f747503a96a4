// Element types and NumPy 2 type promotion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
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

// Everything Theon knows about a dtype as data, one row per DType (kDTypeTable[int(dt)]).
// Whatever maps a dtype to a name, size or code reads its row; only visit_dtype (dispatch to
// C++ types) switches on DType.
struct DTypeInfo {
  DType dtype;
  std::string_view name;  // NumPy's name
  size_t itemsize;
  DKind kind;
  char numpy_kind;    // np.dtype.kind: b, i, u, f
  char numpy_char;    // np.dtype.char on this platform
  int numpy_typenum;  // np.dtype.num on this platform (NPY_TYPES)
  // Type names for generated code, as C strings since emitters concatenate them.
  const char* c_name;       // C++ in generated CPU code (<cstdint> names)
  const char* opencl_name;  // OpenCL C; bool is stored as uchar (bool buffers are not allowed)
  const char* cuda_name;    // CUDA C++ under NVRTC (no <cstdint> by default)
};

namespace dtype_detail {
// NumPy numbers its C types (NPY_BYTE = 1 ... NPY_DOUBLE = 12); the sized names (int32, int64)
// map to `long` where it has their size, so their number and char depend on the platform.
inline constexpr bool kLong32 = sizeof(long) == 4;
inline constexpr bool kLong64 = sizeof(long) == 8;
}  // namespace dtype_detail

inline constexpr DTypeInfo kDTypeTable[] = {
    {DType::Bool, "bool", 1, DKind::Bool, 'b', '?', 0, "bool", "uchar", "bool"},
    {DType::Int8, "int8", 1, DKind::Signed, 'i', 'b', 1, "int8_t", "char", "signed char"},
    {DType::Int16, "int16", 2, DKind::Signed, 'i', 'h', 3, "int16_t", "short", "short"},
    {DType::Int32, "int32", 4, DKind::Signed, 'i', dtype_detail::kLong32 ? 'l' : 'i',
     dtype_detail::kLong32 ? 7 : 5, "int32_t", "int", "int"},
    {DType::Int64, "int64", 8, DKind::Signed, 'i', dtype_detail::kLong64 ? 'l' : 'q',
     dtype_detail::kLong64 ? 7 : 9, "int64_t", "long", "long long"},
    {DType::UInt8, "uint8", 1, DKind::Unsigned, 'u', 'B', 2, "uint8_t", "uchar", "unsigned char"},
    {DType::UInt16, "uint16", 2, DKind::Unsigned, 'u', 'H', 4, "uint16_t", "ushort",
     "unsigned short"},
    {DType::UInt32, "uint32", 4, DKind::Unsigned, 'u', dtype_detail::kLong32 ? 'L' : 'I',
     dtype_detail::kLong32 ? 8 : 6, "uint32_t", "uint", "unsigned int"},
    {DType::UInt64, "uint64", 8, DKind::Unsigned, 'u', dtype_detail::kLong64 ? 'L' : 'Q',
     dtype_detail::kLong64 ? 8 : 10, "uint64_t", "ulong", "unsigned long long"},
    {DType::Float32, "float32", 4, DKind::Float, 'f', 'f', 11, "float", "float", "float"},
    {DType::Float64, "float64", 8, DKind::Float, 'f', 'd', 12, "double", "double", "double"},
};
static_assert(std::size(kDTypeTable) == kNumDTypes);
static_assert(
    [] {
      for (int i = 0; i < kNumDTypes; ++i) {
        if (kDTypeTable[i].dtype != static_cast<DType>(i)) return false;
      }
      return true;
    }(),
    "kDTypeTable rows must be in DType order");

constexpr const DTypeInfo& dtype_info(DType dt) {
  return kDTypeTable[static_cast<size_t>(dt)];
}
constexpr size_t itemsize(DType dt) {
  return dtype_info(dt).itemsize;
}
constexpr std::string_view dtype_name(DType dt) {
  return dtype_info(dt).name;
}
constexpr DKind dtype_kind(DType dt) {
  return dtype_info(dt).kind;
}
// The dtype of a kind and item size (int32 for Signed, 4), if Theon has one.
std::optional<DType> find_dtype(DKind kind, size_t itemsize);
// Accepts NumPy names ("float32", "int64", "bool"); throws TypeError otherwise.
DType parse_dtype(std::string_view name);
constexpr bool is_float(DType dt) {
  return dtype_kind(dt) == DKind::Float;
}
constexpr bool is_integer(DType dt) {
  auto k = dtype_kind(dt);
  return k == DKind::Signed || k == DKind::Unsigned;
}
constexpr bool is_bool(DType dt) {
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
