#include "theon/graph/variable.hpp"

#include <algorithm>
#include <atomic>

#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"

namespace theon {
namespace {

std::atomic<uint64_t> next_id{1};
thread_local std::string location;

// Ops do not know about devices: a node runs where its inputs live. Host inputs (constants,
// say) beside device inputs are moved by the linker of that device; inputs on two different
// devices are an error, since no single kernel can read both.
void place_outputs(const Op& op, const std::vector<Var>& inputs, std::vector<TensorType>& types) {
  const Variable* on_device = nullptr;
  for (const auto& v : inputs) {
    if (v->type.device.is_cpu()) continue;
    if (on_device && on_device->type.device != v->type.device) {
      throw TypeError(op_error(op, "inputs live on different devices: " + var_label(*on_device) +
                                       " on " + on_device->type.device.str() + ", " +
                                       var_label(*v) + " on " + v->type.device.str() +
                                       "; move one with transfer()"));
    }
    on_device = v.get();
  }
  if (!on_device) return;
  for (auto& t : types) t.device = on_device->type.device;
}

}  // namespace

namespace {

// The byte size of the static part of `type`'s shape fits in int64.
bool static_size_fits(const TensorType& type) {
  Shape known;
  for (int64_t d : type.shape) {
    if (d >= 0) known.push_back(d);  // output_types rejects other negative sizes itself
  }
  try {
    checked_nbytes(known, itemsize(type.dtype));
    return true;
  } catch (const ValueError&) {
    return false;
  }
}

}  // namespace

void check_static_size(const TensorType& type, const std::string& what) {
  if (!static_size_fits(type)) {
    throw ValueError(what + ": array is too big: no array of type " + type.str() +
                     " fits in memory (its size overflows int64)");
  }
}

std::vector<TensorType> output_types_on_device(const Op& op, const std::vector<Var>& inputs) {
  std::vector<TensorType> types = op.output_types(inputs);
  if (!op.places_outputs()) place_outputs(op, inputs, types);
  for (const auto& t : types) {
    // The op's name (a Fused op's lists every step) is built only for the error.
    if (!static_size_fits(t)) check_static_size(t, op.name());
  }
  return types;
}

Variable::Variable() : id(next_id++) {}

Apply::Apply(OpPtr op, std::vector<Var> inputs, const std::vector<TensorType>& output_types,
             std::string where, std::string origin)
    : op_(std::move(op)),
      inputs_(std::move(inputs)),
      where_(std::move(where)),
      origin_(std::move(origin)) {
  outputs_.resize(output_types.size());
  for (size_t i = 0; i < output_types.size(); ++i) {
    outputs_[i].type = output_types[i];
    outputs_[i].owner = this;
    outputs_[i].index = static_cast<int>(i);
    outputs_[i].where = where_;
  }
}

void Apply::inherit_trace(const std::vector<const Apply*>& absorbed) {
  // Bounded: a fused kernel takes the place of a whole tree of elementwise nodes.
  constexpr size_t kMaxEntries = 4;
  auto add = [](std::string& list, const std::string& entry) {
    if (entry.empty() || list.find(entry) != std::string::npos || list.ends_with("...")) return;
    if (std::count(list.begin(), list.end(), ',') + 1 >= static_cast<long>(kMaxEntries)) {
      list += ", ...";
      return;
    }
    list += (list.empty() ? "" : ", ") + entry;
  };
  for (const Apply* node : absorbed) {
    add(where_, node->where_);
    add(origin_, node->origin_.empty() ? node->op_->name() : node->origin_);
  }
  for (auto& out : outputs_) out.where = where_;
}

Var Apply::output(int i) {
  return Var(shared_from_this(), &outputs_[i]);
}

std::vector<Var> Apply::outputs() {
  std::vector<Var> out;
  for (int i = 0; i < nout(); ++i) out.push_back(output(i));
  return out;
}

std::vector<Var> make_node(OpPtr op, std::vector<Var> inputs) {
  for (const auto& v : inputs) {
    if (!v) throw TypeError(op_error(*op, "an input is missing (null variable)"));
  }
  std::vector<TensorType> types;
  try {
    types = output_types_on_device(*op, inputs);
  } catch (const Error& e) {
    const std::string& where = current_location();
    if (where.empty()) throw;
    rethrow_with_message(e, std::string(e.what()) + "\n  (node built at " + where + ")");
  }
  auto node = std::make_shared<Apply>(std::move(op), std::move(inputs), types, current_location());
  return node->outputs();
}

Var make_node1(OpPtr op, std::vector<Var> inputs) {
  auto outs = make_node(std::move(op), std::move(inputs));
  return outs.at(0);
}

Var make_input(TensorType type, std::string name) {
  check_static_size(type, name.empty() ? "input" : "input '" + name + "'");
  auto v = std::make_shared<Variable>();
  v->type = std::move(type);
  v->name = std::move(name);
  v->where = current_location();
  return v;
}

Var make_constant(NDArray value, std::string name) {
  auto v = std::make_shared<Variable>();
  v->type = TensorType(value.dtype(), StaticShape(value.shape().begin(), value.shape().end()));
  v->name = std::move(name);
  v->constant = std::make_shared<const NDArray>(value.is_c_contiguous() ? value : value.copy());
  v->where = current_location();
  return v;
}

Var make_shared(std::shared_ptr<SharedValue> cell, TensorType type) {
  auto v = std::make_shared<Variable>();
  v->type = std::move(type);
  v->name = cell->name;
  v->shared = std::move(cell);
  v->where = current_location();
  return v;
}

const NDArray* constant_value(const Var& v) {
  return v && v->constant ? v->constant.get() : nullptr;
}

const std::string& current_location() {
  return location;
}

LocationScope::LocationScope(std::string where) : previous_(std::move(location)) {
  location = std::move(where);
}
LocationScope::~LocationScope() {
  location = std::move(previous_);
}

std::string var_label(const Variable& v) {
  if (!v.name.empty()) return v.name;
  if (v.owner) {
    std::string s = v.owner->op()->name();
    if (v.owner->nout() > 1) s += "." + std::to_string(v.index);
    return s;
  }
  if (v.constant && v.constant->size() == 1) {
    double x = v.constant->flat_as_double(0);
    std::string s = std::to_string(x);
    if (s.find('.') != std::string::npos) {
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
    }
    return s;
  }
  return "<" + v.type.short_str() + ">";
}

}  // namespace theon
