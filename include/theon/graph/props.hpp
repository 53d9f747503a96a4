// Typed op properties: a value (None, bool, int, float, string, int list, dtype, tensor type,
// nested op, variable, list of values) and an ordered list of named fields. An op describes
// itself by its fields; equality, hashing, printing and serialization are generic over them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "theon/core/dtype.hpp"
#include "theon/graph/type.hpp"
#include "theon/graph/variable.hpp"

namespace theon {

class PropValue {
 public:
  // The order is part of the serialized format (src/graph/serialize.cpp): append only.
  enum class Kind : uint8_t { None, Bool, Int, Float, String, Ints, DType, Type, Op, Var, List };

  PropValue() = default;
  static PropValue boolean(bool v);
  static PropValue integer(int64_t v);
  static PropValue real(double v);
  static PropValue string(std::string v);
  static PropValue ints(std::vector<int64_t> v);
  static PropValue dtype(DType v);
  static PropValue type(TensorType v);
  // A nested op (the scalar step of a fused loop); compared by value.
  static PropValue op(OpPtr v);
  // A variable of the enclosing graph (an inner graph's outputs); compared by identity.
  static PropValue var(Var v);
  static PropValue list(std::vector<PropValue> v);
  // None when absent.
  static PropValue optional_int(std::optional<int64_t> v);
  static PropValue optional_dtype(std::optional<DType> v);

  Kind kind() const { return static_cast<Kind>(value_.index()); }
  bool is_none() const { return kind() == Kind::None; }

  // Each throws ValueError "<context>: expected <kind>, got <kind>" for another kind.
  bool as_bool(std::string_view context) const;
  int64_t as_int(std::string_view context) const;
  double as_float(std::string_view context) const;
  const std::string& as_string(std::string_view context) const;
  const std::vector<int64_t>& as_ints(std::string_view context) const;
  DType as_dtype(std::string_view context) const;
  const TensorType& as_type(std::string_view context) const;
  const OpPtr& as_op(std::string_view context) const;
  const Var& as_var(std::string_view context) const;
  const std::vector<PropValue>& as_list(std::string_view context) const;
  std::optional<int64_t> as_optional_int(std::string_view context) const;
  std::optional<DType> as_optional_dtype(std::string_view context) const;

  // Floats compare by their bits, so NaN equals itself and -0.0 differs from 0.0.
  bool operator==(const PropValue& o) const;
  size_t hash() const;
  // Python-like: None, True, 3, 0.5, text, (0, 1), float64, TensorType(...), Op{...}, (a, b).
  std::string str() const;

 private:
  using Storage =
      std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<int64_t>, DType,
                   TensorType, OpPtr, Var, std::vector<PropValue>>;
  explicit PropValue(Storage v) : value_(std::move(v)) {}
  template <class T>
  const T& expect(Kind k, std::string_view context) const;

  Storage value_;
};

std::string_view prop_kind_name(PropValue::Kind kind);  // "an int", "a list", ...

struct PropField {
  std::string name;
  PropValue value;
  bool operator==(const PropField& o) const = default;
};
using Props = std::vector<PropField>;

size_t props_hash(const Props& fields);
// "axis=(0,),keepdims=True"; "" for no fields.
std::string props_str(const Props& fields);

// Typed access to the fields an op factory gets, with errors naming the op and the field.
class PropReader {
 public:
  PropReader(std::string op, const Props& fields) : op_(std::move(op)), fields_(fields) {}
  const std::string& op() const { return op_; }
  // Throws ValueError "<op>: missing property '<name>'".
  const PropValue& at(std::string_view name) const;
  // "<op> property '<name>'", the context of errors about that field's value.
  std::string context(std::string_view name) const;

  bool get_bool(std::string_view name) const;
  int64_t get_int(std::string_view name) const;
  double get_float(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;
  const std::vector<int64_t>& get_ints(std::string_view name) const;
  DType get_dtype(std::string_view name) const;
  const std::vector<PropValue>& get_list(std::string_view name) const;
  std::optional<int64_t> get_optional_int(std::string_view name) const;
  std::optional<DType> get_optional_dtype(std::string_view name) const;
  // A list of axes: non-negative and strictly increasing.
  const std::vector<int64_t>& get_sorted_axes(std::string_view name) const;

 private:
  std::string op_;
  const Props& fields_;
};

}  // namespace theon
