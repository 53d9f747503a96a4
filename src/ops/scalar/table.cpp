#include <map>

#include "theon/core/error.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/scalar.hpp"

namespace theon {
namespace {

std::map<std::string, ScalarOp>& table() {
  static std::map<std::string, ScalarOp> t;
  return t;
}

std::string types_str(const std::vector<DType>& in) {
  std::string s;
  for (DType d : in) s += (s.empty() ? "" : ", ") + std::string(dtype_name(d));
  return s;
}

std::map<std::string, ScalarGrad>& grad_table() {
  static std::map<std::string, ScalarGrad> t;
  return t;
}

}  // namespace

void register_scalar_grad(const std::string& name, ScalarGrad grad) {
  grad_table()[name] = grad;
}

ScalarGrad find_scalar_grad(const std::string& name) {
  ensure_ops_registered();
  auto it = grad_table().find(name);
  return it == grad_table().end() ? nullptr : it->second;
}

ScalarResolution resolve_scalar(const ScalarOp& op, const std::vector<DType>& inputs,
                                DType cast_target) {
  DType compute = inputs.empty() ? DType::Float64 : inputs[0];
  switch (op.rule) {
    case DTypeRule::Where: {
      compute = inputs.size() > 1 ? inputs[1] : compute;
      for (size_t i = 2; i < inputs.size(); ++i) compute = promote(compute, inputs[i]);
      break;
    }
    case DTypeRule::Logical:
      compute = DType::Bool;
      break;
    case DTypeRule::Cast:
      compute = cast_target;
      break;
    default:
      for (size_t i = 1; i < inputs.size(); ++i) compute = promote(compute, inputs[i]);
      if (op.rule == DTypeRule::Float) compute = upgrade_to_float(compute);
  }
  if ((op.types & type_bit(compute)) == 0 || !op.kernels[static_cast<int>(compute)]) {
    throw TypeError(op.name + ": not supported for input dtypes (" + types_str(inputs) +
                    ") (computed in " + std::string(dtype_name(compute)) + ")");
  }
  bool bool_out = op.rule == DTypeRule::Compare || op.rule == DTypeRule::Logical;
  return {compute, bool_out ? DType::Bool : compute};
}

void register_scalar_op(ScalarOp op) {
  std::string key = op.name;
  table()[key] = std::move(op);
}

const ScalarOp* lookup_scalar_op(const std::string& name) {
  ensure_ops_registered();
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

const ScalarOp& find_scalar_op(const std::string& name) {
  if (const ScalarOp* op = lookup_scalar_op(name)) return *op;
  throw ValueError("unknown scalar op '" + name + "'");
}

std::vector<std::string> scalar_op_names() {
  ensure_ops_registered();
  std::vector<std::string> out;
  for (const auto& [k, _] : table()) out.push_back(k);
  return out;
}

}  // namespace theon
