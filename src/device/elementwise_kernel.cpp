// Elementwise device kernels: Elemwise nodes and Fused trees (without a reduction), generated in
// the kernel dialect from the scalar ops' C expressions, the same table as CPU fusion. Two
// variants per operand count and rank: a contiguous one indexing every operand by the element
// number, and a strided one that turns the element number into coordinates and applies each
// operand's element strides (0 along broadcast dimensions). float32 and float64 only; other
// nodes decline and run on the host (host_fallback.cpp).
#include <algorithm>
#include <map>
#include <mutex>

#include "fused_source.hpp"
#include "theon/core/error.hpp"
#include "theon/device/device_array.hpp"
#include "theon/device/dialect.hpp"
#include "theon/device/kernels.hpp"
#include "theon/graph/op.hpp"
#include "theon/ops/fused.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

bool on_device(const Fused& op) {
  return !op.reduction() && device_steps(op);
}

std::string emit_source(const Fused& op, int nd, bool contiguous) {
  const int nin = static_cast<int>(op.input_types().size());
  const int nout = static_cast<int>(op.outputs().size());
  const int nops = nout + nin;
  auto operand_type = [&](int k) {
    return device_type(k < nout ? op.value_dtype(op.outputs()[k])
                                : op.input_types()[k - nout].dtype);
  };
  std::string s = "KERNEL void theon_elementwise(";
  for (int k = 0; k < nops; ++k) {
    const std::string ks = std::to_string(k);
    s += std::string(k ? ", " : "") + "GLOBAL_MEM " + (k < nout ? "" : "const ") + operand_type(k) +
         "* p" + ks + ", int64_t off" + ks;
  }
  s += ", int64_t n";
  if (!contiguous) {
    for (int d = 0; d < nd; ++d) s += ", int64_t shape" + std::to_string(d);
    for (int k = 0; k < nops; ++k) {
      for (int d = 0; d < nd; ++d)
        s += ", int64_t st" + std::to_string(k) + "_" + std::to_string(d);
    }
  }
  s += ") {\n  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE()) {\n";
  for (int k = 0; k < nops; ++k) {
    // A scalar input (static shape all ones) is its one element wherever it is read.
    const bool scalar = k >= nout && op.is_scalar_input(k - nout);
    s += "    int64_t at" + std::to_string(k) + " = off" + std::to_string(k) +
         (contiguous && !scalar ? " + i" : "") + ";\n";
  }
  if (!contiguous) {
    std::vector<std::pair<std::string, std::string>> bases;
    for (int k = 0; k < nops; ++k) {
      bases.emplace_back("at" + std::to_string(k), "st" + std::to_string(k) + "_");
    }
    s += add_offsets_source("i", nd, "shape", bases, "    ");
  }
  s += emit_values(op, nout, "    ");
  for (int k = 0; k < nout; ++k) {
    s += "    p" + std::to_string(k) + "[at" + std::to_string(k) + "] = v" +
         std::to_string(op.outputs()[k]) + ";\n";
  }
  s += "  }\n}\n";
  return s;
}

class ElementwiseKernel final : public Kernel {
 public:
  ElementwiseKernel(const Apply& node, std::shared_ptr<const Fused> op)
      : node_(node), op_(std::move(op)) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device elementwise"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const std::string what = node_.op()->name();
    const Device device = node_.output_ref(0).type.device;
    const DeviceInputs inputs_on_device = device_inputs(inputs, device, what);
    const std::vector<const DeviceArray*>& in = inputs_on_device.arrays;
    std::vector<Shape> shapes;
    for (const DeviceArray* a : in) shapes.push_back(a->shape());
    const Shape shape = broadcast_shapes(shapes, what);
    const int nd = static_cast<int>(shape.size());
    std::vector<std::shared_ptr<DeviceArray>> out;
    for (size_t k = 0; k < op_->outputs().size(); ++k) {
      out.push_back(DeviceArray::empty(device, op_->value_dtype(op_->outputs()[k]), shape, what));
    }
    bool contiguous = true;
    for (size_t i = 0; i < in.size(); ++i) {
      if (op_->is_scalar_input(static_cast<int>(i))) continue;
      contiguous = contiguous && in[i]->shape() == shape && in[i]->is_c_contiguous();
    }
    std::vector<KernelArg> args;
    for (const auto& o : out) {
      args.push_back(KernelArg::of(*o->buffer()));
      args.push_back(KernelArg::int64(0));
    }
    for (const DeviceArray* a : in) {
      args.push_back(KernelArg::of(*a->buffer()));
      args.push_back(KernelArg::int64(a->offset()));
    }
    const int64_t n = shape_size(shape);
    args.push_back(KernelArg::int64(n));
    if (!contiguous) {
      for (int64_t extent : shape) args.push_back(KernelArg::int64(extent));
      for (const auto& o : out) {
        for (int64_t st : o->strides()) args.push_back(KernelArg::int64(st));
      }
      for (const DeviceArray* a : in) {
        for (int64_t st : broadcast_strides(*a, nd)) args.push_back(KernelArg::int64(st));
      }
    }
    DeviceRuntime& rt = runtime(device);
    const CompiledKernel& kernel = rt.kernel(source(nd, contiguous), "theon_elementwise");
    rt.launch(kernel, std::min(n, kMaxWorkItems), args);
    for (size_t k = 0; k < out.size(); ++k) outputs[k] = Value(out[k]);
  }

 private:
  const std::string& source(int nd, bool contiguous) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string& s = sources_[{contiguous ? 1 : nd, contiguous}];
    if (s.empty()) s = emit_source(*op_, contiguous ? 1 : nd, contiguous);
    return s;
  }

  const Apply& node_;
  std::shared_ptr<const Fused> op_;
  mutable std::mutex mutex_;
  mutable std::map<std::pair<int, bool>, std::string> sources_;
};

std::unique_ptr<Kernel> make_elementwise(const Apply& node) {
  std::shared_ptr<const Fused> op = as_fused(node);
  if (!op || !on_device(*op)) return nullptr;
  return std::make_unique<ElementwiseKernel>(node, std::move(op));
}

}  // namespace

void register_elementwise_kernels() {
  register_device_kernel("Elemwise", make_elementwise);
  register_device_kernel("Fused", make_elementwise);
  register_device_kernel("Fill", make_elementwise);
}

}  // namespace theon::device
