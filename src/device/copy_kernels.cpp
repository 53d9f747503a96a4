// Copies between strided device arrays, and the ops built on them: Join (concatenate), each
// input copied into its slab of the output, a view along the joined axis; Alloc, the value
// broadcast into an array of the given shape. Inputs of another dtype than the output (Join
// promotes), and shapes the host rejects (it raises the error), go to the host.
#include <algorithm>

#include "fused_source.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/device/dialect.hpp"
#include "theon/device/kernels.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/join.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

// dst[coords] = src[coords] over `nd` dimensions of extents s<d>, element strides ds<d>, ss<d>.
std::string copy_source(DType dtype, int nd) {
  std::string s = std::string("#define T ") + device_type(dtype) +
                  "\nKERNEL void theon_copy(GLOBAL_MEM T* dst, int64_t doff, GLOBAL_MEM const T* "
                  "src, int64_t soff, int64_t n";
  for (int d = 0; d < nd; ++d) {
    const std::string ds = std::to_string(d);
    s += ", int64_t s" + ds + ", int64_t ds" + ds + ", int64_t ss" + ds;
  }
  s += ") {\n  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE()) {\n";
  s += "    int64_t a = doff, b = soff;\n";
  s += add_offsets_source("i", nd, "s", {{"a", "ds"}, {"b", "ss"}}, "    ");
  return s + "    dst[a] = src[b];\n  }\n}\n";
}

class JoinKernel final : public Kernel {
 public:
  explicit JoinKernel(const Apply& node, int64_t axis) : node_(node), axis_(axis) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device join"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const std::string what = node_.op()->name();
    const Device device = node_.output_ref(0).type.device;
    const DeviceInputs in = device_inputs(inputs, device, what);
    Shape shape = in.arrays[0]->shape();
    const int nd = static_cast<int>(shape.size());
    for (size_t k = 1; k < in.arrays.size(); ++k) {
      const DeviceArray& a = *in.arrays[k];
      bool ok = a.ndim() == nd;
      for (int d = 0; ok && d < nd; ++d) ok = d == axis_ || a.shape()[d] == shape[d];
      const auto len = ok ? checked_add(shape[axis_], a.shape()[axis_]) : std::nullopt;
      if (!len) return run_on_host(node_, inputs, outputs);
      shape[axis_] = *len;
    }
    auto out = DeviceArray::empty(device, node_.output_ref(0).type.dtype, shape, what);
    int64_t at = 0;
    for (const DeviceArray* a : in.arrays) {
      const DeviceArray slab(out->buffer(), out->dtype(), a->shape(), out->strides(),
                             at * out->strides()[axis_]);
      copy_into(slab, *a);
      at += a->shape()[axis_];
    }
    outputs[0] = Value(out);
  }

 private:
  const Apply& node_;
  int64_t axis_;
};

class AllocKernel final : public Kernel {
 public:
  explicit AllocKernel(const Apply& node) : node_(node) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device alloc"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const std::string what = node_.op()->name();
    const Device device = node_.output_ref(0).type.device;
    Shape shape;
    for (size_t k = 1; k < inputs.size(); ++k) {
      const NDArray dims =
          (inputs[k].is_array() ? inputs[k].array() : device_array(inputs[k], what).to_host())
              .astype(DType::Int64)
              .copy();  // C-contiguous
      for (int64_t i = 0; i < dims.size(); ++i) shape.push_back(dims.data<int64_t>()[i]);
    }
    const DeviceInputs value = device_inputs({inputs[0]}, device, what);
    const DeviceArray& v = *value.arrays[0];
    if (!fits(v.shape(), shape)) return run_on_host(node_, inputs, outputs);
    auto out = DeviceArray::empty(device, v.dtype(), shape, what);
    copy_into(*out, v);
    outputs[0] = Value(out);
  }

 private:
  // Whether a value of shape `value` broadcasts into `shape` (sizes not negative).
  static bool fits(const Shape& value, const Shape& shape) {
    if (value.size() > shape.size()) return false;
    if (std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; })) return false;
    const size_t lead = shape.size() - value.size();
    for (size_t d = 0; d < value.size(); ++d) {
      if (value[d] != 1 && value[d] != shape[lead + d]) return false;
    }
    return true;
  }

  const Apply& node_;
};

std::unique_ptr<Kernel> make_alloc(const Apply& node) {
  const DType dt = node.output_ref(0).type.dtype;
  if (!device_float(dt) || node.inputs()[0]->type.dtype != dt) return nullptr;
  return std::make_unique<AllocKernel>(node);
}

std::unique_ptr<Kernel> make_join(const Apply& node) {
  const auto* join = dynamic_cast<const Join*>(node.op().get());
  const DType dt = node.output_ref(0).type.dtype;
  if (!join || !device_float(dt)) return nullptr;
  for (const auto& in : node.inputs()) {
    if (in->type.dtype != dt) return nullptr;
  }
  return std::make_unique<JoinKernel>(node, join->axis());
}

}  // namespace

void copy_into(const DeviceArray& dst, const DeviceArray& src) {
  const int64_t n = dst.size();
  if (n == 0) return;
  const int nd = dst.ndim();
  std::vector<KernelArg> args{KernelArg::of(*dst.buffer()), KernelArg::int64(dst.offset()),
                              KernelArg::of(*src.buffer()), KernelArg::int64(src.offset()),
                              KernelArg::int64(n)};
  const std::vector<int64_t> src_strides = broadcast_strides(src, nd);
  for (int d = 0; d < nd; ++d) {
    args.insert(args.end(), {KernelArg::int64(dst.shape()[d]), KernelArg::int64(dst.strides()[d]),
                             KernelArg::int64(src_strides[d])});
  }
  DeviceRuntime& rt = dst.runtime();
  rt.launch(rt.kernel(copy_source(dst.dtype(), nd), "theon_copy"), std::min(n, kMaxWorkItems),
            args);
}

void register_copy_kernels() {
  register_device_kernel("Join", make_join);
  register_device_kernel("Alloc", make_alloc);
}

}  // namespace theon::device
