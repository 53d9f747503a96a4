// Device placement: with config.device naming a GPU, the graph moves there. The float inputs
// (arguments, shared variables, constants) are transferred to the device, every node computing
// float values is rebuilt on the copies (so its outputs live on the device and the linker picks
// its device kernel), nodes computing shapes, indices and masks stay on the host, and each
// output is transferred back to the host, so callers still get NumPy arrays. Transfers thus
// appear only at the boundaries. A graph that already names devices (explicit
// transfers) is left as its author placed it.
#include <unordered_map>

#include "theon/core/config.hpp"
#include "theon/device/dialect.hpp"
#include "theon/device/kernels.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/transfer.hpp"
#include "theon/rewrite/groups.hpp"

namespace theon {
namespace {

bool place_on_device(FunctionGraph& fg) {
  const Device target = parse_device(Config::global().get("device"));
  if (target.is_cpu()) return false;
  // Values already on the target (shared variables there) stay; a graph with explicit
  // transfers is left as its author placed it.
  for (Apply* node : fg.nodes()) {
    if (node->op()->places_outputs()) return false;
    for (const auto& in : node->inputs()) {
      if (!in->type.device.is_cpu() && in->type.device != target) return false;
    }
  }
  // Each value of the graph as placed: float values on the device, the others on the host.
  std::unordered_map<const Variable*, Var> placed;
  std::unordered_map<const Variable*, Var> on_host;  // device values copied back for host nodes
  auto as_placed = [&](const Var& v) -> const Var& {
    const auto it = placed.find(v.get());
    return it == placed.end() ? v : it->second;
  };
  auto device_value = [&](const Var& v) -> Var {
    if (auto it = placed.find(v.get()); it != placed.end()) return it->second;
    // Integer and bool leaves (indices, shapes, masks) stay on the host: the ops reading them
    // take host values.
    if (v->owner || !v->type.is_tensor() || !is_float(v->type.dtype)) return v;
    if (v->type.device == target) return v;
    return placed[v.get()] = transfer(v, target);
  };
  auto host_value = [&](const Var& v) -> Var {
    if (!v->owner && v->type.device.is_cpu()) return v;  // a host leaf
    const Var& current = as_placed(v);
    if (current->type.device.is_cpu()) return current;
    auto& copy = on_host[v.get()];
    if (!copy) copy = transfer(current, Device{});
    return copy;
  };
  // Nodes with a float tensor output run on the device, and so do masks computed there
  // (comparisons, isnan, logical ops of float values or of masks on the device), for the
  // device kernels that read them; the others (shapes, indices) stay on the host.
  auto runs_on_device = [&](const Apply& node) {
    for (int i = 0; i < node.nout(); ++i) {
      const TensorType& t = node.output_ref(i).type;
      if (t.is_tensor() && is_float(t.dtype)) return true;
    }
    const auto* elemwise = dynamic_cast<const Elemwise*>(node.op().get());
    if (elemwise == nullptr || !device::device_scalar_op(elemwise->scalar().name)) return false;
    bool reads_device_value = false;
    for (const auto& in : node.inputs()) {
      if (!in->type.is_tensor() || !(is_float(in->type.dtype) || in->type.dtype == DType::Bool)) {
        return false;
      }
      // Float values are all on the device (computed there, or leaves transferred in).
      reads_device_value |= is_float(in->type.dtype) || !as_placed(in)->type.device.is_cpu();
    }
    return reads_device_value;
  };
  for (Apply* node : toposort(fg.outputs())) {
    const bool device = runs_on_device(*node);
    // Shapes and sizes of device values are read on the host from the device array itself
    // (src/device/shape_kernels.cpp): no copy of the array; their outputs stay on the host.
    const bool shape_only = !device && device::reads_only_shape(node->op()->type_name());
    std::vector<Var> ins;
    for (const auto& in : node->inputs()) {
      ins.push_back(device ? device_value(in) : shape_only ? as_placed(in) : host_value(in));
    }
    const std::vector<TensorType> types =
        shape_only ? node->op()->output_types(ins) : output_types_on_device(*node->op(), ins);
    auto copy =
        std::make_shared<Apply>(node->op(), std::move(ins), types, node->where(), node->origin());
    for (int i = 0; i < node->nout(); ++i) {
      Var o = copy->output(i);
      o->name = node->output_ref(i).name;
      placed[&node->output_ref(i)] = o;
    }
  }
  bool changed = false;
  const std::vector<Var> outputs = fg.outputs();
  for (const Var& out : outputs) {
    if (!out->owner) continue;
    // Outputs stay where the user's graph has them: host values back on the host, updates of
    // shared variables on the device there.
    const Var moved = out->type.device.is_cpu() ? host_value(out)
                                                : transfer(placed.at(out.get()), out->type.device);
    if (moved == out) continue;
    fg.replace(out, moved, "device_placement");
    changed = true;
  }
  return changed;
}

}  // namespace

std::vector<GraphRewriter> device_placement_rewriters() {
  return {{"device_placement", place_on_device, {"fast_run", "fast_compile", "device"}}};
}

}  // namespace theon
