// Softmax, log-softmax and the fused softmax cross-entropy (forward and gradient) on a device:
// one work item per row, computing as the host kernels do (src/ops/nnet/softmax.cpp and
// crossentropy_softmax.cpp): the row maximum (NaN wins) subtracted before exponentiating, the
// sum accumulated in double. Labels are checked on the host (they are small and the host raises
// the op's IndexError) and copied over as int64 in [0, k).
#include <algorithm>
#include <map>
#include <mutex>

#include "fused_source.hpp"
#include "theon/device/dialect.hpp"
#include "theon/device/kernels.hpp"
#include "theon/ops/nnet.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

// Row r of x (rows of n elements, stride sx; bases from the other dimensions' coordinates).
std::string softmax_source(bool log, int rest_dims) {
  std::string s = "KERNEL void theon_softmax(GLOBAL_MEM T* y, GLOBAL_MEM const T* x, int64_t xoff,";
  s += " int64_t rows, int64_t n, int64_t sx, int64_t sy";
  for (int d = 0; d < rest_dims; ++d) {
    const std::string ds = std::to_string(d);
    s += ", int64_t rs" + ds + ", int64_t rxs" + ds + ", int64_t rys" + ds;
  }
  s += ") {\n  for (int64_t r = GLOBAL_ID(); r < rows; r += GLOBAL_SIZE()) {\n";
  s += "    int64_t xb = xoff, yb = 0;\n";
  s += add_offsets_source("r", rest_dims, "rs", {{"xb", "rxs"}, {"yb", "rys"}}, "    ");
  s += R"(    T m = -INFINITY;
    for (int64_t k = 0; k < n; ++k) {
      const T v = x[xb + k * sx];
      if (v > m || v != v) m = v;
      if (m != m) break;
    }
    double sum = 0.0;
)";
  s += log ? R"(    for (int64_t k = 0; k < n; ++k) sum += exp((double)(x[xb + k * sx] - m));
    const T lse = (T)log(sum);
    for (int64_t k = 0; k < n; ++k) y[yb + k * sy] = x[xb + k * sx] - m - lse;
)"
           : R"(    for (int64_t k = 0; k < n; ++k) {
      const T e = exp(x[xb + k * sx] - m);
      y[yb + k * sy] = e;
      sum += e;
    }
    const T inv = (T)(1.0 / sum);
    for (int64_t k = 0; k < n; ++k) y[yb + k * sy] *= inv;
)";
  return s + "  }\n}\n";
}

// z = x + b per row (x strides sx0, sx1; b stride sb; 0 where one broadcasts along the row).
const char* const kXentSource = R"(
KERNEL void theon_xent(GLOBAL_MEM T* nll, GLOBAL_MEM T* sm, GLOBAL_MEM int64_t* am,
                       GLOBAL_MEM const T* x, int64_t xoff, int64_t sx0, int64_t sx1,
                       GLOBAL_MEM const T* b, int64_t boff, int64_t sb,
                       GLOBAL_MEM const int64_t* y, int64_t n, int64_t k) {
  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE()) {
    T m = -INFINITY;
    int64_t arg = 0;
    for (int64_t j = 0; j < k; ++j) {
      const T z = x[xoff + i * sx0 + j * sx1] + b[boff + j * sb];
      if (z > m || (z != z && m == m)) { m = z; arg = j; }
    }
    double sum = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      const T e = exp(x[xoff + i * sx0 + j * sx1] + b[boff + j * sb] - m);
      sm[i * k + j] = e;
      sum += e;
    }
    const T inv = (T)(1.0 / sum);
    for (int64_t j = 0; j < k; ++j) sm[i * k + j] *= inv;
    const int64_t l = y[i];
    nll[i] = (T)log(sum) - (x[xoff + i * sx0 + l * sx1] + b[boff + l * sb] - m);
    am[i] = arg;
  }
}

