#include "theon/runtime/kernel.hpp"

#include <map>
#include <mutex>
#include <utility>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/variable.hpp"

namespace theon {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::pair<std::string, DeviceKind>, std::vector<KernelFactory>> factories;
  std::map<DeviceKind, KernelFactory> fallbacks;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void Kernel::run(const std::vector<NDArray>&, std::vector<NDArray>&) const {
  throw NotImplementedError("kernel '" + origin() + "' does not run on host arrays");
}

void Kernel::run_values(const std::vector<Value>&, std::vector<Value>&) const {
  throw NotImplementedError("kernel '" + origin() + "' runs on host arrays only");
}

PerformKernel::PerformKernel(const Apply& node) : node_(node) {}

void PerformKernel::run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  node_.op()->perform(inputs, outputs);
}

void register_kernel(const std::string& op_type_name, DeviceKind device, KernelFactory factory) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.factories[{op_type_name, device}].push_back(std::move(factory));
}

void register_fallback_kernel(DeviceKind device, KernelFactory factory) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.fallbacks[device] = std::move(factory);
}

std::unique_ptr<Kernel> make_kernel(const Apply& node, Device device) {
  std::vector<KernelFactory> candidates;
  KernelFactory fallback;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.factories.find({node.op()->type_name(), device.kind});
    if (it != r.factories.end()) candidates = it->second;
    auto fb = r.fallbacks.find(device.kind);
    if (fb != r.fallbacks.end()) fallback = fb->second;
  }
  for (auto f = candidates.rbegin(); f != candidates.rend(); ++f) {
    if (auto kernel = (*f)(node)) return kernel;
  }
  if (device.is_cpu()) return std::make_unique<PerformKernel>(node);
  if (fallback) {
    if (auto kernel = fallback(node)) return kernel;
  }
  throw NotImplementedError(node.op()->name() + ": no kernel for device " + device.str() +
                            " (node built at " + node.where() + ")");
}

}  // namespace theon
