// Reduction device kernels: sum, prod, max and min over any axes, of one input (Reduce nodes)
// or of an elementwise tree (Fused nodes with a reduction), float32 and float64. One work item
// per output element walks the reduced elements in C order, computing the tree at each and
// folding it with the reduction's combining scalar op, the same C expression as the CPU's
// kernels (so max and min propagate NaN alike). mean is sum times 1/n in the graph. The
// gradients' SumToShape and SumToDims are sums over the axes their target shape gives.
#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "fused_source.hpp"
#include "theon/codegen/emit.hpp"
#include "theon/device/dialect.hpp"
#include "theon/device/kernels.hpp"
#include "theon/ops/reduce.hpp"
#include "theon/ops/scalar.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

std::string identity(const ReductionRule& rule, const char* type) {
  if (std::isinf(rule.identity)) return std::string(rule.identity < 0 ? "-" : "") + "INFINITY";
  return std::string("(") + type + ")" + std::to_string(static_cast<int>(rule.identity));
}

// Kept (output) dimensions ks0.., reduced dimensions rs0..; per input k its strides along each,
// kst<k>_d and rst<k>_d. The output is C-contiguous.
std::string emit_source(const Fused& op, int kept, int reduced) {
  const ReductionRule& rule = reduction_rule(op.reduction()->kind);
  const int nin = static_cast<int>(op.input_types().size());
  const char* acc_type = device_type(op.value_dtype(op.outputs()[0]));
  auto dims = [](const std::string& prefix, int n) {
    std::string s;
    for (int d = 0; d < n; ++d) s += ", int64_t " + prefix + std::to_string(d);
    return s;
  };
  std::string s = std::string("KERNEL void theon_reduce(GLOBAL_MEM ") + acc_type + "* p0";
  for (int i = 1; i <= nin; ++i) {
    s += std::string(", GLOBAL_MEM const ") + device_type(op.input_types()[i - 1].dtype) + "* p" +
         std::to_string(i) + ", int64_t off" + std::to_string(i);
  }
  s += ", int64_t nout, int64_t nred" + dims("ks", kept) + dims("rs", reduced);
  for (int i = 1; i <= nin; ++i) {
    s += dims("kst" + std::to_string(i) + "_", kept) +
         dims("rst" + std::to_string(i) + "_", reduced);
  }
  // Adds to at<i> the offsets of flat index `index` over the dimensions of kind `kind` ("k":
  // kept, "r": reduced).
  auto walk = [&](const std::string& kind, int n, const std::string& index) {
    std::vector<std::pair<std::string, std::string>> bases;
    for (int i = 1; i <= nin; ++i) {
      bases.emplace_back("at" + std::to_string(i), kind + "st" + std::to_string(i) + "_");
    }
    return add_offsets_source(index, n, kind + "s", bases, "    ");
  };
  s += ") {\n  for (int64_t o = GLOBAL_ID(); o < nout; o += GLOBAL_SIZE()) {\n";
  for (int i = 1; i <= nin; ++i) {
    s += "    int64_t base" + std::to_string(i) + " = off" + std::to_string(i) + ";\n";
  }
  // The kept coordinates set each input's base.
  std::string bases = walk("k", kept, "o");
  for (int i = 1; i <= nin; ++i) {
    const std::string is = std::to_string(i);
    for (size_t at; (at = bases.find(" at" + is + " += ")) != std::string::npos;) {
      bases.replace(at, 3 + is.size(), " base" + is);
    }
  }
  s += bases;
  s += "    " + std::string(acc_type) + " acc = " + identity(rule, acc_type) + ";\n";
  s += "    for (int64_t r = 0; r < nred; ++r) {\n";
  for (int i = 1; i <= nin; ++i) {
    s += "    int64_t at" + std::to_string(i) + " = base" + std::to_string(i) + ";\n";
  }
  s += walk("r", reduced, "r");
  s += emit_values(op, 1, "    ");
  const std::string x = "v" + std::to_string(op.outputs()[0]);
  s += "    acc = (" + std::string(acc_type) + ")(" +
       codegen::expand_c_expr(find_scalar_op(rule.combine).c_expr, {"acc", x}, acc_type) + ");\n";
  s += "    }\n    p0[o] = acc;\n  }\n}\n";
  return s;
}

