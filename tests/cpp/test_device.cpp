// The device layer on OpenCL (PoCL in CI): runtime (pool, copies, compile cache, errors),
// DeviceArray, generated elementwise kernels, transfers and the host fallback. Every test that
// needs a device skips with the reason when none can be opened here.
#include <cmath>
#include <cstring>
#include <limits>

#include "test_util.hpp"
#include "theon/device/device_array.hpp"
#include "theon/device/runtime.hpp"
#include "theon/ops/transfer.hpp"

namespace theon {
namespace {

using device::DeviceArray;
using test_util::iota;
using test_util::values;

const Device kOpenCL = parse_device("opencl0:0");

// The reason the OpenCL device cannot be used here, or "" when it can.
std::string unavailable() {
  try {
    device::runtime(kOpenCL);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

#define REQUIRE_OPENCL()                                     \
  if (const std::string why = unavailable(); !why.empty()) { \
    GTEST_SKIP() << "no OpenCL device: " << why;             \
  }

TEST(Device, MissingDevicesAreClearErrors) {
  try {
    device::runtime(parse_device("opencl7:0"));
    FAIL() << "expected an error";
  } catch (const device::DeviceError& e) {
    EXPECT_NE(std::string(e.what()).find("opencl7:0 is unavailable"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(device::device_available(parse_device("opencl0:99")));
}

// A runtime over host memory with a fixed capacity, to test the pool without a device.
class BudgetRuntime final : public device::DeviceRuntime {
 public:
  explicit BudgetRuntime(size_t capacity) : capacity_(capacity) {}
  Device device() const override { return parse_device("opencl5:0"); }
  std::string name() const override { return "budget"; }
  void launch(const device::CompiledKernel&, int64_t,
              const std::vector<device::KernelArg>&) override {}
  void copy_to_device(const device::DeviceBuffer&, size_t, const void*, size_t) override {}
  void copy_to_host(void*, const device::DeviceBuffer&, size_t, size_t) override {}
  void copy_on_device(const device::DeviceBuffer&, size_t, const device::DeviceBuffer&, size_t,
                      size_t) override {}
  void synchronize() override {}
  size_t used = 0;

 protected:
  void* allocate_block(size_t bytes) override {
    if (used + bytes > capacity_) throw MemoryError("budget: out of memory");
    used += bytes;
    return new std::vector<char>(bytes);
  }
  void free_block(void* handle) override {
    auto* block = static_cast<std::vector<char>*>(handle);
    used -= block->size();
    delete block;
  }
  std::unique_ptr<device::CompiledKernel> compile(const std::string&, const std::string&) override {
    return nullptr;
  }

 private:
  size_t capacity_;
};

TEST(Device, PoolReusesBlocksAndFreesCachedOnesWhenTheDeviceIsFull) {
  BudgetRuntime rt(4096);
  {
    auto a = rt.allocate(1000);  // rounded up to 1024
    EXPECT_EQ(a->bytes(), 1024u);
  }
  EXPECT_EQ(rt.stats().bytes_cached, 1024u);
  {
    auto b = rt.allocate(900);  // served by the cached block
    EXPECT_EQ(rt.stats().device_allocations, 1);
    EXPECT_EQ(rt.stats().bytes_in_use, 1024u);
  }
  // 3584 bytes do not fit next to the cached 1024: the cache is freed and the request served.
  auto big = rt.allocate(3500);
  EXPECT_EQ(rt.stats().bytes_cached, 0u);
  EXPECT_EQ(rt.used, 3584u);
  // Nothing cached to free: the backend's MemoryError reaches the caller with the pool's state.
  try {
    rt.allocate(1024);
    ADD_FAILURE() << "expected a MemoryError";
  } catch (const MemoryError& e) {
    EXPECT_STREQ(e.what(), "budget: out of memory (the pool holds 3584 bytes in use and 0 cached)");
  }
  big.reset();
  rt.release_cached();
  EXPECT_EQ(rt.used, 0u);
}

TEST(Device, RoundTripKeepsBitsAndPoolReusesBlocks) {
  REQUIRE_OPENCL();
  device::DeviceRuntime& rt = device::runtime(kOpenCL);
  NDArray x = NDArray::from_vector<double>(
      {1.5, -0.0, std::nan(""), -std::numeric_limits<double>::infinity(), 7}, {5});
  const int64_t before = rt.stats().device_allocations;
  for (int i = 0; i < 3; ++i) {
    auto d = DeviceArray::from_host(x, kOpenCL);
    EXPECT_EQ(d->device(), kOpenCL);
    NDArray back = d->to_host();
    ASSERT_EQ(back.nbytes(), x.nbytes());
    EXPECT_EQ(std::memcmp(back.raw(), x.raw(), x.nbytes()), 0);
  }
  // The first round may allocate; the others reuse its block.
  EXPECT_LE(rt.stats().device_allocations - before, 1);
}

TEST(Device, StridedViewsComeBackInCOrder) {
  REQUIRE_OPENCL();
  auto d = DeviceArray::from_host(iota(DType::Float32, {3, 4}), kOpenCL);
  // The transpose, offset by one column: elements (i, j) -> 4 * j + i + 1 for a (3, 2) view.
  DeviceArray view(d->buffer(), DType::Float32, {3, 2}, {1, 4}, 1);
  EXPECT_FALSE(view.is_c_contiguous());
  EXPECT_EQ(values(view.to_host()), (std::vector<double>{1, 5, 2, 6, 3, 7}));
}

TEST(Device, KernelsCompileOncePerSource) {
  REQUIRE_OPENCL();
  device::DeviceRuntime& rt = device::runtime(kOpenCL);
  const std::string source =
      "KERNEL void twice(GLOBAL_MEM double* p, int64_t n) {\n"
      "  for (int64_t i = GLOBAL_ID(); i < n; i += GLOBAL_SIZE()) p[i] *= 2;\n}\n";
  const int64_t before = rt.stats().compiled_kernels;
  auto d = DeviceArray::from_host(iota(DType::Float64, {6}), kOpenCL);
  for (int i = 0; i < 2; ++i) {
    rt.launch(rt.kernel(source, "twice"), 6,
              {device::KernelArg::of(*d->buffer()), device::KernelArg::int64(6)});
  }
  EXPECT_EQ(rt.stats().compiled_kernels - before, 1);
  EXPECT_EQ(values(d->to_host()), (std::vector<double>{0, 4, 8, 12, 16, 20}));
}

TEST(Device, CompileErrorsGiveTheBuildLog) {
  REQUIRE_OPENCL();
  try {
    device::runtime(kOpenCL).kernel("KERNEL void broken(GLOBAL_MEM float* p) { p[0] = q; }",
                                    "broken");
    FAIL() << "expected an error";
  } catch (const device::DeviceError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("compiling kernel broken for opencl0:0 failed: CL_BUILD_PROGRAM_FAILURE"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("build log:"), std::string::npos) << m;
  }
}

TEST(Device, ElementwiseGraphRunsOnTheDevice) {
  REQUIRE_OPENCL();
  const Var x = make_input(TensorType(DType::Float32, {kUnknownDim, kUnknownDim}), "x");
  const Var y = make_input(TensorType(DType::Float32, {1, kUnknownDim}), "y");
  const Var xd = transfer(x, kOpenCL);
  const Var yd = transfer(y, kOpenCL);
  const Var z = exp(xd) * yd + xd;
  ASSERT_EQ(z->type.device, kOpenCL);
  auto f = function({x, y}, {transfer(z, Device{})});
  const NDArray yv = iota(DType::Float32, {1, 3}, 1);
  // A non-contiguous x: the strided kernel, with y broadcast along the rows.
  const NDArray xt = test_util::transposed(iota(DType::Float32, {3, 2}, -2));
  const NDArray out = f->call({xt, yv}).at(0);
  ASSERT_EQ(out.shape(), (Shape{2, 3}));
  for (int64_t i = 0; i < 6; ++i) {
    const double a = xt.flat_as_double(i), b = yv.flat_as_double(i % 3);
    EXPECT_NEAR(out.flat_as_double(i), std::exp(a) * b + a, 1e-5 * (1 + std::abs(a))) << i;
  }
  bool on_device = false;
  for (const auto& k : f->program().kernels) on_device |= k->origin() == "device elementwise";
  EXPECT_TRUE(on_device);
}

TEST(Device, NodesWithoutADeviceKernelRunOnTheHost) {
  REQUIRE_OPENCL();
  const Var x = make_input(TensorType(DType::Int64, {kUnknownDim}), "x");
  const Var z = transfer(transfer(x, kOpenCL) * transfer(x, kOpenCL), Device{});
  auto f = function({x}, {z});
  EXPECT_EQ(values(f->call({iota(DType::Int64, {4}, 1)}).at(0)),
            (std::vector<double>{1, 4, 9, 16}));
  bool fallback = false;
  for (const auto& k : f->program().kernels) {
    fallback |= k->origin().find("host fallback") != std::string::npos;
  }
  EXPECT_TRUE(fallback);
}

}  // namespace
}  // namespace theon
