#include "theon/core/dtype.hpp"

#include <algorithm>
#include <array>

#include "theon/core/error.hpp"

namespace theon {
namespace {

struct DTypeInfo {
  std::string_view name;
  size_t size;
  DKind kind;
};

constexpr std::array<DTypeInfo, kNumDTypes> kInfo{{
    {"bool", 1, DKind::Bool},
    {"int8", 1, DKind::Signed},
    {"int16", 2, DKind::Signed},
    {"int32", 4, DKind::Signed},
    {"int64", 8, DKind::Signed},
    {"uint8", 1, DKind::Unsigned},
    {"uint16", 2, DKind::Unsigned},
    {"uint32", 4, DKind::Unsigned},
    {"uint64", 8, DKind::Unsigned},
    {"float32", 4, DKind::Float},
    {"float64", 8, DKind::Float},
}};

const DTypeInfo& info(DType dt) {
  return kInfo[static_cast<size_t>(dt)];
}

DType signed_of_size(size_t size) {
  switch (size) {
    case 1:
      return DType::Int8;
    case 2:
      return DType::Int16;
    case 4:
      return DType::Int32;
    default:
      return DType::Int64;
  }
}

}  // namespace

size_t itemsize(DType dt) {
  return info(dt).size;
}
std::string_view dtype_name(DType dt) {
  return info(dt).name;
}
DKind dtype_kind(DType dt) {
  return info(dt).kind;
}

DType parse_dtype(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i) {
    if (kInfo[i].name == name) return static_cast<DType>(i);
  }
  if (name == "float" || name == "double") return DType::Float64;
  if (name == "int") return DType::Int64;
  std::string known;
  for (const auto& i : kInfo) known += (known.empty() ? "" : ", ") + std::string(i.name);
  throw TypeError("unknown dtype '" + std::string(name) + "'; expected one of " + known);
}

DType promote(DType a, DType b) {
  if (a == b) return a;
  DKind ka = dtype_kind(a), kb = dtype_kind(b);
  if (ka == DKind::Bool) return b;
  if (kb == DKind::Bool) return a;
  if (ka == kb) return itemsize(a) >= itemsize(b) ? a : b;
  if (ka == DKind::Float || kb == DKind::Float) {
    DType f = ka == DKind::Float ? a : b;
    DType i = ka == DKind::Float ? b : a;
    if (f == DType::Float64) return f;
    return itemsize(i) <= 2 ? DType::Float32 : DType::Float64;
  }
  DType s = ka == DKind::Signed ? a : b;
  DType u = ka == DKind::Signed ? b : a;
  if (u == DType::UInt64) return DType::Float64;
  return signed_of_size(std::max(itemsize(s), 2 * itemsize(u)));
}

bool can_cast_safe(DType from, DType to) {
  return promote(from, to) == to;
}

DType upgrade_to_float(DType dt) {
  if (is_float(dt)) return dt;
  return itemsize(dt) <= 2 ? DType::Float32 : DType::Float64;
}

DType weak_scalar_dtype(PyScalarKind kind, DType other) {
  DKind k = dtype_kind(other);
  switch (kind) {
    case PyScalarKind::Bool:
      return other;
    case PyScalarKind::Int:
      return k == DKind::Bool ? DType::Int64 : other;
    case PyScalarKind::Float:
      return k == DKind::Float ? other : DType::Float64;
  }
  return other;
}

DType default_scalar_dtype(PyScalarKind kind) {
  switch (kind) {
    case PyScalarKind::Bool:
      return DType::Bool;
    case PyScalarKind::Int:
      return DType::Int64;
    case PyScalarKind::Float:
      return DType::Float64;
  }
  return DType::Float64;
}

}  // namespace theon
