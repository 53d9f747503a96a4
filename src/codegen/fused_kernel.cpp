#include "theon/codegen/fused_kernel.hpp"

#include <algorithm>
#include <cstring>

#include "theon/core/iterate.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/variable.hpp"

namespace theon::codegen {
namespace {

// Elements per thread below which a kernel stays on one thread: the wake-up of a worker costs
// about as much as computing this many simple elements.
constexpr int64_t kMinElementsPerThread = 1 << 15;

// Operands of the small-array path, which keeps its pointers on the stack.
constexpr size_t kMaxContiguousOperands = 32;

// The generated odometer's counter array has this many entries.
constexpr int kMaxKernelDims = 64;

}  // namespace

FusedLoopKernel::FusedLoopKernel(std::shared_ptr<const Fused> op)
    : op_(std::move(op)),
      name_(op_->name()),
      native_(std::make_shared<std::atomic<FusedKernelFn>>(nullptr)),
      step_loop_(std::make_shared<std::atomic<FusedStepLoopFn>>(nullptr)) {
  const int nin = static_cast<int>(op_->input_types().size());
  for (size_t k = 1; k < op_->outputs().size(); ++k) {
    std::vector<bool> seen(nin + op_->steps().size(), false);
    std::vector<int> stack{op_->outputs()[k]}, used;
    while (!stack.empty()) {
      const int v = stack.back();
      stack.pop_back();
      if (seen[v]) continue;
      seen[v] = true;
      if (v < nin) {
        used.push_back(v);
      } else {
        for (int a : op_->steps()[v - nin].args) stack.push_back(a);
      }
    }
    output_inputs_.push_back(std::move(used));
  }
}

void FusedLoopKernel::run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  if (FusedKernelFn fn = installed()) {
    run_native(fn, inputs, outputs);
  } else {
    op_->perform(inputs, outputs);
  }
}

bool FusedLoopKernel::writable_in_place(const std::vector<NDArray>& inputs,
                                        const Shape& shape) const {
  if (op_->inplace_input() < 0) return false;
  const NDArray& d = inputs[op_->inplace_input()];
  if (d.dtype() != op_->value_dtype(op_->outputs()[0]) || d.shape() != shape || !d.writeable())
    return false;
  // A dimension of stride 0 would make output elements share memory.
  for (int i = 0; i < d.ndim(); ++i) {
    if (d.shape(i) > 1 && d.strides()[i] == 0) return false;
  }
  return true;
}

bool FusedLoopKernel::run_contiguous(FusedKernelFn fn, const std::vector<NDArray>& inputs,
                                     std::vector<NDArray>& outputs) const {
  const size_t nin = inputs.size();
  const size_t nout = op_->outputs().size();
  if (op_->reduction() || nin + nout > kMaxContiguousOperands) return false;
  const NDArray* full = nullptr;
  for (size_t i = 0; i < nin; ++i) {
    if (op_->is_scalar_input(static_cast<int>(i))) continue;
    if (full == nullptr) {
      full = &inputs[i];
    } else if (inputs[i].shape() != full->shape()) {
      return false;
    }
    if (!inputs[i].is_c_contiguous()) return false;
  }
  if (full == nullptr) {  // every input is one element: the output is one, of the largest rank
    for (size_t i = 0; i < nin; ++i) {
      if (full == nullptr || inputs[i].ndim() > full->ndim()) full = &inputs[i];
    }
  }
  if (full == nullptr || full->size() >= kMinElementsPerThread) return false;
  for (size_t i = 0; i < nin; ++i) {
    if (inputs[i].ndim() > full->ndim()) return false;
  }
  char* base[kMaxContiguousOperands];
  int64_t strides[kMaxContiguousOperands];
  if (writable_in_place(inputs, full->shape())) {
    outputs[0] = inputs[op_->inplace_input()];
    base[0] = outputs[0].raw();
  } else {
    for (size_t k = 0; k < nout; ++k) {
      base[k] =
          reuse_or_empty(outputs[k], op_->value_dtype(op_->outputs()[k]), full->shape()).raw();
    }
  }
  for (size_t k = 0; k < nout; ++k)
    strides[k] = static_cast<int64_t>(itemsize(op_->value_dtype(op_->outputs()[k])));
  for (size_t i = 0; i < nin; ++i) {
    base[nout + i] = inputs[i].raw();
    strides[nout + i] = inputs[i].size() == 1 && full->size() != 1
                            ? 0
                            : static_cast<int64_t>(itemsize(inputs[i].dtype()));
  }
  const int64_t n = full->size();
  if (n > 0) fn(1, &n, base, strides);
  return true;
}

