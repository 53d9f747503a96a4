// Matrix products on a device through its BLAS (CLBlast on OpenCL): Dot of vectors and
// matrices and Gemm (alpha op(X) op(Y) + beta Z). Operands whose layout BLAS takes (rows or
// columns contiguous) are passed as they are, others are first copied contiguous; Z is copied
// into the output, broadcast, before gemm accumulates into it. Nodes on a device without a BLAS
// library, or of other dtypes or ranks, decline and run on the host (host_fallback.cpp).
#include <algorithm>

#include "fused_source.hpp"
#include "theon/device/kernels.hpp"
#include "theon/ops/blas.hpp"
#include "theon/ops/gemm.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon::device {
namespace {

// dst (C-contiguous, rows x cols) = scale * src read with element strides (st0, st1), or 0
// where `zero` is set (beta == 0 must not read Z, as in BLAS).
const char* const kScaledCopySource = R"(
KERNEL void theon_scaled_copy(GLOBAL_MEM T* dst, GLOBAL_MEM const T* src, int64_t off, int64_t n,
                              int64_t cols, int64_t st0, int64_t st1, T scale, int64_t zero) {
  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE()) {
    dst[i] = zero ? (T)0 : scale * src[off + (i / cols) * st0 + (i % cols) * st1];
  }
}
)";

// Writes scale * src (broadcast to rows x cols) into dst, or zeros.
void scaled_copy(const DeviceArray& dst, const DeviceArray& src, double scale, bool zero) {
  const int64_t rows = dst.ndim() == 2 ? dst.shape()[0] : 1;
  const int64_t cols = dst.ndim() == 0 ? 1 : dst.shape().back();
  const int64_t n = rows * cols;
  if (n == 0) return;
  std::vector<int64_t> st = broadcast_strides(src, 2);
  if (src.ndim() < 2 && dst.ndim() == 1 && rows == 1) st[0] = 0;
  const bool f32 = dst.dtype() == DType::Float32;
  const std::string source =
      std::string("#define T ") + device_type(dst.dtype()) + "\n" + kScaledCopySource;
  DeviceRuntime& rt = dst.runtime();
  rt.launch(rt.kernel(source, "theon_scaled_copy"), std::min(n, kMaxWorkItems),
            {KernelArg::of(*dst.buffer()), KernelArg::of(*src.buffer()),
             KernelArg::int64(src.offset()), KernelArg::int64(n), KernelArg::int64(cols),
             KernelArg::int64(st[0]), KernelArg::int64(st[1]),
             f32 ? KernelArg::float32(static_cast<float>(scale)) : KernelArg::float64(scale),
             KernelArg::int64(zero ? 1 : 0)});
}

// A matrix operand as BLAS takes it: buffer, offset and leading dimension of a row-major
// matrix, transposed when its columns are contiguous; `copy` holds a contiguous copy made for
// layouts BLAS cannot read.
struct MatrixOperand {
  const DeviceArray* array;
  int64_t rows, cols, ld;
  bool trans;
  std::shared_ptr<DeviceArray> copy;
};

MatrixOperand matrix_operand(const DeviceArray& a, int64_t rows, int64_t cols) {
  const int64_t s0 = a.ndim() == 2 ? a.strides()[0] : cols;
  const int64_t s1 = a.ndim() == 2 ? a.strides()[1] : 1;
  if ((cols == 1 || s1 == 1) && (rows == 1 || s0 >= std::max<int64_t>(cols, 1))) {
    return {&a, rows, cols, rows == 1 ? std::max<int64_t>(cols, 1) : s0, false, nullptr};
  }
  if ((rows == 1 || s0 == 1) && (cols == 1 || s1 >= std::max<int64_t>(rows, 1))) {
    return {&a, rows, cols, cols == 1 ? std::max<int64_t>(rows, 1) : s1, true, nullptr};
  }
  auto copy = DeviceArray::empty(a.device(), a.dtype(), {rows, cols});
  scaled_copy(*copy, a, 1.0, false);
  return {copy.get(), rows, cols, std::max<int64_t>(cols, 1), false, copy};
}

// out (C-contiguous m x n, already holding beta Z or zeros) += alpha op(x) op(y).
void gemm_into(const DeviceArray& out, const DeviceArray& x, bool trans_x, const DeviceArray& y,
               bool trans_y, int64_t m, int64_t n, int64_t k, double alpha, double beta) {
  if (m == 0 || n == 0 || k == 0) return;
  const MatrixOperand a = matrix_operand(x, trans_x ? k : m, trans_x ? m : k);
  const MatrixOperand b = matrix_operand(y, trans_y ? n : k, trans_y ? k : n);
  out.runtime().gemm(out.dtype(), a.trans != trans_x, b.trans != trans_y, m, n, k, alpha,
                     *a.array->buffer(), a.array->offset(), a.ld, *b.array->buffer(),
                     b.array->offset(), b.ld, beta, *out.buffer(), out.offset(),
                     std::max<int64_t>(n, 1));
}

