#include "theon/graph/type.hpp"

#include "theon/core/error.hpp"

namespace theon {

std::vector<bool> Type::broadcastable() const {
  std::vector<bool> b;
  for (int64_t d : shape) b.push_back(d == 1);
  return b;
}

std::string static_shape_str(const StaticShape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += s[i] == kUnknownDim ? "None" : std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

Type Type::on(Device d) const {
  Type t = *this;
  t.device = d;
  return t;
}

namespace {

// Both dense tensors, or both of equal value kinds.
bool same_kind(const Type& a, const Type& b) {
  if (!a.value_kind || !b.value_kind) return a.value_kind == b.value_kind;
  return a.value_kind->equals(*b.value_kind);
}

}  // namespace

bool Type::operator==(const Type& o) const {
  return dtype == o.dtype && shape == o.shape && device == o.device && same_kind(*this, o);
}

std::string Type::str() const {
  const std::string where = device.is_cpu() ? "" : ", device=" + device.str();
  const std::string name = value_kind ? value_kind->name() + "Type" : "TensorType";
  return name + "(" + std::string(dtype_name(dtype)) + ", shape=" + static_shape_str(shape) +
         where + ")";
}

std::string Type::short_str() const {
  static const char* kNames[] = {"scalar",  "vector",  "matrix",  "tensor3",
                                 "tensor4", "tensor5", "tensor6", "tensor7"};
  std::string kind;
  bool plain = true;
  for (int64_t d : shape) plain = plain && d == kUnknownDim;
  if (plain && ndim() < 8) {
    kind = kNames[ndim()];
  } else if (ndim() == 2 && shape[0] == 1 && shape[1] == kUnknownDim) {
    kind = "row";
  } else if (ndim() == 2 && shape[0] == kUnknownDim && shape[1] == 1) {
    kind = "col";
  } else {
    kind = static_shape_str(shape);
  }
  if (value_kind) kind = value_kind->name() + " " + kind;
  std::string s = std::string(dtype_name(dtype)) + ", " + kind;
  return device.is_cpu() ? s : s + ", " + device.str();
}

bool Type::compatible_with(const Type& o) const {
  if (dtype != o.dtype || ndim() != o.ndim() || device != o.device || !same_kind(*this, o)) {
    return false;
  }
  for (int i = 0; i < ndim(); ++i) {
    if (shape[i] != kUnknownDim && o.shape[i] != kUnknownDim && shape[i] != o.shape[i])
      return false;
  }
  return true;
}

bool Type::accepts_shape(const Shape& s) const {
  return shape_mismatch(s).empty();
}

std::string Type::shape_mismatch(const Shape& s) const {
  if (static_cast<int>(s.size()) != ndim()) {
    return "expected " + std::to_string(ndim()) + " dimensions, got " + std::to_string(s.size()) +
           " (shape " + shape_str(s) + ")";
  }
  for (int i = 0; i < ndim(); ++i) {
    if (shape[i] != kUnknownDim && shape[i] != s[i]) {
      return "expected shape " + static_shape_str(shape) + ", got " + shape_str(s) +
             " (dimension " + std::to_string(i) + ")";
    }
  }
  return "";
}

std::string Type::value_mismatch(const Value& value) const {
  if (value_kind) return value_kind->value_mismatch(*this, value);
  // A device's arrays are Objects of the device layer, which checks their dtype and shape.
  if (!device.is_cpu() && value.object() && value.object()->device() == device) return "";
  if (!value.is_array()) {
    return "expected a " + std::string(dtype_name(dtype)) + " array on " + device.str() + ", got " +
           value.describe();
  }
  if (!device.is_cpu()) {
    return "expected an array on " + device.str() + ", got a host array";
  }
  const NDArray& a = value.array();
  if (a.dtype() != dtype) {
    return "expected dtype " + std::string(dtype_name(dtype)) + ", got " +
           std::string(dtype_name(a.dtype()));
  }
  return shape_mismatch(a.shape());
}

StaticShape broadcast_static(const std::vector<StaticShape>& shapes, const std::string& context) {
  size_t nd = 0;
  for (const auto& s : shapes) nd = std::max(nd, s.size());
  StaticShape out(nd, 1);
  for (const auto& s : shapes) {
    const size_t off = nd - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[off + i];
      const int64_t d = s[i];
      if (d == 1 || d == o) continue;
      if (o == 1) {
        o = d;
      } else if (d == kUnknownDim) {
        // An unknown size against a known size > 1 must equal it (or be 1, which broadcasts).
      } else if (o == kUnknownDim) {
        o = d;
      } else {
        std::string all;
        for (const auto& t : shapes) all += (all.empty() ? "" : ", ") + static_shape_str(t);
        throw ValueError(context + ": shapes do not broadcast: " + all);
      }
    }
  }
  return out;
}

}  // namespace theon
