// The CUDA backend where no GPU is needed: NVRTC compiles the dialect (prelude and kernels) for
// the architectures Theon targets, compile errors carry NVRTC's log, and a CUDA device on a
// machine without a driver is a clear error. The runtime's device path (launches, copies,
// cuBLAS) runs only where a GPU is: those tests skip with the reason elsewhere.
#include <dlfcn.h>

#include <functional>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/device/cuda.hpp"
#include "theon/device/device_array.hpp"
#include "theon/device/runtime.hpp"

namespace theon {
namespace {

using device::DeviceArray;
using test_util::iota;
using test_util::values;

const Device kCuda = parse_device("cuda0");

// A kernel calling the prelude's scalar functions on both float types, in the shape of the
// generated ones (a loop over GLOBAL_SIZE() strides, offsets and scalars passed by value).
const std::string kKernel = R"(
KERNEL void theon_check(GLOBAL_MEM float* out, GLOBAL_MEM const double* in, int64_t offset,
                        int64_t n, float scale) {
  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE()) {
    const double x = in[offset + i];
    const float f = (float)x;
    double q;
    const double m = theon_divmod(x, 3.0, &q);
    out[i] = theon_maximum(theon_tanh(f) * scale, theon_floor_divide(f, 2.0f)) +
             (float)(theon_pow(theon_abs(x), m) + q + theon_sign(x) + INFINITY);
  }
}
)";

// Why NVRTC cannot compile here ("" when it can): the tests of compiling skip only where
// NVRTC cannot be loaded or this build has no CUDA backend.
std::string nvrtc_missing() {
  try {
    device::cuda::compile_to_ptx(kKernel, "theon_check", 90);
    return "";
  } catch (const device::DeviceError& e) {
    const std::string m = e.what();
    if (m.find("NVRTC is unavailable") != std::string::npos) return m;
#ifndef THEON_HAVE_CUDA
    return m;
#endif
    throw;
  }
}

#define REQUIRE_NVRTC()                                        \
  if (const std::string why = nvrtc_missing(); !why.empty()) { \
    GTEST_SKIP() << "NVRTC cannot compile here: " << why;      \
  }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const device::DeviceError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a DeviceError";
  return "";
}

TEST(DeviceCuda, ThePreludeAndAKernelCompileForEachTargetArchitecture) {
  REQUIRE_NVRTC();
  for (int arch : {80, 90}) {
    const std::string ptx = device::cuda::compile_to_ptx(kKernel, "theon_check", arch);
    EXPECT_NE(ptx.find(".target sm_" + std::to_string(arch)), std::string::npos) << arch;
    EXPECT_NE(ptx.find(".entry theon_check("), std::string::npos) << ptx;
  }
}

TEST(DeviceCuda, KernelsCompileWithoutFastMath) {
  REQUIRE_NVRTC();
  // Division and square root round correctly, subnormals are kept, and a * b + c is two
  // roundings as on the host (no contraction into a fused multiply-add).
  const std::string ptx = device::cuda::compile_to_ptx(
      "KERNEL void arith(GLOBAL_MEM float* p) { p[0] = p[1] / p[2] + sqrt(p[3]);\n"
      "  p[4] = p[5] * p[6] + p[7]; }\n",
      "arith", 90);
  EXPECT_NE(ptx.find("div.rn.f32"), std::string::npos) << ptx;
  EXPECT_NE(ptx.find("sqrt.rn.f32"), std::string::npos) << ptx;
  EXPECT_NE(ptx.find("mul.rn.f32"), std::string::npos) << ptx;
  EXPECT_EQ(ptx.find(".ftz"), std::string::npos) << ptx;
  EXPECT_EQ(ptx.find("fma."), std::string::npos) << ptx;
  EXPECT_EQ(ptx.find("approx"), std::string::npos) << ptx;
}

TEST(DeviceCuda, CompileErrorsGiveTheLogAndTheSource) {
  REQUIRE_NVRTC();
  const std::string source = "KERNEL void broken(GLOBAL_MEM float* p) { p[0] = undefined_q; }\n";
  const std::string m = message_of([&] { device::cuda::compile_to_ptx(source, "broken", 90); });
  EXPECT_NE(m.find("compiling CUDA kernel broken for compute_90 failed: "
                   "NVRTC_ERROR_COMPILATION"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("build log:"), std::string::npos) << m;
  EXPECT_NE(m.find("identifier \"undefined_q\" is undefined"), std::string::npos) << m;
  EXPECT_NE(m.find("source:\n"), std::string::npos) << m;
  EXPECT_NE(m.find(source), std::string::npos) << m;
  // A source that compiles but lacks the kernel asked for.
  const std::string missing =
      message_of([] { device::cuda::compile_to_ptx(kKernel, "theon_other", 90); });
  EXPECT_NE(missing.find("the source defines no kernel named theon_other"), std::string::npos)
      << missing;
}

// The CUDA driver library can be loaded here (a GPU machine).
bool has_driver() {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib) dlclose(lib);
  return lib != nullptr;
}

