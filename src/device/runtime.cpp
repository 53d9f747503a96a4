#include "theon/device/runtime.hpp"

#include <unordered_map>

#include "theon/device/cuda.hpp"
#include "theon/device/dialect.hpp"

namespace theon::device {

#ifdef THEON_HAVE_OPENCL
namespace opencl {
std::unique_ptr<DeviceRuntime> open_runtime(Device device);  // opencl/opencl_runtime.cpp
}
#endif
#ifdef THEON_HAVE_CUDA
namespace cuda {
std::unique_ptr<DeviceRuntime> open_runtime(Device device);  // cuda/cuda_runtime.cpp
}
#else
std::string cuda::compile_to_ptx(const std::string&, const std::string& name, int) {
  throw DeviceError("compiling CUDA kernel " + name +
                    ": this build of Theon has no CUDA backend (the CUDA toolkit's headers were "
                    "not found when it was built)");
}
#endif

namespace {

// Blocks are sized in steps of 256 bytes (the alignment every backend guarantees), and a
// cached block serves a request up to twice smaller, so a pool of varying sizes stays bounded.
constexpr size_t kGranule = 256;

size_t round_up(size_t bytes) {
  return (bytes + kGranule - 1) / kGranule * kGranule;
}

std::unique_ptr<DeviceRuntime> open_backend(Device device) {
  switch (device.kind) {
    case DeviceKind::OpenCL:
#ifdef THEON_HAVE_OPENCL
      return opencl::open_runtime(device);
#else
      throw DeviceError("device " + device.str() +
                        " is unavailable: this build of Theon has no OpenCL backend (the "
                        "OpenCL headers were not found when it was built)");
#endif
    case DeviceKind::Cuda:
#ifdef THEON_HAVE_CUDA
      return cuda::open_runtime(device);
#else
      throw DeviceError("device " + device.str() +
                        " is unavailable: this build of Theon has no CUDA backend (the CUDA "
                        "toolkit's headers were not found when it was built)");
#endif
    case DeviceKind::Cpu:
      break;
  }
  throw ValueError("the host (cpu) has no device runtime");
}

}  // namespace

DeviceBuffer::~DeviceBuffer() {
  runtime_.give_back(handle_, bytes_);
}

DeviceRuntime::~DeviceRuntime() = default;

std::shared_ptr<DeviceBuffer> DeviceRuntime::allocate(size_t bytes) {
  const size_t size = round_up(bytes == 0 ? 1 : bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = free_blocks_.lower_bound(size);
  void* handle = nullptr;
  size_t block = size;
  if (it != free_blocks_.end() && it->first <= 2 * size) {
    block = it->first;
    handle = it->second;
    free_blocks_.erase(it);
    stats_.bytes_cached -= block;
  } else {
    // Out of device memory: the cached blocks are given back to the device for one retry, and
    // a request that still fails says what the pool held.
    for (bool retried = free_blocks_.empty();; retried = true) {
      try {
        handle = allocate_block(size);
        break;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::Memory) throw;
        if (retried) {
          throw MemoryError(std::string(e.what()) + " (the pool holds " +
                            std::to_string(stats_.bytes_in_use) + " bytes in use and " +
                            std::to_string(stats_.bytes_cached) + " cached)");
        }
        free_cached_blocks();
      }
    }
    ++stats_.device_allocations;
  }
  stats_.bytes_in_use += block;
  return std::make_shared<DeviceBuffer>(*this, handle, block);
}

void DeviceRuntime::give_back(void* handle, size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  free_blocks_.emplace(bytes, handle);
  stats_.bytes_in_use -= bytes;
  stats_.bytes_cached += bytes;
}

void DeviceRuntime::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  free_cached_blocks();
}

void DeviceRuntime::free_cached_blocks() {
  for (const auto& [bytes, handle] : free_blocks_) free_block(handle);
  free_blocks_.clear();
  stats_.bytes_cached = 0;
}

PoolStats DeviceRuntime::stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

const CompiledKernel& DeviceRuntime::kernel(const std::string& source, const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = kernels_[{source, name}];
  if (!slot) {
    slot = compile(std::string(kPrelude) + source, name);
    ++stats_.compiled_kernels;
  }
  return *slot;
}

std::vector<std::pair<std::string, std::string>> DeviceRuntime::compiled_sources() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, kernel] : kernels_) out.push_back(key);
  return out;
}

void DeviceRuntime::gemm(DType, bool, bool, int64_t, int64_t, int64_t, double, const DeviceBuffer&,
                         int64_t, int64_t, const DeviceBuffer&, int64_t, int64_t, double,
                         const DeviceBuffer&, int64_t, int64_t) {
  throw DeviceError("gemm on " + device().str() + ": the device has no BLAS library");
}

DeviceRuntime& runtime(Device device) {
  static std::mutex mutex;
  // Runtimes live for the process: buffers held by Python objects may outlive any scope.
  static auto* runtimes = new std::unordered_map<std::string, std::unique_ptr<DeviceRuntime>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = (*runtimes)[device.str()];
  if (!slot) slot = open_backend(device);
  return *slot;
}

bool device_available(Device device) {
  try {
    runtime(device);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace theon::device
