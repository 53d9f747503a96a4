// The CUDA backend: the device's primary context and one non-blocking stream per device, so
// launches and copies run in the order they were issued and a host read waits for the kernels
// before it. Kernels are compiled by NVRTC (device code for the device's architecture, or PTX
// the driver finishes where NVRTC does not know the architecture).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cublas.hpp"
#include "driver_api.hpp"
#include "nvrtc.hpp"
#include "theon/device/runtime.hpp"

namespace theon::device::cuda {
namespace {

// Threads per block of every launch; the kernels loop over their elements with stride
// GLOBAL_SIZE(), so the grid only has to cover `global_size` threads.
constexpr int64_t kBlockSize = 256;

class CudaKernel final : public CompiledKernel {
 public:
  CudaKernel(CUmodule module, CUfunction function) : module(module), function(function) {}
  ~CudaKernel() override { driver().cuModuleUnload(module); }
  CUmodule module;
  CUfunction function;
};

CUdeviceptr ptr(const DeviceBuffer& b) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(b.handle()));
}

class CudaRuntime final : public DeviceRuntime {
 public:
  CudaRuntime(Device device, CUdevice id) : device_(device) {
    const Driver& cu = driver();
    char name[256] = {};
    check(cu.cuDeviceGetName(name, sizeof(name) - 1, id), "cuDeviceGetName on " + device.str());
    int major = 0, minor = 0;
    check(cu.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, id),
          "cuDeviceGetAttribute on " + device.str());
    check(cu.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, id),
          "cuDeviceGetAttribute on " + device.str());
    arch_ = major * 10 + minor;
    name_ = std::string("CUDA / ") + name + " (compute capability " + std::to_string(major) + "." +
            std::to_string(minor) + ")";
    check(cu.cuDevicePrimaryCtxRetain(&context_, id),
          "cuDevicePrimaryCtxRetain on " + device.str());
    make_current();
    check(cu.cuStreamCreate(&stream_, CU_STREAM_NON_BLOCKING), "cuStreamCreate on " + device.str());
  }
  // Runtimes live for the whole process (see runtime()); the driver reclaims their objects.
  ~CudaRuntime() override = default;

  Device device() const override { return device_; }
  std::string name() const override { return name_; }

  void launch(const CompiledKernel& k, int64_t global_size,
              const std::vector<KernelArg>& args) override {
    if (global_size <= 0) return;
    // cuLaunchKernel takes a pointer to each argument's value, read before it returns.
    union Slot {
      CUdeviceptr buffer;
      long long i;
      float f32;
      double f64;
    };
    std::vector<Slot> values(args.size());
    std::vector<void*> pointers(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      const KernelArg& a = args[i];
      switch (a.kind) {
        case KernelArg::Kind::Buffer:
          values[i].buffer = ptr(*a.buffer);
          break;
        case KernelArg::Kind::Int64:
          values[i].i = a.i;
          break;
        case KernelArg::Kind::Float32:
          values[i].f32 = static_cast<float>(a.f);
          break;
        case KernelArg::Kind::Float64:
          values[i].f64 = a.f;
          break;
      }
      pointers[i] = &values[i];
    }
    const int64_t blocks = std::min<int64_t>((global_size + kBlockSize - 1) / kBlockSize, INT_MAX);
    make_current();
    check(driver().cuLaunchKernel(
              static_cast<const CudaKernel&>(k).function, static_cast<unsigned>(blocks), 1, 1,
              static_cast<unsigned>(kBlockSize), 1, 1, 0, stream_, pointers.data(), nullptr),
          "cuLaunchKernel on " + device_.str());
  }

  void copy_to_device(const DeviceBuffer& dst, size_t dst_offset, const void* src,
                      size_t bytes) override {
    if (bytes == 0) return;
    make_current();
    // From pageable host memory the call returns once `src` has been read, as the caller needs.
    check(driver().cuMemcpyHtoDAsync(ptr(dst) + dst_offset, src, bytes, stream_),
          "copying " + std::to_string(bytes) + " bytes to " + device_.str());
  }
  void copy_to_host(void* dst, const DeviceBuffer& src, size_t src_offset, size_t bytes) override {
    if (bytes == 0) return;
    make_current();
    check(driver().cuMemcpyDtoHAsync(dst, ptr(src) + src_offset, bytes, stream_),
          "copying " + std::to_string(bytes) + " bytes from " + device_.str());
    // The host reads `dst` as soon as this returns.
    synchronize();
  }
  void copy_on_device(const DeviceBuffer& dst, size_t dst_offset, const DeviceBuffer& src,
                      size_t src_offset, size_t bytes) override {
    if (bytes == 0) return;
    make_current();
    check(driver().cuMemcpyDtoDAsync(ptr(dst) + dst_offset, ptr(src) + src_offset, bytes, stream_),
          "copying " + std::to_string(bytes) + " bytes within " + device_.str());
  }
  void synchronize() override {
    make_current();
    check(driver().cuStreamSynchronize(stream_), "cuStreamSynchronize on " + device_.str());
  }

  bool has_blas() override { return blas_handle() != nullptr; }
  void gemm(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
            const DeviceBuffer& a, int64_t a_offset, int64_t lda, const DeviceBuffer& b,
            int64_t b_offset, int64_t ldb, double beta, const DeviceBuffer& c, int64_t c_offset,
            int64_t ldc) override {
    const cublasHandle_t handle = blas_handle();
    if (!handle) {
      throw DeviceError("gemm on " + device_.str() + ": cuBLAS is unavailable (" + blas_failure_ +
                        ")");
    }
    // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: cuBLAS reads each
    // row-major matrix as its transpose, so the operands swap and keep their own op.
    const cublasOperation_t ta = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t tb = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const size_t item = dtype == DType::Float32 ? sizeof(float) : sizeof(double);
    auto at = [item](const DeviceBuffer& buf, int64_t offset) {
      return ptr(buf) + static_cast<CUdeviceptr>(offset) * item;
    };
    make_current();
    const Cublas& blas = *cublas();
    cublasStatus_t status;
    if (dtype == DType::Float32) {
      const float fa = static_cast<float>(alpha), fb = static_cast<float>(beta);
      status = blas.cublasSgemm_64(handle, tb, ta, n, m, k, &fa,
                                   reinterpret_cast<const float*>(at(b, b_offset)), ldb,
                                   reinterpret_cast<const float*>(at(a, a_offset)), lda, &fb,
                                   reinterpret_cast<float*>(at(c, c_offset)), ldc);
    } else {
      status = blas.cublasDgemm_64(handle, tb, ta, n, m, k, &alpha,
                                   reinterpret_cast<const double*>(at(b, b_offset)), ldb,
                                   reinterpret_cast<const double*>(at(a, a_offset)), lda, &beta,
                                   reinterpret_cast<double*>(at(c, c_offset)), ldc);
    }
    if (status != CUBLAS_STATUS_SUCCESS) {
      throw DeviceError("cuBLAS gemm (" + std::to_string(m) + "x" + std::to_string(k) + " times " +
                        std::to_string(k) + "x" + std::to_string(n) + ") on " + device_.str() +
                        " failed: " + blas.cublasGetStatusName(status));
    }
  }

 protected:
  void* allocate_block(size_t bytes) override {
    make_current();
    CUdeviceptr p = 0;
    check(driver().cuMemAlloc(&p, bytes),
          "allocating " + std::to_string(bytes) + " bytes on " + device_.str());
    return reinterpret_cast<void*>(static_cast<uintptr_t>(p));
  }
  void free_block(void* handle) override {
    make_current();
    driver().cuMemFree(static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(handle)));
  }

  std::unique_ptr<CompiledKernel> compile(const std::string& source,
                                          const std::string& name) override {
    // Device code where NVRTC knows the device's architecture, else PTX of the newest one it
    // knows that the device runs (the driver compiles that on load).
    const int target = supported_arch(arch_);
    if (target == 0) {
      throw DeviceError("compiling kernel " + name + " for " + device_.str() +
                        ": NVRTC compiles for no architecture as old as compute capability " +
                        std::to_string(arch_ / 10) + "." + std::to_string(arch_ % 10));
    }
    const std::string code =
        cuda::compile(source, name, target, target == arch_ ? CodeKind::Cubin : CodeKind::Ptx);
    make_current();
    CUmodule module = nullptr;
    check(driver().cuModuleLoadData(&module, code.data()),
          "loading kernel " + name + " on " + device_.str());
    CUfunction function = nullptr;
    const CUresult found = driver().cuModuleGetFunction(&function, module, name.c_str());
    if (found != CUDA_SUCCESS) driver().cuModuleUnload(module);
    check(found, "cuModuleGetFunction " + name);
    return std::make_unique<CudaKernel>(module, function);
  }

 private:
  // Every thread that calls the runtime works in the device's context.
  void make_current() {
    check(driver().cuCtxSetCurrent(context_), "cuCtxSetCurrent on " + device_.str());
  }

  // The runtime's cuBLAS handle on its stream, created on first use; null when cuBLAS is
  // unavailable (blas_failure_ then says why).
  cublasHandle_t blas_handle() {
    std::call_once(blas_once_, [this] {
      const Cublas* blas = cublas(&blas_failure_);
      if (!blas) return;
      make_current();
      cublasHandle_t handle = nullptr;
      cublasStatus_t status = blas->cublasCreate(&handle);
      if (status == CUBLAS_STATUS_SUCCESS) status = blas->cublasSetStream(handle, stream_);
      if (status != CUBLAS_STATUS_SUCCESS) {
        blas_failure_ = std::string("cublasCreate failed: ") + blas->cublasGetStatusName(status);
        return;
      }
      blas_ = handle;
    });
    return blas_;
  }

  Device device_;
  int arch_ = 0;  // compute capability, 10 * major + minor
  std::string name_;
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
  std::once_flag blas_once_;
  cublasHandle_t blas_ = nullptr;
  std::string blas_failure_;
};

}  // namespace

std::unique_ptr<DeviceRuntime> open_runtime(Device device) {
  const std::string unavailable = "device " + device.str() + " is unavailable: ";
  const Driver* cu = nullptr;
  try {
    cu = &driver();
  } catch (const Error& e) {
    throw DeviceError(unavailable + e.what());
  }
  const CUresult init = cu->cuInit(0);
  if (init == CUDA_ERROR_STUB_LIBRARY) {
    throw DeviceError(unavailable +
                      "the libcuda.so.1 found is the CUDA toolkit's stub library, not a driver");
  }
  if (init != CUDA_SUCCESS) {
    throw DeviceError(unavailable + "cuInit failed: " + error_name(init) +
                      " (no usable NVIDIA GPU or driver)");
  }
  int count = 0;
  check(cu->cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (device.index < 0 || device.index >= count) {
    throw DeviceError(unavailable + "the CUDA driver finds " + std::to_string(count) +
                      " device(s)");
  }
  CUdevice id = 0;
  check(cu->cuDeviceGet(&id, device.index), "cuDeviceGet " + std::to_string(device.index));
  return std::make_unique<CudaRuntime>(device, id);
}

}  // namespace theon::device::cuda