TEST(DeviceCuda, WithoutADriverCudaDevicesAreClearErrors) {
  if (has_driver()) GTEST_SKIP() << "libcuda.so.1 is installed here";
  EXPECT_FALSE(device::device_available(kCuda));
  EXPECT_FALSE(device::device_available(parse_device("cuda3")));
  const std::string m = message_of([] { device::runtime(kCuda); });
#ifdef THEON_HAVE_CUDA
  EXPECT_NE(m.find("device cuda0 is unavailable: the CUDA driver (libcuda.so.1) was not found: "),
            std::string::npos)
      << m;
#else
  EXPECT_NE(m.find("device cuda0 is unavailable: this build of Theon has no CUDA backend"),
            std::string::npos)
      << m;
#endif
  // Asked again, the same reason (the failed load is remembered, not retried into a crash).
  EXPECT_EQ(message_of([] { device::runtime(kCuda); }), m);
}

#define REQUIRE_CUDA()                                                                \
  if (!device::device_available(kCuda)) {                                             \
    GTEST_SKIP() << "no CUDA device: " << message_of([] { device::runtime(kCuda); }); \
  }

TEST(DeviceCuda, IndicesBeyondTheDevicesSayHowManyExist) {
  REQUIRE_CUDA();
  const std::string m = message_of([] { device::runtime(parse_device("cuda99")); });
  EXPECT_NE(m.find("device cuda99 is unavailable: the CUDA driver finds "), std::string::npos) << m;
}

TEST(DeviceCuda, KernelsAndCopiesRunOnTheGpu) {
  REQUIRE_CUDA();
  device::DeviceRuntime& rt = device::runtime(kCuda);
  const std::string source =
      "KERNEL void scaled(GLOBAL_MEM float* out, GLOBAL_MEM const double* in, int64_t offset,\n"
      "                   int64_t n, float scale) {\n"
      "  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE())\n"
      "    out[i] = (float)in[offset + i] * scale;\n}\n";
  // More elements than one block and than the work items asked for: the stride loop covers all.
  const int64_t n = 1000;
  auto in = DeviceArray::from_host(iota(DType::Float64, {n + 3}), kCuda);
  auto out = DeviceArray::empty(kCuda, DType::Float32, {n});
  const int64_t compiled = rt.stats().compiled_kernels;
  for (int i = 0; i < 2; ++i) {
    rt.launch(rt.kernel(source, "scaled"), 300,
              {device::KernelArg::of(*out->buffer()), device::KernelArg::of(*in->buffer()),
               device::KernelArg::int64(3), device::KernelArg::int64(n),
               device::KernelArg::float32(0.5f)});
  }
  EXPECT_EQ(rt.stats().compiled_kernels - compiled, 1);
  std::vector<double> want;
  for (int64_t i = 0; i < n; ++i) want.push_back(static_cast<float>(i + 3) * 0.5f);
  EXPECT_EQ(values(out->to_host()), want);
  // A strided view of a device buffer read back.
  DeviceArray view(in->buffer(), DType::Float64, {4}, {2}, 1);
  EXPECT_EQ(values(view.to_host()), (std::vector<double>{1, 3, 5, 7}));
  EXPECT_NE(rt.name().find("CUDA / "), std::string::npos) << rt.name();
}

TEST(DeviceCuda, GemmMatchesTheHostForEachTransposition) {
  REQUIRE_CUDA();
  device::DeviceRuntime& rt = device::runtime(kCuda);
  if (!rt.has_blas()) GTEST_SKIP() << "cuBLAS is unavailable";
  // A (2x3) = 0..5, B (3x2) = 0..5 row-major; C = A B = [[10, 13], [28, 40]].
  const std::vector<double> want{10, 13, 28, 40};
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      // The transposed operands hold A^T (3x2) and B^T (2x3) row-major.
      const std::vector<double> a =
          ta ? std::vector<double>{0, 3, 1, 4, 2, 5} : std::vector<double>{0, 1, 2, 3, 4, 5};
      const std::vector<double> b =
          tb ? std::vector<double>{0, 2, 4, 1, 3, 5} : std::vector<double>{0, 1, 2, 3, 4, 5};
      auto da = DeviceArray::from_host(NDArray::from_vector<double>(a, {6}), kCuda);
      auto db = DeviceArray::from_host(NDArray::from_vector<double>(b, {6}), kCuda);
      auto dc = DeviceArray::from_host(NDArray::from_vector<double>({1, 1, 1, 1}, {4}), kCuda);
      rt.gemm(DType::Float64, ta, tb, 2, 2, 3, 1.0, *da->buffer(), 0, ta ? 2 : 3, *db->buffer(), 0,
              tb ? 3 : 2, 0.0, *dc->buffer(), 0, 2);
      EXPECT_EQ(values(dc->to_host()), want) << ta << tb;
    }
  }
}

}  // namespace
}  // namespace theon
