// The device runtime: what every GPU backend (OpenCL, CUDA) provides to the rest of Theon.
// Memory is handed out as DeviceBuffers by a caching pool per device, so a function call reuses
// the blocks of earlier calls instead of allocating afresh; kernels are compiled once per
// (source, device) and kept in memory. Backends are loaded at run time (dlopen), so asking for a
// device on a machine without its driver is an error that says why, never a failed import.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "theon/core/device.hpp"
#include "theon/core/dtype.hpp"
#include "theon/core/error.hpp"

namespace theon::device {

// A device that cannot be used or a runtime call that failed (Python's RuntimeError); running
// out of device memory is a MemoryError instead.
struct DeviceError : Error {
  explicit DeviceError(const std::string& m) : Error(ErrorKind::Runtime, m) {}
};

class DeviceRuntime;

// A block of device memory (a cl_mem or a CUdeviceptr, opaque here). Its destructor returns the
// block to its device's pool.
class DeviceBuffer {
 public:
  DeviceBuffer(DeviceRuntime& runtime, void* handle, size_t bytes)
      : runtime_(runtime), handle_(handle), bytes_(bytes) {}
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceRuntime& runtime() const { return runtime_; }
  void* handle() const { return handle_; }
  size_t bytes() const { return bytes_; }

 private:
  DeviceRuntime& runtime_;
  void* handle_;
  size_t bytes_;
};

// One argument of a kernel launch: a buffer, or a scalar passed by value.
struct KernelArg {
  enum class Kind : unsigned char { Buffer, Int64, Float32, Float64 };
  Kind kind;
  const DeviceBuffer* buffer = nullptr;
  int64_t i = 0;
  double f = 0;
  static KernelArg of(const DeviceBuffer& b) { return {Kind::Buffer, &b, 0, 0}; }
  static KernelArg int64(int64_t v) { return {Kind::Int64, nullptr, v, 0}; }
  static KernelArg float32(float v) { return {Kind::Float32, nullptr, 0, v}; }
  static KernelArg float64(double v) { return {Kind::Float64, nullptr, 0, v}; }
};

// A compiled kernel, owned by its runtime's cache.
class CompiledKernel {
 public:
  virtual ~CompiledKernel() = default;
};

// The pool's state, for messages and tests.
struct PoolStats {
  size_t bytes_in_use = 0;         // held by live DeviceBuffers
  size_t bytes_cached = 0;         // free blocks kept for reuse
  int64_t device_allocations = 0;  // blocks the backend allocated so far
  int64_t compiled_kernels = 0;    // distinct sources compiled so far
};

class DeviceRuntime {
 public:
  virtual ~DeviceRuntime();
  virtual Device device() const = 0;
  // "Portable Computing Language / pthread-skylake", for messages and the profile.
  virtual std::string name() const = 0;

  // `bytes` of device memory from the pool (blocks are reused by size class).
  std::shared_ptr<DeviceBuffer> allocate(size_t bytes);
  // Frees every cached block (the backend keeps no other memory).
  void release_cached();
  PoolStats stats();

  // The kernel `name` of `source` (the dialect prelude is prepended), compiled once per source.
  const CompiledKernel& kernel(const std::string& source, const std::string& name);
  // The (source, name) pairs compiled so far, sources without the prelude: lets tests compile
  // every kernel one backend generated for another backend.
  std::vector<std::pair<std::string, std::string>> compiled_sources();
  // Runs `global_size` work items of `kernel` over `args`; returns when it is queued.
  virtual void launch(const CompiledKernel& kernel, int64_t global_size,
                      const std::vector<KernelArg>& args) = 0;
  // Copies between host and device, or within the device; they wait for earlier launches.
  virtual void copy_to_device(const DeviceBuffer& dst, size_t dst_offset, const void* src,
                              size_t bytes) = 0;
  virtual void copy_to_host(void* dst, const DeviceBuffer& src, size_t src_offset,
                            size_t bytes) = 0;
  virtual void copy_on_device(const DeviceBuffer& dst, size_t dst_offset, const DeviceBuffer& src,
                              size_t src_offset, size_t bytes) = 0;
  // Waits until everything queued has finished.
  virtual void synchronize() = 0;

  // Whether gemm works here (the backend found its BLAS library); without it, BLAS ops run on
  // the host.
  virtual bool has_blas() { return false; }
  // C = alpha op(A) op(B) + beta C on row-major float32 or float64 matrices (m x k times k x n),
  // offsets and leading dimensions in elements; op transposes where trans_* is set.
  virtual void gemm(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                    double alpha, const DeviceBuffer& a, int64_t a_offset, int64_t lda,
                    const DeviceBuffer& b, int64_t b_offset, int64_t ldb, double beta,
                    const DeviceBuffer& c, int64_t c_offset, int64_t ldc);

 protected:
  // The backend's allocation primitives and compiler, called under the runtime's lock.
  virtual void* allocate_block(size_t bytes) = 0;
  virtual void free_block(void* handle) = 0;
  virtual std::unique_ptr<CompiledKernel> compile(const std::string& source,
                                                  const std::string& name) = 0;

 private:
  friend class DeviceBuffer;
  void give_back(void* handle, size_t bytes);
  void free_cached_blocks();  // under mutex_

  std::mutex mutex_;
  std::multimap<size_t, void*> free_blocks_;  // by block size
  std::map<std::pair<std::string, std::string>, std::unique_ptr<CompiledKernel>> kernels_;
  PoolStats stats_;
};

// The runtime of `device`, created on first use and kept for the process. Throws
// saying why when the device cannot be used (no driver library, no platform, index out of
// range, a backend this build lacks): a DeviceError.
DeviceRuntime& runtime(Device device);
// Whether `device` can be used here (its runtime starts); never throws.
bool device_available(Device device);

}  // namespace theon::device