void FusedLoopKernel::run_native(FusedKernelFn fn, const std::vector<NDArray>& inputs,
                                 std::vector<NDArray>& outputs) const {
  // Small contiguous arrays skip the loop planner: this path is most of a tiny call's cost.
  if (run_contiguous(fn, inputs, outputs)) return;
  std::vector<Shape> shapes;
  for (const NDArray& a : inputs) shapes.push_back(a.shape());
  const Shape loop_shape = broadcast_shapes(shapes, name_);
  const int nd = static_cast<int>(loop_shape.size());
  // Every output must have the loop's shape; an intermediate output whose inputs broadcast to
  // a smaller shape at run time (possible only where static shapes are unknown) is left to
  // the reference kernel, as is an empty reduction without identity (it raises).
  for (const std::vector<int>& used : output_inputs_) {
    std::vector<Shape> shapes_used;
    for (int i : used) shapes_used.push_back(inputs[i].shape());
    if (broadcast_shapes(shapes_used, name_) != loop_shape) {
      op_->perform(inputs, outputs);
      return;
    }
  }

  std::vector<NDArray> operands;
  if (op_->reduction()) {
    std::vector<bool> reduced(nd, false);
    for (int64_t a : op_->reduction()->axes) {
      if (a >= nd) {
        op_->perform(inputs, outputs);  // raises the reduction's own error
        return;
      }
      reduced[a] = true;
    }
    Shape out_shape;
    int64_t reduced_count = 1;
    for (int d = 0; d < nd; ++d) {
      if (reduced[d]) {
        reduced_count *= loop_shape[d];
        if (op_->reduction()->keepdims) out_shape.push_back(1);
      } else {
        out_shape.push_back(loop_shape[d]);
      }
    }
    if (reduced_count == 0 && reduction_rule(op_->reduction()->kind).empty_error) {
      op_->perform(inputs, outputs);
      return;
    }
    const DType dt = op_->value_dtype(op_->outputs()[0]);
    NDArray& out = reuse_or_empty(outputs[0], dt, out_shape);
    const double identity = reduction_rule(op_->reduction()->kind).identity;
    if (dt == DType::Float64) {
      std::fill(out.data<double>(), out.data<double>() + out.size(), identity);
    } else {
      std::fill(out.data<float>(), out.data<float>() + out.size(), static_cast<float>(identity));
    }
    // The output seen from the loop: the loop's shape with stride 0 along reduced axes.
    Strides strides(nd, 0);
    int o = 0;
    for (int d = 0; d < nd; ++d) {
      if (reduced[d]) {
        if (op_->reduction()->keepdims) ++o;
      } else {
        strides[d] = out.strides()[o++];
      }
    }
    operands.push_back(out.view(out.raw(), loop_shape, strides));
  } else if (writable_in_place(inputs, loop_shape)) {
    outputs[0] = inputs[op_->inplace_input()];
    operands.push_back(outputs[0]);
  } else {
    for (size_t k = 0; k < op_->outputs().size(); ++k) {
      operands.push_back(
          reuse_or_empty(outputs[k], op_->value_dtype(op_->outputs()[k]), loop_shape));
    }
  }
  if (shape_size(loop_shape) == 0) return;
  for (const NDArray& a : inputs) operands.push_back(a);

  std::vector<const NDArray*> ptrs;
  for (const NDArray& a : operands) ptrs.push_back(&a);
  LoopPlan plan = plan_loop(loop_shape, ptrs);
  if (plan.shape.empty()) {
    plan.shape = {1};
    for (auto& s : plan.strides) s = {0};
  }
  const int pnd = static_cast<int>(plan.shape.size());
  if (pnd > kMaxKernelDims) {
    op_->perform(inputs, outputs);
    return;
  }
  const size_t nops = operands.size();
  // Strides operand-major, as the kernel reads them.
  std::vector<int64_t> strides(nops * pnd);
  for (size_t k = 0; k < nops; ++k) {
    std::copy(plan.strides[k].begin(), plan.strides[k].end(), strides.begin() + k * pnd);
  }
  std::vector<char*> base;
  for (const NDArray& a : operands) base.push_back(a.raw());

  // Threads split the outermost dimension along which the output is not reduced (so they
  // write disjoint output elements). When every dimension is reduced, each thread reduces a
  // slice of the outermost one into a partial result of its own, combined in order after.
  int split = 0;
  if (op_->reduction()) {
    while (split < pnd && strides[split] == 0) ++split;
  }
  const int64_t elements = shape_size(plan.shape);
  if (split == pnd) {
    run_partial_reductions(fn, plan.shape, base, strides, operands[0]);
    return;
  }
  const int64_t rows = plan.shape[split];
  const int64_t per_row = elements / std::max<int64_t>(rows, 1);
  const int64_t min_rows =
      std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(per_row, 1));
  parallel_for(rows, min_rows, [&](int64_t begin, int64_t end) {
    Shape shape = plan.shape;
    shape[split] = end - begin;
    std::vector<char*> chunk_base(nops);
    for (size_t k = 0; k < nops; ++k) chunk_base[k] = base[k] + begin * strides[k * pnd + split];
    fn(pnd, shape.data(), chunk_base.data(), strides.data());
  });
}

