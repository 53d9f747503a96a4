// The foundation of devices and backends: devices in types, values other than host arrays in
// slots, the kernel registry keyed by (op, device), and the linker reused outside function().
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "theon/codegen/fused_kernel.hpp"
#include "theon/compile/linker.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

const Device kTestDevice{DeviceKind::OpenCL, 3, 7};

TEST(Device, ParsesTheanosNamesAndPrintsThemBack) {
  EXPECT_EQ(parse_device("cpu"), Device{});
  EXPECT_EQ(parse_device("cuda"), (Device{DeviceKind::Cuda, 0, 0}));
  EXPECT_EQ(parse_device("cuda1"), (Device{DeviceKind::Cuda, 1, 0}));
  EXPECT_EQ(parse_device("gpu2"), (Device{DeviceKind::Cuda, 2, 0}));
  EXPECT_EQ(parse_device("opencl0:1"), (Device{DeviceKind::OpenCL, 1, 0}));
  for (const char* name : {"cpu", "cuda0", "cuda12", "opencl0:1", "opencl2:0"}) {
    EXPECT_EQ(parse_device(name).str(), name);
  }
  for (const char* bad : {"", "tpu", "cuda-1", "cudax", "opencl", "opencl0", "opencl:1", "gpu0x"}) {
    try {
      parse_device(bad);
      FAIL() << "accepted '" << bad << "'";
    } catch (const ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("expected 'cpu'"), std::string::npos) << e.what();
    }
  }
}

TEST(Type, DeviceIsPartOfTheType) {
  const Type host(DType::Float32, {kUnknownDim, 3});
  const Type device = host.on(kTestDevice);
  EXPECT_NE(host, device);
  EXPECT_FALSE(host.compatible_with(device));
  EXPECT_EQ(device, Type(DType::Float32, {kUnknownDim, 3}, kTestDevice));
  EXPECT_EQ(device.str(), "TensorType(float32, shape=(None, 3), device=opencl7:3)");
  EXPECT_EQ(host.str(), "TensorType(float32, shape=(None, 3))");
  EXPECT_EQ(device.value_mismatch(Value(NDArray::zeros(DType::Float32, {2, 3}))),
            "expected an array on opencl7:3, got a host array");
  EXPECT_EQ(host.value_mismatch(Value(NDArray::zeros(DType::Float32, {2, 3}))), "");
  EXPECT_EQ(host.value_mismatch(Value(NDArray::zeros(DType::Float64, {2, 3}))),
            "expected dtype float32, got float64");
}

// A value of another kind than a host array, as a device backend or the sparse family adds:
// here a host array wrapped as if it lived on kTestDevice.
class TestDeviceArray final : public Object {
 public:
  explicit TestDeviceArray(NDArray a) : array(std::move(a)) {}
  std::string kind() const override { return "test device array"; }
  Device device() const override { return kTestDevice; }
  size_t nbytes() const override { return array.nbytes(); }
  NDArray array;
};

// A value kind of the type system: matrices of a made-up "blocked" layout.
class BlockedKind final : public ValueKind {
 public:
  std::string name() const override { return "Blocked"; }
  bool equals(const ValueKind& other) const override {
    return dynamic_cast<const BlockedKind*>(&other) != nullptr;
  }
  std::string value_mismatch(const Type&, const Value& v) const override {
    return dynamic_cast<const TestDeviceArray*>(v.object().get()) ? "" : "not blocked";
  }
};

TEST(Type, OtherKindsOfValuesAreTypesOfTheirOwn) {
  Type blocked(DType::Float64, {kUnknownDim, kUnknownDim});
  blocked.value_kind = std::make_shared<BlockedKind>();
  const Type dense(DType::Float64, {kUnknownDim, kUnknownDim});
  EXPECT_FALSE(blocked.is_tensor());
  EXPECT_NE(blocked, dense);
  EXPECT_FALSE(dense.compatible_with(blocked));
  Type again = dense;
  again.value_kind = std::make_shared<BlockedKind>();
  EXPECT_EQ(blocked, again);
  EXPECT_EQ(blocked.str(), "BlockedType(float64, shape=(None, None))");
  EXPECT_EQ(blocked.value_mismatch(Value(NDArray::zeros(DType::Float64, {1, 1}))), "not blocked");
  auto object = std::make_shared<TestDeviceArray>(NDArray::zeros(DType::Float64, {1, 1}));
  EXPECT_EQ(blocked.value_mismatch(Value(object)), "");
  EXPECT_NE(dense.value_mismatch(Value(object)).find("got test device array on opencl7:3"),
            std::string::npos);
}

TEST(MakeNode, OutputsLiveWhereTheInputsLive) {
  Var x = make_input(Type(DType::Float64, {kUnknownDim}, kTestDevice), "x");
  Var y = exp(x) * 2.0;  // the constant 2.0 is a host value beside a device input
  EXPECT_EQ(y->type.device, kTestDevice);
  Var z = make_input(Type(DType::Float64, {kUnknownDim}, Device{DeviceKind::Cuda, 0, 0}), "z");
  try {
    (void)(x + z);
    FAIL() << "a node read inputs on two devices";
  } catch (const TypeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("inputs live on different devices"), std::string::npos) << what;
    EXPECT_NE(what.find("opencl7:3"), std::string::npos) << what;
    EXPECT_NE(what.find("cuda0"), std::string::npos) << what;
  }
}