double scalar_of(const Value& v, const std::string& what) {
  return v.is_array() ? v.array().flat_as_double(0)
                      : device_array(v, what).to_host().flat_as_double(0);
}

// The (rows, cols) a Dot operand of rank 1 or 2 takes: a vector is a row on the left and a
// column on the right.
std::pair<int64_t, int64_t> dot_dims(const DeviceArray& a, bool left) {
  if (a.ndim() == 2) return {a.shape()[0], a.shape()[1]};
  return left ? std::pair<int64_t, int64_t>{1, a.shape()[0]}
              : std::pair<int64_t, int64_t>{a.shape()[0], 1};
}

class BlasKernel final : public Kernel {
 public:
  explicit BlasKernel(const Apply& node) : node_(node) {}
  bool takes_values() const override { return true; }
  std::string origin() const override { return "device blas"; }

  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const std::string what = node_.op()->name();
    const Device device = node_.output_ref(0).type.device;
    const DeviceInputs in = device_inputs(inputs, device, what);
    if (const auto* gemm = dynamic_cast<const Gemm*>(node_.op().get())) {
      run_gemm(*gemm, in.arrays, scalar_of(inputs[1], what), scalar_of(inputs[4], what), what,
               inputs, outputs);
    } else {
      run_dot(in.arrays, inputs, outputs);
    }
  }

 private:
  void run_dot(const std::vector<const DeviceArray*>& in, const std::vector<Value>& inputs,
               std::vector<Value>& outputs) const {
    const DeviceArray &x = *in[0], &y = *in[1];
    const auto [m, k] = dot_dims(x, true);
    const auto [k2, n] = dot_dims(y, false);
    // Misaligned operands: the host kernel raises its error.
    if (k != k2) return run_on_host(node_, inputs, outputs);
    Shape shape;
    if (x.ndim() == 2) shape.push_back(m);
    if (y.ndim() == 2) shape.push_back(n);
    auto out = DeviceArray::empty(x.device(), x.dtype(), shape);
    if (k == 0) scaled_copy(*out, *out, 0.0, true);
    gemm_into(*out, x, false, y, false, m, n, k, 1.0, 0.0);
    outputs[0] = Value(out);
  }

  void run_gemm(const Gemm& op, const std::vector<const DeviceArray*>& in, double alpha,
                double beta, const std::string& what, const std::vector<Value>& inputs,
                std::vector<Value>& outputs) const {
    const DeviceArray &z = *in[0], &x = *in[2], &y = *in[3];
    const int64_t m = x.shape()[op.trans_x() ? 1 : 0], k = x.shape()[op.trans_x() ? 0 : 1];
    const int64_t k2 = y.shape()[op.trans_y() ? 1 : 0], n = y.shape()[op.trans_y() ? 0 : 1];
    const Shape shape{m, n};
    // Z broadcasting beyond the product's shape, or misaligned operands: the host's kernel.
    if (k != k2 || broadcast_shapes({shape, z.shape()}, what) != shape) {
      return run_on_host(node_, inputs, outputs);
    }
    auto out = DeviceArray::empty(x.device(), x.dtype(), shape);
    scaled_copy(*out, z, beta, beta == 0);
    gemm_into(*out, x, op.trans_x(), y, op.trans_y(), m, n, k, alpha, 1.0);
    outputs[0] = Value(out);
  }

  const Apply& node_;
};

std::unique_ptr<Kernel> make_blas(const Apply& node) {
  const Device device = node.output_ref(0).type.device;
  const DType dt = node.output_ref(0).type.dtype;
  if (!device_float(dt) || !device_available(device) || !runtime(device).has_blas()) {
    return nullptr;
  }
  const bool gemm = dynamic_cast<const Gemm*>(node.op().get()) != nullptr;
  const std::vector<int> matrices = gemm ? std::vector<int>{0, 2, 3} : std::vector<int>{0, 1};
  for (int i : matrices) {
    const TensorType& t = node.inputs()[static_cast<size_t>(i)]->type;
    if (t.dtype != dt) return nullptr;
    if (gemm ? t.ndim() > 2 : (t.ndim() < 1 || t.ndim() > 2)) return nullptr;
  }
  if (gemm && (node.inputs()[2]->type.ndim() != 2 || node.inputs()[3]->type.ndim() != 2)) {
    return nullptr;
  }
  return std::make_unique<BlasKernel>(node);
}

}  // namespace

void register_blas_kernels() {
  register_device_kernel("Dot", make_blas);
  register_device_kernel("Gemm", make_blas);
}

}  // namespace theon::device