class ReductionKernel final : public Kernel {
 public:
  ReductionKernel(const Apply& node, std::shared_ptr<const Fused> op)
      : node_(node), op_(std::move(op)) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device reduction"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const std::string what = node_.op()->name();
    const Device device = node_.output_ref(0).type.device;
    const std::string type = node_.op()->type_name();
    if (type == "SumToShape" || type == "SumToDims") {
      return sum_to_shape(inputs, outputs, device, what);
    }
    const DeviceInputs in = device_inputs(inputs, device, what);
    std::vector<Shape> shapes;
    for (const DeviceArray* a : in.arrays) shapes.push_back(a->shape());
    const Shape shape = broadcast_shapes(shapes, what);
    std::vector<bool> reduced(shape.size(), false);
    for (int64_t a : op_->reduction()->axes) reduced.at(static_cast<size_t>(a)) = true;
    outputs[0] = Value(reduce(in.arrays, shape, reduced, op_->reduction()->keepdims, what));
  }

 private:
  // The gradient g (input 0) summed to a target shape, that of input 1 (SumToShape) or given
  // by the scalar inputs 1... (SumToDims): over g's extra leading dimensions and where the
  // target has size 1; shapes that do not fit go to the host kernel, which raises the error.
  void sum_to_shape(const std::vector<Value>& inputs, std::vector<Value>& outputs, Device device,
                    const std::string& what) const {
    Shape target;
    if (node_.op()->type_name() == "SumToShape") {
      target = inputs[1].is_array() ? inputs[1].array().shape()
                                    : device_array(inputs[1], what + ": input 1").shape();
    } else {
      for (size_t i = 1; i < inputs.size(); ++i) {
        const NDArray d =
            inputs[i].is_array() ? inputs[i].array() : device_array(inputs[i], what).to_host();
        target.push_back(static_cast<int64_t>(d.flat_as_double(0)));
      }
    }
    const DeviceInputs in = device_inputs({inputs[0]}, device, what);
    const DeviceArray& g = *in.arrays[0];
    const int nd = g.ndim(), lead = nd - static_cast<int>(target.size());
    std::vector<bool> reduced(static_cast<size_t>(nd), true);
    bool fits = lead >= 0;
    for (int d = std::max(lead, 0); fits && d < nd; ++d) {
      const int64_t want = target[static_cast<size_t>(d - lead)];
      fits = want == g.shape()[d] || want == 1;
      reduced[d] = want != g.shape()[d];
    }
    if (!fits) return run_on_host(node_, inputs, outputs);
    auto sum = reduce(in.arrays, g.shape(), reduced, false, what);
    outputs[0] = Value(std::make_shared<DeviceArray>(sum->buffer(), sum->dtype(), target,
                                                     c_element_strides(target), 0));
  }

  // op_'s tree over `in` (broadcast to `shape`) reduced along the dimensions marked in
  // `reduced`, C-contiguous.
  std::shared_ptr<DeviceArray> reduce(const std::vector<const DeviceArray*>& in, const Shape& shape,
                                      const std::vector<bool>& reduced, bool keepdims,
                                      const std::string& what) const {
    const Device device = node_.output_ref(0).type.device;
    const int nd = static_cast<int>(shape.size());
    Shape out_shape, kept_shape, reduced_shape;
    for (int d = 0; d < nd; ++d) {
      if (!reduced[d]) {
        out_shape.push_back(shape[d]);
        kept_shape.push_back(shape[d]);
      } else {
        reduced_shape.push_back(shape[d]);
        if (keepdims) out_shape.push_back(1);
      }
    }
    const ReductionRule& rule = reduction_rule(op_->reduction()->kind);
    const int64_t nred = shape_size(reduced_shape);
    if (nred == 0 && rule.empty_error) {
      throw ValueError(op_error(*node_.op(), std::string(rule.empty_error) + " (input shape " +
                                                 shape_str(shape) + ", on " + device.str() + ")"));
    }
    auto out = DeviceArray::empty(device, op_->value_dtype(op_->outputs()[0]), out_shape, what);
    const int64_t nout = shape_size(out_shape);

    std::vector<KernelArg> args{KernelArg::of(*out->buffer())};
    for (const DeviceArray* a : in) {
      args.push_back(KernelArg::of(*a->buffer()));
      args.push_back(KernelArg::int64(a->offset()));
    }
    args.push_back(KernelArg::int64(nout));
    args.push_back(KernelArg::int64(nred));
    for (int64_t e : kept_shape) args.push_back(KernelArg::int64(e));
    for (int64_t e : reduced_shape) args.push_back(KernelArg::int64(e));
    for (const DeviceArray* a : in) {
      const std::vector<int64_t> strides = broadcast_strides(*a, nd);
      for (int d = 0; d < nd; ++d) {
        if (!reduced[d]) args.push_back(KernelArg::int64(strides[d]));
      }
      for (int d = 0; d < nd; ++d) {
        if (reduced[d]) args.push_back(KernelArg::int64(strides[d]));
      }
    }
    DeviceRuntime& rt = runtime(device);
    const int nk = static_cast<int>(kept_shape.size());
    const int nr = static_cast<int>(reduced_shape.size());
    rt.launch(rt.kernel(source(nk, nr), "theon_reduce"), std::min(nout, kMaxWorkItems), args);
    return out;
  }

  const std::string& source(int kept, int reduced) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string& s = sources_[{kept, reduced}];
    if (s.empty()) s = emit_source(*op_, kept, reduced);
    return s;
  }

  const Apply& node_;
  std::shared_ptr<const Fused> op_;
  mutable std::mutex mutex_;
  mutable std::map<std::pair<int, int>, std::string> sources_;
};

