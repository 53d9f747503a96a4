#include "fused_source.hpp"

#include "theon/codegen/emit.hpp"
#include "theon/device/dialect.hpp"
#include "theon/ops/scalar.hpp"

namespace theon::device {
namespace {

// The scalar expressions name C math functions as std::hypot, std::fabs for the host's C++;
// OpenCL C and CUDA have them under their C names.
std::string device_expr(std::string expr) {
  for (size_t at; (at = expr.find("std::")) != std::string::npos;) expr.erase(at, 5);
  return expr;
}

}  // namespace

bool device_float(DType d) {
  return d == DType::Float32 || d == DType::Float64;
}

const char* device_type(DType d) {
  if (d == DType::Bool) return "theon_bool";
  return d == DType::Float32 ? "float" : "double";
}

bool device_elementwise_dtype(DType d) {
  return device_float(d) || d == DType::Bool;
}

std::shared_ptr<const Fused> as_fused(const Apply& node) {
  if (auto fused = std::dynamic_pointer_cast<const Fused>(node.op())) return fused;
  if (node.op()->type_name() == "Fill") {
    // fill(model, value): the value broadcast against the model, a tree of no step.
    return std::make_shared<Fused>(
        std::vector<TensorType>{node.inputs()[0]->type, node.inputs()[1]->type},
        std::vector<FusedStep>{}, std::vector<int>{1}, std::nullopt);
  }
  auto elemwise = std::dynamic_pointer_cast<const Elemwise>(node.op());
  if (!elemwise) return nullptr;
  std::vector<TensorType> types;
  std::vector<DType> dtypes;
  std::vector<int> args;
  for (const auto& in : node.inputs()) {
    types.push_back(in->type);
    dtypes.push_back(in->type.dtype);
    args.push_back(static_cast<int>(args.size()));
  }
  const ScalarResolution r =
      resolve_scalar(elemwise->scalar(), dtypes, elemwise->cast_target().value_or(DType::Float64));
  FusedStep step{elemwise, args, r.compute, r.output};
  const int nin = static_cast<int>(types.size());
  return std::make_shared<Fused>(std::move(types), std::vector<FusedStep>{std::move(step)},
                                 std::vector<int>{nin}, std::nullopt);
}

bool device_steps(const Fused& op) {
  for (const auto& t : op.input_types()) {
    if (!device_elementwise_dtype(t.dtype)) return false;
  }
  for (const FusedStep& s : op.steps()) {
    if (!device_elementwise_dtype(s.compute) || !device_elementwise_dtype(s.output)) return false;
    if (!device_scalar_op(s.op->scalar().name)) return false;
  }
  return true;
}

std::string emit_values(const Fused& op, int first, const std::string& indent) {
  const int nin = static_cast<int>(op.input_types().size());
  std::string s;
  for (int i = 0; i < nin; ++i) {
    const std::string k = std::to_string(first + i);
    s += indent + "const " + device_type(op.input_types()[i].dtype) + " v" + std::to_string(i) +
         " = p" + k + "[at" + k + "];\n";
  }
  for (size_t j = 0; j < op.steps().size(); ++j) {
    const FusedStep& step = op.steps()[j];
    const std::string compute = device_type(step.compute);
    const bool is_switch = step.op->scalar().name == "switch";
    std::vector<std::string> args;
    for (size_t i = 0; i < step.args.size(); ++i) {
      const int a = step.args[i];
      const std::string v = "v" + std::to_string(a);
      const DType from = op.value_dtype(a);
      // A value becomes a truth value as C++ converts to bool (nonzero, NaN included), not by
      // C's conversion to an integer type (0.3 -> 0); OpenCL's ?: takes no float condition.
      if (is_switch && i == 0) {
        args.push_back("(" + v + " != 0)");
      } else if (step.compute == DType::Bool && from != DType::Bool) {
        args.push_back("(theon_bool)(" + v + " != 0)");
      } else {
        args.push_back(from == step.compute ? v : "(" + compute + ")" + v);
      }
    }
    const std::string out = device_type(step.output);
    const std::string expr =
        device_expr(codegen::expand_c_expr(step.op->scalar().c_expr, args, compute));
    s += indent + "const " + out + " v" + std::to_string(nin + static_cast<int>(j)) + " = (" + out +
         ")(" + (step.output == DType::Bool ? "(" + expr + ") != 0" : expr) + ");\n";
  }
  return s;
}

DeviceInputs device_inputs(const std::vector<Value>& inputs, Device device,
                           const std::string& what) {
  DeviceInputs out;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].is_array()) {
      out.uploaded.push_back(DeviceArray::from_host(inputs[i].array(), device));
      out.arrays.push_back(out.uploaded.back().get());
    } else {
      const DeviceArray& a = device_array(inputs[i], what + ": input " + std::to_string(i));
      if (a.device() != device) {
        throw TypeError(what + ": input " + std::to_string(i) + " is a " + a.kind() +
                        ", expected an array on " + device.str() + "; move it with transfer()");
      }
      out.arrays.push_back(&a);
    }
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const DeviceArray& a, int nd) {
  std::vector<int64_t> strides(static_cast<size_t>(nd), 0);
  const int lead = nd - a.ndim();
  for (int d = lead < 0 ? 0 : lead; d < nd; ++d) {
    if (a.shape()[d - lead] != 1) strides[d] = a.strides()[d - lead];
  }
  return strides;
}

}  // namespace theon::device
