#include "theon/graph/props.hpp"

#include <bit>
#include <charconv>
#include <functional>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"

namespace theon {
namespace {

size_t mix(size_t seed, size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

std::string tuple_str(const std::vector<std::string>& items) {
  std::string s = "(";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  if (items.size() == 1) s += ",";
  return s + ")";
}

std::string float_str(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

}  // namespace

PropValue PropValue::boolean(bool v) {
  return PropValue(Storage(std::in_place_type<bool>, v));
}
PropValue PropValue::integer(int64_t v) {
  return PropValue(Storage(std::in_place_type<int64_t>, v));
}
PropValue PropValue::real(double v) {
  return PropValue(Storage(std::in_place_type<double>, v));
}
PropValue PropValue::string(std::string v) {
  return PropValue(Storage(std::in_place_type<std::string>, std::move(v)));
}
PropValue PropValue::ints(std::vector<int64_t> v) {
  return PropValue(Storage(std::in_place_type<std::vector<int64_t>>, std::move(v)));
}
PropValue PropValue::dtype(DType v) {
  return PropValue(Storage(std::in_place_type<DType>, v));
}
PropValue PropValue::type(TensorType v) {
  return PropValue(Storage(std::in_place_type<TensorType>, std::move(v)));
}
PropValue PropValue::op(OpPtr v) {
  if (!v) throw ValueError("a nested op property cannot be null");
  return PropValue(Storage(std::in_place_type<OpPtr>, std::move(v)));
}
PropValue PropValue::var(Var v) {
  if (!v) throw ValueError("a variable property cannot be null");
  return PropValue(Storage(std::in_place_type<Var>, std::move(v)));
}
PropValue PropValue::list(std::vector<PropValue> v) {
  return PropValue(Storage(std::in_place_type<std::vector<PropValue>>, std::move(v)));
}
PropValue PropValue::optional_int(std::optional<int64_t> v) {
  return v ? integer(*v) : PropValue();
}
PropValue PropValue::optional_dtype(std::optional<DType> v) {
  return v ? dtype(*v) : PropValue();
}

std::string_view prop_kind_name(PropValue::Kind kind) {
  switch (kind) {
    case PropValue::Kind::None:
      return "None";
    case PropValue::Kind::Bool:
      return "a bool";
    case PropValue::Kind::Int:
      return "an int";
    case PropValue::Kind::Float:
      return "a float";
    case PropValue::Kind::String:
      return "a string";
    case PropValue::Kind::Ints:
      return "a list of ints";
    case PropValue::Kind::DType:
      return "a dtype";
    case PropValue::Kind::Type:
      return "a tensor type";
    case PropValue::Kind::Op:
      return "an op";
    case PropValue::Kind::Var:
      return "a variable";
    case PropValue::Kind::List:
      break;
  }
  return "a list";
}

template <class T>
const T& PropValue::expect(Kind k, std::string_view context) const {
  if (kind() != k) {
    throw ValueError(std::string(context) + ": expected " + std::string(prop_kind_name(k)) +
                     ", got " + std::string(prop_kind_name(kind())));
  }
  return std::get<T>(value_);
}

bool PropValue::as_bool(std::string_view c) const {
  return expect<bool>(Kind::Bool, c);
}
int64_t PropValue::as_int(std::string_view c) const {
  return expect<int64_t>(Kind::Int, c);
}
double PropValue::as_float(std::string_view c) const {
  return expect<double>(Kind::Float, c);
}
const std::string& PropValue::as_string(std::string_view c) const {
  return expect<std::string>(Kind::String, c);
}
const std::vector<int64_t>& PropValue::as_ints(std::string_view c) const {
  return expect<std::vector<int64_t>>(Kind::Ints, c);
}
DType PropValue::as_dtype(std::string_view c) const {
  return expect<DType>(Kind::DType, c);
}
const TensorType& PropValue::as_type(std::string_view c) const {
  return expect<TensorType>(Kind::Type, c);
}
const OpPtr& PropValue::as_op(std::string_view c) const {
  return expect<OpPtr>(Kind::Op, c);
}
const Var& PropValue::as_var(std::string_view c) const {
  return expect<Var>(Kind::Var, c);
}
const std::vector<PropValue>& PropValue::as_list(std::string_view c) const {
  return expect<std::vector<PropValue>>(Kind::List, c);
}
std::optional<int64_t> PropValue::as_optional_int(std::string_view c) const {
  if (is_none()) return std::nullopt;
  return as_int(c);
}
std::optional<DType> PropValue::as_optional_dtype(std::string_view c) const {
  if (is_none()) return std::nullopt;
  return as_dtype(c);
}

bool PropValue::operator==(const PropValue& o) const {
  if (kind() != o.kind()) return false;
  switch (kind()) {
    case Kind::Float:
      return std::bit_cast<uint64_t>(std::get<double>(value_)) ==
             std::bit_cast<uint64_t>(std::get<double>(o.value_));
    case Kind::Op:
      return std::get<OpPtr>(value_)->equals(*std::get<OpPtr>(o.value_));
    default:
      return value_ == o.value_;
  }
}

size_t PropValue::hash() const {
  size_t h = static_cast<size_t>(kind());
  switch (kind()) {
    case Kind::None:
      return h;
    case Kind::Bool:
      return mix(h, std::get<bool>(value_));
    case Kind::Int:
      return mix(h, std::hash<int64_t>()(std::get<int64_t>(value_)));
    case Kind::Float:
      return mix(h, std::hash<uint64_t>()(std::bit_cast<uint64_t>(std::get<double>(value_))));
    case Kind::String:
      return mix(h, std::hash<std::string>()(std::get<std::string>(value_)));
    case Kind::Ints:
      for (int64_t v : std::get<std::vector<int64_t>>(value_)) h = mix(h, std::hash<int64_t>()(v));
      return h;
    case Kind::DType:
      return mix(h, static_cast<size_t>(std::get<DType>(value_)));
    case Kind::Type: {
      const TensorType& t = std::get<TensorType>(value_);
      h = mix(h, static_cast<size_t>(t.dtype));
      for (int64_t d : t.shape) h = mix(h, std::hash<int64_t>()(d));
      return mix(h, t.device.hash());
    }
    case Kind::Op:
      return mix(h, std::get<OpPtr>(value_)->hash());
    case Kind::Var:
      return mix(h, std::hash<const Variable*>()(std::get<Var>(value_).get()));
    case Kind::List:
      break;
  }
  for (const PropValue& v : std::get<std::vector<PropValue>>(value_)) h = mix(h, v.hash());
  return h;
}

std::string PropValue::str() const {
  switch (kind()) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return std::get<bool>(value_) ? "True" : "False";
    case Kind::Int:
      return std::to_string(std::get<int64_t>(value_));
    case Kind::Float:
      return float_str(std::get<double>(value_));
    case Kind::String:
      return std::get<std::string>(value_);
    case Kind::Ints: {
      std::vector<std::string> items;
      for (int64_t v : std::get<std::vector<int64_t>>(value_)) items.push_back(std::to_string(v));
      return tuple_str(items);
    }
    case Kind::DType:
      return std::string(dtype_name(std::get<DType>(value_)));
    case Kind::Type:
      return std::get<TensorType>(value_).str();
    case Kind::Op:
      return std::get<OpPtr>(value_)->name();
    case Kind::Var:
      return var_label(*std::get<Var>(value_));
    case Kind::List:
      break;
  }
  std::vector<std::string> items;
  for (const PropValue& v : std::get<std::vector<PropValue>>(value_)) items.push_back(v.str());
  return tuple_str(items);
}

size_t props_hash(const Props& fields) {
  size_t h = fields.size();
  for (const PropField& f : fields) {
    h = mix(h, std::hash<std::string>()(f.name));
    h = mix(h, f.value.hash());
  }
  return h;
}

std::string props_str(const Props& fields) {
  std::string s;
  for (size_t i = 0; i < fields.size(); ++i) {
    s += (i ? "," : "") + fields[i].name + "=" + fields[i].value.str();
  }
  return s;
}

const PropValue& PropReader::at(std::string_view name) const {
  for (const PropField& f : fields_) {
    if (f.name == name) return f.value;
  }
  throw ValueError(op_ + ": missing property '" + std::string(name) + "'");
}

std::string PropReader::context(std::string_view name) const {
  return op_ + " property '" + std::string(name) + "'";
}

bool PropReader::get_bool(std::string_view name) const {
  return at(name).as_bool(context(name));
}
int64_t PropReader::get_int(std::string_view name) const {
  return at(name).as_int(context(name));
}
double PropReader::get_float(std::string_view name) const {
  return at(name).as_float(context(name));
}
const std::string& PropReader::get_string(std::string_view name) const {
  return at(name).as_string(context(name));
}
const std::vector<int64_t>& PropReader::get_ints(std::string_view name) const {
  return at(name).as_ints(context(name));
}
DType PropReader::get_dtype(std::string_view name) const {
  return at(name).as_dtype(context(name));
}
const std::vector<PropValue>& PropReader::get_list(std::string_view name) const {
  return at(name).as_list(context(name));
}
std::optional<int64_t> PropReader::get_optional_int(std::string_view name) const {
  return at(name).as_optional_int(context(name));
}
std::optional<DType> PropReader::get_optional_dtype(std::string_view name) const {
  return at(name).as_optional_dtype(context(name));
}

const std::vector<int64_t>& PropReader::get_sorted_axes(std::string_view name) const {
  const std::vector<int64_t>& axes = get_ints(name);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || (i > 0 && axes[i] <= axes[i - 1])) {
      throw ValueError(context(name) + ": axes must be non-negative and increasing, got " +
                       at(name).str());
    }
  }
  return axes;
}

}  // namespace theon
