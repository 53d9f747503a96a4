#include "theon/graph/op.hpp"

#include <functional>
#include <typeinfo>

#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/printing.hpp"

namespace theon {

std::string Op::name() const {
  std::string p = props();
  return p.empty() ? type_name() : type_name() + "{" + p + "}";
}

std::string Op::props() const {
  return props_str(fields());
}

bool Op::equals(const Op& other) const {
  // The printed properties as well: an op that overrides only props() (written before fields()
  // existed) must not compare equal to another of its class with other properties.
  return this == &other || (typeid(*this) == typeid(other) && type_name() == other.type_name() &&
                            same_properties(other));
}

bool Op::same_properties(const Op& other) const {
  return fields() == other.fields() && props() == other.props();
}

size_t Op::hash() const {
  return std::hash<std::string>()(type_name()) ^ (props_hash(fields()) * 31);
}

std::vector<Var> Op::L_op(const std::vector<Var>&, const std::vector<Var>&,
                          const std::vector<Var>&) const {
  throw NotImplementedError(op_error(*this, "the gradient of this op is not implemented"));
}

std::string Op::pprint(const std::vector<std::string>&) const {
  return "";
}

NDArray& reuse_or_empty(NDArray& slot, DType dtype, const Shape& shape) {
  if (!(slot.defined() && slot.dtype() == dtype && slot.shape() == shape &&
        slot.buffer().use_count() == 1 && slot.is_c_contiguous() &&
        slot.raw() == static_cast<char*>(slot.buffer().get()) && slot.writeable())) {
    slot = NDArray::empty(dtype, shape);
  }
  return slot;
}

std::string node_error_context(const Apply& node, const std::vector<NDArray>& inputs) {
  std::string args, shapes, dtypes, strides;
  for (size_t i = 0; i < node.inputs().size(); ++i) {
    args += (i ? ", " : "") + var_label(*node.inputs()[i]);
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    shapes += (i ? ", " : "") + shape_str(inputs[i].shape());
    dtypes += (i ? ", " : "") + std::string(dtype_name(inputs[i].dtype()));
  }
  std::string s = "\nApply node that caused the error: " + node.op()->name() + "(" + args + ")";
  if (!node.origin().empty()) {
    s += "\nThe optimizer built it in place of: " + node.origin() + " (built at the lines below)";
  }
  s += "\nInputs shapes: [" + shapes + "]";
  s += "\nInputs dtypes: [" + dtypes + "]";
  s += "\nNode built at: " + (node.where().empty() ? std::string("<unknown>") : node.where());
  if (Config::global().get("exception_verbosity") == "high") {
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string st;
      for (int64_t b : inputs[i].strides()) st += (st.empty() ? "" : ", ") + std::to_string(b);
      strides += (i ? ", " : "") + ("(" + st + ")");
    }
    s += "\nInputs strides (bytes): [" + strides + "]";
    std::vector<Var> outs;
    for (int i = 0; i < node.nout(); ++i) {
      outs.push_back(Var(std::shared_ptr<Variable>{}, const_cast<Variable*>(&node.output_ref(i))));
    }
    s += "\nThe failing node and its inputs:\n" + debugprint(outs);
  } else {
    s += "\n(config.exception_verbosity='high' adds strides and the node's subgraph)";
  }
  return s;
}

std::string node_label(const Apply& node) {
  const std::string name = node.op()->name();
  return node.origin().empty() ? name : name + " (from " + node.origin() + ")";
}

std::string node_error_message(const Apply& node, const std::string& message) {
  const std::string name = node.op()->name();
  const std::string rest =
      message.rfind(name + ":", 0) == 0 ? message.substr(name.size() + 1) : " " + message;
  return node_label(node) + ":" + rest;
}

std::string op_error(const Op& op, const std::string& message) {
  return op.name() + ": " + message;
}

}  // namespace theon