KERNEL void theon_xent_dx(GLOBAL_MEM T* dx, GLOBAL_MEM const T* dy, int64_t dyoff, int64_t sdy,
                          GLOBAL_MEM const T* sm, int64_t smoff, int64_t ss0, int64_t ss1,
                          GLOBAL_MEM const int64_t* y, int64_t n, int64_t k) {
  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE()) {
    const T g = dy[dyoff + i * sdy];
    for (int64_t j = 0; j < k; ++j) dx[i * k + j] = g * sm[smoff + i * ss0 + j * ss1];
    dx[i * k + y[i]] -= g;
  }
}
)";

std::string typed(const std::string& source, DType dt) {
  return std::string("#define T ") + device_type(dt) + "\n" + source;
}

// The element stride of dimension d of `a`, 0 where it has size 1 (broadcast).
int64_t stride_or_0(const DeviceArray& a, int d) {
  return a.shape()[d] == 1 ? 0 : a.strides()[d];
}

class NnetKernel final : public Kernel {
 public:
  explicit NnetKernel(const Apply& node) : node_(node) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device nnet"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const std::string type = node_.op()->type_name();
    if (type == "Softmax" || type == "LogSoftmax") return softmax(inputs, outputs);
    // The label checks and shape errors are the host kernel's: run it on bad input.
    const int64_t n = shape_of(inputs[type == "CrossentropySoftmax1HotWithBiasDx" ? 1 : 0])[0];
    const int64_t k =
        type == "CrossentropySoftmax1HotWithBiasDx" ? shape_of(inputs[1])[1] : classes(inputs);
    std::shared_ptr<DeviceArray> labels = checked_labels(inputs[2], n, k);
    if (!labels || !shapes_fit(inputs, n, k)) return run_on_host(node_, inputs, outputs);
    const std::string what = node_.op()->name();
    const Device device = node_.output_ref(0).type.device;
    const DeviceInputs in = device_inputs({inputs[0], inputs[1]}, device, what);
    const DeviceArray &a = *in.arrays[0], &b = *in.arrays[1];
    DeviceRuntime& rt = runtime(device);
    const DType dt = node_.output_ref(0).type.dtype;
    if (type == "CrossentropySoftmax1HotWithBiasDx") {
      auto dx = DeviceArray::empty(device, dt, {n, k}, what);
      rt.launch(rt.kernel(typed(kXentSource, dt), "theon_xent_dx"), std::min(n, kMaxWorkItems),
                {KernelArg::of(*dx->buffer()), KernelArg::of(*a.buffer()),
                 KernelArg::int64(a.offset()), KernelArg::int64(stride_or_0(a, 0)),
                 KernelArg::of(*b.buffer()), KernelArg::int64(b.offset()),
                 KernelArg::int64(b.strides()[0]), KernelArg::int64(b.strides()[1]),
                 KernelArg::of(*labels->buffer()), KernelArg::int64(n), KernelArg::int64(k)});
      outputs[0] = Value(dx);
      return;
    }
    auto nll = DeviceArray::empty(device, dt, {n}, what);
    auto sm = DeviceArray::empty(device, dt, {n, k}, what);
    auto am = DeviceArray::empty(device, DType::Int64, {n}, what);
    rt.launch(
        rt.kernel(typed(kXentSource, dt), "theon_xent"), std::min(n, kMaxWorkItems),
        {KernelArg::of(*nll->buffer()), KernelArg::of(*sm->buffer()), KernelArg::of(*am->buffer()),
         KernelArg::of(*a.buffer()), KernelArg::int64(a.offset()), KernelArg::int64(a.strides()[0]),
         KernelArg::int64(stride_or_0(a, 1)), KernelArg::of(*b.buffer()),
         KernelArg::int64(b.offset()), KernelArg::int64(stride_or_0(b, 0)),
         KernelArg::of(*labels->buffer()), KernelArg::int64(n), KernelArg::int64(k)});
    outputs[0] = Value(nll);
    outputs[1] = Value(sm);
    outputs[2] = Value(am);
  }

 private:
  static Shape shape_of(const Value& v) {
    return v.is_array() ? v.array().shape() : device_array(v, "a value").shape();
  }

  // The forward op's k: x's columns, or b's entries where x has one column.
  static int64_t classes(const std::vector<Value>& inputs) {
    const int64_t kx = shape_of(inputs[0])[1], kb = shape_of(inputs[1])[0];
    return kx == 1 ? kb : kx;
  }

  // The shapes the host kernel accepts (it raises the errors for the others).
  bool shapes_fit(const std::vector<Value>& inputs, int64_t n, int64_t k) const {
    const Shape a = shape_of(inputs[0]), b = shape_of(inputs[1]), y = shape_of(inputs[2]);
    if (y[0] != n) return false;
    if (node_.op()->type_name() == "CrossentropySoftmax1HotWithBiasDx") {
      return a[0] == n || a[0] == 1;
    }
    return (a[1] == k || a[1] == 1) && (b[0] == k || b[0] == 1);
  }

  // The labels in [0, k) as int64 on the device; null when one is out of range.
  std::shared_ptr<DeviceArray> checked_labels(const Value& y, int64_t n, int64_t k) const {
    NDArray host = (y.is_array() ? y.array() : device_array(y, "labels").to_host());
    host = host.astype(DType::Int64);
    if (host.size() != n) return nullptr;
    for (int64_t i = 0; i < n; ++i) {
      int64_t& l = host.data<int64_t>()[i];
      if (l < -k || l >= k) return nullptr;
      if (l < 0) l += k;
    }
    return DeviceArray::from_host(host, node_.output_ref(0).type.device);
  }

  void softmax(const std::vector<Value>& inputs, std::vector<Value>& outputs) const {
    const auto& op = static_cast<const Softmax&>(*node_.op());
    const std::string what = op.name();
    const Device device = node_.output_ref(0).type.device;
    const DeviceInputs in = device_inputs(inputs, device, what);
    const DeviceArray& x = *in.arrays[0];
    if ((!op.axis() && !x.is_c_contiguous()) || (op.axis() && *op.axis() >= x.ndim())) {
      return run_on_host(node_, inputs, outputs);
    }
    auto y = DeviceArray::empty(device, x.dtype(), x.shape(), what);
    std::vector<KernelArg> args{KernelArg::of(*y->buffer()), KernelArg::of(*x.buffer()),
                                KernelArg::int64(x.offset())};
    int rest_dims = 0;
    if (!op.axis()) {
      args.insert(args.end(), {KernelArg::int64(x.size() ? 1 : 0), KernelArg::int64(x.size()),
                               KernelArg::int64(1), KernelArg::int64(1)});
    } else {
      const int ax = static_cast<int>(*op.axis());
      const int64_t n = x.shape()[ax];
      args.insert(args.end(),
                  {KernelArg::int64(n ? x.size() / n : 0), KernelArg::int64(n),
                   KernelArg::int64(x.strides()[ax]), KernelArg::int64(y->strides()[ax])});
      for (int d = 0; d < x.ndim(); ++d) {
        if (d == ax) continue;
        args.insert(args.end(), {KernelArg::int64(x.shape()[d]), KernelArg::int64(x.strides()[d]),
                                 KernelArg::int64(y->strides()[d])});
        ++rest_dims;
      }
    }
    DeviceRuntime& rt = runtime(device);
    const int64_t rows = args[3].i;
    rt.launch(rt.kernel(typed(softmax_source(op.log(), rest_dims), x.dtype()), "theon_softmax"),
              std::min(rows, kMaxWorkItems), args);
    outputs[0] = Value(y);
  }

  const Apply& node_;
};

std::unique_ptr<Kernel> make_nnet(const Apply& node) {
  const DType dt = node.output_ref(0).type.dtype;
  if (!device_float(dt) || node.inputs()[0]->type.dtype != dt) return nullptr;
  return std::make_unique<NnetKernel>(node);
}

}  // namespace

void register_nnet_kernels() {
  for (const char* op : {"Softmax", "LogSoftmax", "CrossentropySoftmaxArgmax1HotWithBias",
                         "CrossentropySoftmax1HotWithBiasDx"}) {
    register_device_kernel(op, make_nnet);
  }
}

}  // namespace theon::device