// The device kernel of exp for TestDeviceArray values; counts its runs.
class TestDeviceExp final : public Kernel {
 public:
  explicit TestDeviceExp(int* runs) : runs_(runs) {}
  bool takes_values() const override { return true; }
  void run_values(const std::vector<Value>& inputs, std::vector<Value>& outputs) const override {
    const auto* in = dynamic_cast<const TestDeviceArray*>(inputs[0].object().get());
    ASSERT_NE(in, nullptr);
    NDArray out = in->array.copy();
    for (int64_t i = 0; i < out.size(); ++i)
      out.data<double>()[i] = std::exp(out.data<double>()[i]);
    outputs[0] = Value(std::make_shared<TestDeviceArray>(out));
    ++*runs_;
  }
  std::string origin() const override { return "test device"; }

 private:
  int* runs_;
};

TEST(Linker, ABackendRegistersKernelsWithoutTouchingOps) {
  static int runs = 0;
  static bool registered = false;
  if (!registered) {
    registered = true;
    register_kernel("Elemwise", DeviceKind::OpenCL,
                    [](const Apply& node) -> std::unique_ptr<Kernel> {
                      if (node.op()->name() != "Elemwise{exp}")
                        return nullptr;  // declines: next choice
                      return std::make_unique<TestDeviceExp>(&runs);
                    });
  }
  Var x = make_input(Type(DType::Float64, {kUnknownDim}, kTestDevice), "x");
  FunctionGraph fg({x}, {exp(x)});
  Linked linked = link(fg, LinkOptions{});
  const Program& program = *linked.program;
  ASSERT_EQ(program.code.size(), 1u);
  EXPECT_EQ(program.code[0].kernel->origin(), "test device");
  EXPECT_FALSE(program.code[0].kernel->is_reference());

  std::vector<Value> slots(program.num_slots);
  auto in = std::make_shared<TestDeviceArray>(test_util::iota(DType::Float64, {3}));
  slots[program.slot(fg.inputs()[0].get())] = Value(in);
  VM vm(linked.program);
  vm.run(slots);
  EXPECT_EQ(runs, 1);
  const auto* out =
      dynamic_cast<const TestDeviceArray*>(slots[program.output_slots[0]].object().get());
  ASSERT_NE(out, nullptr);
  EXPECT_DOUBLE_EQ(out->array.data<double>()[2], std::exp(2.0));

  // A node with no kernel on a device that cannot be used here still links (graphs compile on
  // any machine); running it names the device and why it is unavailable.
  FunctionGraph no_kernel({x}, {cumsum(x)});
  Linked unavailable = link(no_kernel, LinkOptions{});
  std::vector<Value> cells(unavailable.program->num_slots);
  cells[unavailable.program->slot(no_kernel.inputs()[0].get())] = Value(in);
  try {
    VM(unavailable.program).run(cells);
    FAIL() << "ran a node on a device that does not exist";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("CumSum"), std::string::npos) << what;
    EXPECT_NE(what.find("opencl7:3 is unavailable"), std::string::npos) << what;
  }
}

TEST(Linker, CompilesAGraphIntoAProgramThatRunsOutsideAFunction) {
  Var x = vector("x");
  Var y = vector("y");
  FunctionGraph fg({x, y}, {exp(x) * y + 1.0, x - y});
  Mode mode;
  mode.name = "FAST_RUN";
  Linked linked = compile(fg, mode, LinkOptions{});
  const Program& program = *linked.program;
  EXPECT_EQ(program.output_slots.size(), 2u);
  bool has_loop = false;
  for (const auto& ins : program.code) {
    has_loop = has_loop || dynamic_cast<const codegen::FusedLoopKernel*>(ins.kernel) != nullptr;
  }
  EXPECT_TRUE(has_loop) << "the fused loop is a kernel of the program";

  std::vector<Value> slots(program.num_slots);
  for (const auto& [s, value] : program.constant_slots) slots[s] = *value;
  slots[program.slot(fg.inputs()[0].get())] = test_util::iota(DType::Float64, {3});
  slots[program.slot(fg.inputs()[1].get())] = test_util::iota(DType::Float64, {3}, 1);
  VM vm(linked.program);
  vm.run(slots);
  const std::vector<double> first = test_util::values(slots[program.output_slots[0]].array());
  const std::vector<double> second = test_util::values(slots[program.output_slots[1]].array());
  ASSERT_EQ(first.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(first[i], std::exp(double(i)) * (i + 1) + 1.0, 1e-12);
    EXPECT_EQ(second[i], -1.0);
  }
}

TEST(Linker, EachFunctionOwnsItsKernelsAndEqualOpsStayEqual) {
  Var x = vector("x");
  Var out = exp(x) * 3.0 + x;
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  o.mode.including.insert("fusion");
  auto f = function({x}, {out}, o);
  auto g = function({x}, {out}, o);
  const Kernel* kf = nullptr;
  const Kernel* kg = nullptr;
  for (const auto& ins : f->program().code) {
    if (ins.node->op()->type_name() == "Fused") kf = ins.kernel;
  }
  for (const auto& ins : g->program().code) {
    if (ins.node->op()->type_name() == "Fused") kg = ins.kernel;
  }
  ASSERT_NE(kf, nullptr);
  ASSERT_NE(kg, nullptr);
  EXPECT_NE(kf, kg);
  EXPECT_TRUE(f->program().code.back().node->op()->equals(*g->program().code.back().node->op()));
}

}  // namespace
}  // namespace theon