void FusedLoopKernel::run_partial_reductions(FusedKernelFn fn, const Shape& shape,
                                             const std::vector<char*>& base,
                                             const std::vector<int64_t>& strides,
                                             NDArray& out) const {
  const int pnd = static_cast<int>(shape.size());
  const size_t nops = base.size();
  const int64_t rows = shape[0];
  const int64_t per_row = shape_size(shape) / std::max<int64_t>(rows, 1);
  const int64_t min_rows =
      std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(per_row, 1));
  const int64_t chunks = std::min<int64_t>(kernel_threads(), std::max<int64_t>(1, rows / min_rows));
  if (chunks <= 1) {
    fn(pnd, shape.data(), base.data(), strides.data());
    return;
  }
  // Each chunk starts from the identity in its own slot; slot 0 is the output itself.
  const DType dt = out.dtype();
  NDArray partial = NDArray::empty(dt, {chunks});
  for (int64_t c = 0; c < chunks; ++c) {
    std::memcpy(partial.raw() + c * itemsize(dt), out.raw(), itemsize(dt));
  }
  parallel_for(chunks, 1, [&](int64_t first, int64_t last) {
    for (int64_t c = first; c < last; ++c) {
      const int64_t begin = rows * c / chunks, end = rows * (c + 1) / chunks;
      Shape chunk_shape = shape;
      chunk_shape[0] = end - begin;
      std::vector<char*> chunk_base(nops);
      chunk_base[0] = partial.raw() + c * itemsize(dt);
      for (size_t k = 1; k < nops; ++k) chunk_base[k] = base[k] + begin * strides[k * pnd];
      fn(pnd, chunk_shape.data(), chunk_base.data(), strides.data());
    }
  });
  const ScalarOp& combine = find_scalar_op(reduction_rule(op_->reduction()->kind).combine);
  const ScalarKernel kernel = combine.kernels[static_cast<int>(dt)];
  std::memcpy(out.raw(), partial.raw(), itemsize(dt));
  for (int64_t c = 1; c < chunks; ++c) {
    const char* in[2] = {out.raw(), partial.raw() + c * itemsize(dt)};
    kernel(in, out.raw(), 1);
  }
}

void register_fused_kernels() {
  register_kernel("Fused", DeviceKind::Cpu, [](const Apply& node) -> std::unique_ptr<Kernel> {
    auto op = std::dynamic_pointer_cast<const Fused>(node.op());
    if (!op) return nullptr;
    return std::make_unique<FusedLoopKernel>(std::move(op));
  });
}

}  // namespace theon::codegen
