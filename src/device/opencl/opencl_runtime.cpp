// The OpenCL backend: one context and one in-order queue per device, so launches and copies run
// in the order they were issued and a host read waits for the kernels before it.
#include <mutex>
#include <vector>

#include "clblast.hpp"
#include "opencl_api.hpp"
#include "theon/device/runtime.hpp"

namespace theon::device::opencl {
namespace {

class ClKernel final : public CompiledKernel {
 public:
  ClKernel(cl_program program, cl_kernel kernel) : program(program), kernel(kernel) {}
  ~ClKernel() override {
    api().clReleaseKernel(kernel);
    api().clReleaseProgram(program);
  }
  cl_program program;
  cl_kernel kernel;
};

// A string property of an OpenCL object, read with `get` (clGetDeviceInfo, ...) named `name`.
template <class Get, class Id, class Info>
std::string info_string(Get get, Id id, Info what, const char* name) {
  size_t size = 0;
  check(get(id, what, 0, nullptr, &size), name);
  std::string s(size, '\0');
  check(get(id, what, size, s.data(), nullptr), name);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

std::string device_string(cl_device_id id, cl_device_info what) {
  return info_string(api().clGetDeviceInfo, id, what, "clGetDeviceInfo");
}

std::string platform_string(cl_platform_id id, cl_platform_info what) {
  return info_string(api().clGetPlatformInfo, id, what, "clGetPlatformInfo");
}

class OpenCLRuntime final : public DeviceRuntime {
 public:
  OpenCLRuntime(Device device, cl_platform_id platform, cl_device_id id)
      : device_(device), id_(id) {
    name_ = platform_string(platform, CL_PLATFORM_NAME) + " / " + device_string(id, CL_DEVICE_NAME);
    cl_int err = CL_SUCCESS;
    context_ = api().clCreateContext(nullptr, 1, &id_, nullptr, nullptr, &err);
    check(err, "clCreateContext on " + device.str());
    queue_ = api().clCreateCommandQueue(context_, id_, 0, &err);
    if (err != CL_SUCCESS) api().clReleaseContext(context_);
    check(err, "clCreateCommandQueue on " + device.str());
  }
  // Runtimes live for the whole process (see runtime()); the driver reclaims their objects.
  ~OpenCLRuntime() override = default;

  Device device() const override { return device_; }
  std::string name() const override { return name_; }

  void launch(const CompiledKernel& k, int64_t global_size,
              const std::vector<KernelArg>& args) override {
    if (global_size <= 0) return;
    const cl_kernel kernel = static_cast<const ClKernel&>(k).kernel;
    // Arguments are state of the kernel object: set and enqueue under one lock.
    std::lock_guard<std::mutex> lock(launch_mutex_);
    for (size_t i = 0; i < args.size(); ++i) {
      const KernelArg& a = args[i];
      const cl_uint index = static_cast<cl_uint>(i);
      cl_int err = CL_SUCCESS;
      switch (a.kind) {
        case KernelArg::Kind::Buffer: {
          cl_mem mem = static_cast<cl_mem>(a.buffer->handle());
          err = api().clSetKernelArg(kernel, index, sizeof(mem), &mem);
          break;
        }
        case KernelArg::Kind::Int64: {
          const cl_long v = a.i;
          err = api().clSetKernelArg(kernel, index, sizeof(v), &v);
          break;
        }
        case KernelArg::Kind::Float32: {
          const cl_float v = static_cast<cl_float>(a.f);
          err = api().clSetKernelArg(kernel, index, sizeof(v), &v);
          break;
        }
        case KernelArg::Kind::Float64: {
          const cl_double v = a.f;
          err = api().clSetKernelArg(kernel, index, sizeof(v), &v);
          break;
        }
      }
      check(err, "clSetKernelArg (argument " + std::to_string(i) + ") on " + device_.str());
    }
    const size_t global = static_cast<size_t>(global_size);
    check(api().clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, nullptr, 0, nullptr,
                                       nullptr),
          "clEnqueueNDRangeKernel on " + device_.str());
  }

  void copy_to_device(const DeviceBuffer& dst, size_t dst_offset, const void* src,
                      size_t bytes) override {
    if (bytes == 0) return;
    check(api().clEnqueueWriteBuffer(queue_, mem(dst), CL_TRUE, dst_offset, bytes, src, 0, nullptr,
                                     nullptr),
          "copying " + std::to_string(bytes) + " bytes to " + device_.str());
  }
  void copy_to_host(void* dst, const DeviceBuffer& src, size_t src_offset, size_t bytes) override {
    if (bytes == 0) return;
    check(api().clEnqueueReadBuffer(queue_, mem(src), CL_TRUE, src_offset, bytes, dst, 0, nullptr,
                                    nullptr),
          "copying " + std::to_string(bytes) + " bytes from " + device_.str());
  }
  void copy_on_device(const DeviceBuffer& dst, size_t dst_offset, const DeviceBuffer& src,
                      size_t src_offset, size_t bytes) override {
    if (bytes == 0) return;
    check(api().clEnqueueCopyBuffer(queue_, mem(src), mem(dst), src_offset, dst_offset, bytes, 0,
                                    nullptr, nullptr),
          "copying " + std::to_string(bytes) + " bytes within " + device_.str());
  }
  void synchronize() override { check(api().clFinish(queue_), "clFinish on " + device_.str()); }

  bool has_blas() override { return clblast() != nullptr; }
  void gemm(DType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
            const DeviceBuffer& a, int64_t a_offset, int64_t lda, const DeviceBuffer& b,
            int64_t b_offset, int64_t ldb, double beta, const DeviceBuffer& c, int64_t c_offset,
            int64_t ldc) override {
    std::string why;
    const Clblast* blas = clblast(&why);
    if (!blas)
      throw DeviceError("gemm on " + device_.str() + ": CLBlast is unavailable (" + why + ")");
    auto z = [](int64_t v) { return static_cast<size_t>(v); };
    const ClblastTranspose ta = trans_a ? kClblastTrans : kClblastNoTrans;
    const ClblastTranspose tb = trans_b ? kClblastTrans : kClblastNoTrans;
    const int status =
        dtype == DType::Float32
            ? blas->sgemm(kClblastRowMajor, ta, tb, z(m), z(n), z(k), static_cast<float>(alpha),
                          mem(a), z(a_offset), z(lda), mem(b), z(b_offset), z(ldb),
                          static_cast<float>(beta), mem(c), z(c_offset), z(ldc), &queue_, nullptr)
            : blas->dgemm(kClblastRowMajor, ta, tb, z(m), z(n), z(k), alpha, mem(a), z(a_offset),
                          z(lda), mem(b), z(b_offset), z(ldb), beta, mem(c), z(c_offset), z(ldc),
                          &queue_, nullptr);
    // CLBlast's status codes below -1000 are its own; the others are OpenCL's.
    if (status != 0) {
      throw DeviceError(
          "CLBlast gemm (" + std::to_string(m) + "x" + std::to_string(k) + " times " +
          std::to_string(k) + "x" + std::to_string(n) + ") on " + device_.str() + " failed: " +
          (status > -1000 ? error_name(status) : "CLBlast status " + std::to_string(status)));
    }
  }

 protected:
  void* allocate_block(size_t bytes) override {
    cl_int err = CL_SUCCESS;
    cl_mem m = api().clCreateBuffer(context_, CL_MEM_READ_WRITE, bytes, nullptr, &err);
    check(err, "allocating " + std::to_string(bytes) + " bytes on " + device_.str());
    return m;
  }
  void free_block(void* handle) override { api().clReleaseMemObject(static_cast<cl_mem>(handle)); }

  std::unique_ptr<CompiledKernel> compile(const std::string& source,
                                          const std::string& name) override {
    const char* text = source.c_str();
    const size_t length = source.size();
    cl_int err = CL_SUCCESS;
    cl_program program = api().clCreateProgramWithSource(context_, 1, &text, &length, &err);
    check(err, "clCreateProgramWithSource for kernel " + name);
    // No fast-math options: kernels keep IEEE semantics for NaN, inf and -0.0, as on the host.
    err = api().clBuildProgram(program, 1, &id_, "", nullptr, nullptr);
    if (err != CL_SUCCESS) {
      const std::string log = build_log(program);
      api().clReleaseProgram(program);
      throw DeviceError("compiling kernel " + name + " for " + device_.str() + " failed: " +
                        error_name(err) + "\nbuild log:\n" + log + "\nsource:\n" + source);
    }
    cl_kernel kernel = api().clCreateKernel(program, name.c_str(), &err);
    if (err != CL_SUCCESS) api().clReleaseProgram(program);
    check(err, "clCreateKernel " + name);
    return std::make_unique<ClKernel>(program, kernel);
  }

 private:
  static cl_mem mem(const DeviceBuffer& b) { return static_cast<cl_mem>(b.handle()); }

  std::string build_log(cl_program program) const {
    auto get = [this](cl_program p, cl_program_build_info what, size_t size, void* value,
                      size_t* size_ret) {
      return api().clGetProgramBuildInfo(p, id_, what, size, value, size_ret);
    };
    try {
      return info_string(get, program, CL_PROGRAM_BUILD_LOG, "clGetProgramBuildInfo");
    } catch (const Error&) {
      return "(no build log)";
    }
  }

  Device device_;
  cl_device_id id_;
  std::string name_;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::mutex launch_mutex_;
};

}  // namespace

std::unique_ptr<DeviceRuntime> open_runtime(Device device) {
  const Api& cl = api();
  cl_uint num_platforms = 0;
  const cl_int err = cl.clGetPlatformIDs(0, nullptr, &num_platforms);
  if (err == CL_PLATFORM_NOT_FOUND_KHR || num_platforms == 0) {
    throw DeviceError("device " + device.str() +
                      " is unavailable: OpenCL finds no platform (no driver is installed, e.g. "
                      "Debian's pocl-opencl-icd)");
  }
  check(err, "clGetPlatformIDs");
  if (device.platform < 0 || static_cast<cl_uint>(device.platform) >= num_platforms) {
    throw DeviceError("device " + device.str() + " is unavailable: OpenCL platform " +
                      std::to_string(device.platform) + " does not exist (" +
                      std::to_string(num_platforms) + " platform(s) found)");
  }
  std::vector<cl_platform_id> platforms(num_platforms);
  check(cl.clGetPlatformIDs(num_platforms, platforms.data(), nullptr), "clGetPlatformIDs");
  const cl_platform_id platform = platforms[static_cast<size_t>(device.platform)];
  cl_uint num_devices = 0;
  const cl_int derr = cl.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &num_devices);
  if (derr != CL_SUCCESS && derr != CL_DEVICE_NOT_FOUND) check(derr, "clGetDeviceIDs");
  if (device.index < 0 || static_cast<cl_uint>(device.index) >= num_devices) {
    throw DeviceError("device " + device.str() + " is unavailable: OpenCL platform " +
                      std::to_string(device.platform) + " (" +
                      platform_string(platform, CL_PLATFORM_NAME) + ") has " +
                      std::to_string(num_devices) + " device(s)");
  }
  std::vector<cl_device_id> devices(num_devices);
  check(cl.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, num_devices, devices.data(), nullptr),
        "clGetDeviceIDs");
  return std::make_unique<OpenCLRuntime>(device, platform,
                                         devices[static_cast<size_t>(device.index)]);
}

}  // namespace theon::device::opencl
