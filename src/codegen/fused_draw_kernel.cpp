#include "theon/codegen/fused_draw_kernel.hpp"

#include <algorithm>

#include "theon/core/thread_pool.hpp"

namespace theon::codegen {
namespace {

// Bytes of a tile of the draw: it stays in the second-level cache between its drawing and the
// loop's reading it. On the dropout benchmark (benchmarks/dropout.py, 10^7 float32) tiles of
// 4 and 8 KiB were slower than drawing the whole mask first, and 32 KiB to 1 MiB alike within
// the machine's noise.
constexpr int64_t kTileBytes = 256 * 1024;

// Elements per thread below which the loop stays on one thread (as for Fused loops).
constexpr int64_t kMinElementsPerThread = 1 << 15;

}  // namespace

FusedDrawKernel::FusedDrawKernel(std::shared_ptr<const FusedDraw> op)
    : op_(std::move(op)), loop_(op_->loop()) {}

void FusedDrawKernel::run(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  const size_t nout = outputs.size() - 1;
  const std::unique_ptr<DrawRanges> draw =
      draw_ranges(op_->draw(), op_->draw_args(inputs), outputs[nout]);
  std::vector<NDArray> results(std::make_move_iterator(outputs.begin()),
                               std::make_move_iterator(outputs.begin() + static_cast<long>(nout)));
  const FusedKernelFn fn = loop_.installed();
  if (!fn || !run_tiles(fn, *draw, inputs, results)) {
    NDArray sample;
    draw->sample_into(sample);
    loop_.run(op_->loop_args(inputs, sample), results);
  }
  for (size_t k = 0; k < nout; ++k) outputs[k] = std::move(results[k]);
}

bool FusedDrawKernel::run_tiles(FusedKernelFn fn, const DrawRanges& draw,
                                const std::vector<NDArray>& inputs,
                                std::vector<NDArray>& outputs) const {
  const Fused& loop = *op_->loop();
  const Shape& shape = draw.shape();
  const int64_t n = shape_size(shape);
  const int drawn = op_->drawn();
  const int nin = static_cast<int>(loop.input_types().size());
  const int nout = static_cast<int>(outputs.size());
  if (loop.reduction() || n == 0) return false;
  // Operands: the outputs, then the loop's inputs; each either a C-contiguous array of the
  // draw's shape, walked at its item size, or one element read at stride 0.
  std::vector<char*> base(nout + nin);
  std::vector<int64_t> strides(nout + nin);
  for (int i = 0; i < nin; ++i) {
    const int k = nout + i;
    if (i == drawn) {
      strides[k] = static_cast<int64_t>(itemsize(draw.dtype()));
      continue;
    }
    const NDArray& a = inputs[i < drawn ? i : i - 1];
    if (a.shape() == shape && a.is_c_contiguous()) {
      strides[k] = static_cast<int64_t>(itemsize(a.dtype()));
    } else if (a.size() == 1 && a.ndim() <= static_cast<int>(shape.size())) {
      strides[k] = 0;
    } else {
      return false;
    }
    base[k] = a.raw();
  }
  // Every input left is contiguous or one element, so an input the output may overwrite has
  // the tiles' layout.
  if (loop_.writable_in_place(op_->loop_args(inputs, NDArray()), shape)) {
    outputs[0] =
        inputs[loop.inplace_input() < drawn ? loop.inplace_input() : loop.inplace_input() - 1];
    base[0] = outputs[0].raw();
    strides[0] = static_cast<int64_t>(itemsize(outputs[0].dtype()));
  } else {
    for (int k = 0; k < nout; ++k) {
      const DType dt = loop.value_dtype(loop.outputs()[k]);
      base[k] = reuse_or_empty(outputs[k], dt, shape).raw();
      strides[k] = static_cast<int64_t>(itemsize(dt));
    }
  }
  const int64_t tile = kTileBytes / strides[nout + drawn];
  parallel_for(n, kMinElementsPerThread, [&](int64_t begin, int64_t end) {
    // One buffer per thread, kept between calls: a fresh 256 KiB block would be a fresh
    // mapping each time, its pages faulted in again.
    thread_local std::vector<char> buffer;
    buffer.resize(static_cast<size_t>(kTileBytes));
    std::vector<char*> at(base.size());
    for (int64_t first = begin; first < end; first += tile) {
      int64_t len = std::min(tile, end - first);
      draw.fill(first, first + len, buffer.data());
      for (size_t k = 0; k < base.size(); ++k) {
        at[k] =
            k == static_cast<size_t>(nout + drawn) ? buffer.data() : base[k] + first * strides[k];
      }
      fn(1, &len, at.data(), strides.data());
    }
  });
  return true;
}

void register_fused_draw_kernel() {
  register_kernel("FusedDraw", DeviceKind::Cpu, [](const Apply& node) -> std::unique_ptr<Kernel> {
    auto op = std::dynamic_pointer_cast<const FusedDraw>(node.op());
    if (!op) return nullptr;
    return std::make_unique<FusedDrawKernel>(std::move(op));
  });
}

}  // namespace theon::codegen
