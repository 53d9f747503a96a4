#include "theon/core/dtype.hpp"

#include <algorithm>

#include "theon/core/error.hpp"

namespace theon {

std::optional<DType> find_dtype(DKind kind, size_t size) {
  for (const DTypeInfo& row : kDTypeTable) {
    if (row.kind == kind && row.itemsize == size) return row.dtype;
  }
  return std::nullopt;
}

DType parse_dtype(std::string_view name) {
  for (const DTypeInfo& row : kDTypeTable) {
    if (row.name == name) return row.dtype;
  }
  if (name == "float" || name == "double") return DType::Float64;
  if (name == "int") return DType::Int64;
  std::string known;
  for (const DTypeInfo& row : kDTypeTable) {
    known += (known.empty() ? "" : ", ") + std::string(row.name);
  }
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
  return *find_dtype(DKind::Signed, std::max(itemsize(s), 2 * itemsize(u)));
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