bool device_fold(ReduceKind kind) {
  return kind == ReduceKind::Sum || kind == ReduceKind::Prod || kind == ReduceKind::Max ||
         kind == ReduceKind::Min;
}

// A Reduce node as a Fused tree of no step reducing its one input.
std::shared_ptr<const Fused> as_reducing_tree(const Apply& node) {
  if (auto fused = std::dynamic_pointer_cast<const Fused>(node.op())) {
    return fused->reduction() ? fused : nullptr;
  }
  auto reduce = std::dynamic_pointer_cast<const Reduce>(node.op());
  if (!reduce || node.inputs().size() != 1) return nullptr;
  if (node.inputs()[0]->type.dtype != node.output_ref(0).type.dtype) return nullptr;
  return std::make_shared<Fused>(
      std::vector<TensorType>{node.inputs()[0]->type}, std::vector<FusedStep>{},
      std::vector<int>{0}, FusedReduction{reduce->kind(), reduce->axes(), reduce->keepdims()});
}

// SumToShape and SumToDims sum their first input: a tree of no step, axes chosen per call.
std::unique_ptr<Kernel> make_sum_to_shape(const Apply& node) {
  const TensorType& g = node.inputs()[0]->type;
  if (!device_float(g.dtype) || g.dtype != node.output_ref(0).type.dtype) return nullptr;
  auto op =
      std::make_shared<Fused>(std::vector<TensorType>{g}, std::vector<FusedStep>{},
                              std::vector<int>{0}, FusedReduction{ReduceKind::Sum, {}, false});
  return std::make_unique<ReductionKernel>(node, std::move(op));
}

std::unique_ptr<Kernel> make_reduction(const Apply& node) {
  std::shared_ptr<const Fused> op = as_reducing_tree(node);
  if (!op || !device_fold(op->reduction()->kind) || !device_steps(*op)) return nullptr;
  if (!device_float(op->value_dtype(op->outputs()[0]))) return nullptr;
  return std::make_unique<ReductionKernel>(node, std::move(op));
}

}  // namespace

void register_reduction_kernels() {
  register_device_kernel("Fused", make_reduction);
  register_device_kernel("SumToShape", make_sum_to_shape);
  register_device_kernel("SumToDims", make_sum_to_shape);
  for (ReduceKind k : {ReduceKind::Sum, ReduceKind::Prod, ReduceKind::Max, ReduceKind::Min}) {
    register_device_kernel(reduction_rule(k).type_name, make_reduction);
  }
}

}  // namespace theon::device
