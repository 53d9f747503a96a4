// Device placement: with config.device naming a GPU, the whole graph moves there. The float
// inputs (arguments, shared variables, constants) are transferred to the device, every node is
// rebuilt on the copies (so its outputs live on the device and the linker picks its device
// kernel), and each output is transferred back to the host, so callers still get NumPy arrays.
// Transfers thus appear only at the boundaries. A graph that already names devices (explicit
// transfers) is left as its author placed it.
#include <unordered_map>

#include "theon/core/config.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/transfer.hpp"
#include "theon/rewrite/groups.hpp"

namespace theon {
namespace {

bool place_on_device(FunctionGraph& fg) {
  const Device target = parse_device(Config::global().get("device"));
  if (target.is_cpu()) return false;
  for (Apply* node : fg.nodes()) {
    for (const auto& in : node->inputs()) {
      if (!in->type.device.is_cpu()) return false;
    }
    for (int i = 0; i < node->nout(); ++i) {
      if (!node->output_ref(i).type.device.is_cpu()) return false;
    }
  }
  std::unordered_map<const Variable*, Var> moved;
  auto on_device = [&](const Var& v) -> Var {
    if (auto it = moved.find(v.get()); it != moved.end()) return it->second;
    // Integer and bool leaves (indices, shapes, masks) stay on the host: the ops reading them
    // take host values.
    if (v->owner || !v->type.is_tensor() || !is_float(v->type.dtype)) return v;
    return moved[v.get()] = transfer(v, target);
  };
  bool changed = false;
  for (Apply* node : toposort(fg.outputs())) {
    std::vector<Var> ins;
    for (const auto& in : node->inputs()) ins.push_back(on_device(in));
    const std::vector<TensorType> types = output_types_on_device(*node->op(), ins);
    auto copy =
        std::make_shared<Apply>(node->op(), std::move(ins), types, node->where(), node->origin());
    for (int i = 0; i < node->nout(); ++i) {
      Var o = copy->output(i);
      o->name = node->output_ref(i).name;
      moved[&node->output_ref(i)] = o;
    }
  }
  const std::vector<Var> outputs = fg.outputs();
  for (const Var& out : outputs) {
    if (!out->owner) continue;
    const Var& placed = moved.at(out.get());
    if (placed->type.device.is_cpu()) continue;
    fg.replace(out, transfer(placed, Device{}), "device_placement");
    changed = true;
  }
  return changed;
}

}  // namespace

std::vector<GraphRewriter> device_placement_rewriters() {
  return {{"device_placement", place_on_device, {"fast_run", "fast_compile", "device"}}};
}

}  // namespace theon
