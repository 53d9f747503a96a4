// Typed op properties: values compare, hash and print generically; ops are equal when their
// class, type name and fields are; printed names stay as they were; the factories rebuild
// equal ops and reject fields that do not describe one.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_util.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/ops/fused.hpp"
#include "theon/ops/gemm.hpp"
#include "theon/ops/gradient_support.hpp"

namespace theon {
namespace {

using test_util::expect_error;

TEST(Props, ValuesCompareHashAndPrintByKind) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(PropValue::real(nan), PropValue::real(nan));
  EXPECT_EQ(PropValue::real(nan).hash(), PropValue::real(nan).hash());
  EXPECT_FALSE(PropValue::real(0.0) == PropValue::real(-0.0));
  EXPECT_FALSE(PropValue::integer(1) == PropValue::boolean(true));
  EXPECT_FALSE(PropValue() == PropValue::integer(0));
  EXPECT_EQ(PropValue::ints({1, 2}), PropValue::ints({1, 2}));
  EXPECT_EQ(PropValue::ints({1, 2}).hash(), PropValue::ints({1, 2}).hash());

  EXPECT_EQ(PropValue().str(), "None");
  EXPECT_EQ(PropValue::boolean(false).str(), "False");
  EXPECT_EQ(PropValue::real(0.1).str(), "0.1");
  EXPECT_EQ(PropValue::ints({}).str(), "()");
  EXPECT_EQ(PropValue::ints({3}).str(), "(3,)");
  EXPECT_EQ(PropValue::list({PropValue::dtype(DType::Int8), PropValue::string("a")}).str(),
            "(int8, a)");
  EXPECT_EQ(
      props_str({{"axis", PropValue::optional_int(std::nullopt)}, {"n", PropValue::integer(2)}}),
      "axis=None,n=2");

  // Nested ops compare by value, variables by identity.
  auto add = std::make_shared<Elemwise>(find_scalar_op("add"));
  EXPECT_EQ(PropValue::op(add), PropValue::op(std::make_shared<Elemwise>(find_scalar_op("add"))));
  Var a = scalar("a"), b = scalar("a");
  EXPECT_FALSE(PropValue::var(a) == PropValue::var(b));
  expect_error<ValueError>([&] { PropValue::integer(1).as_string("Tile property 'reps'"); },
                           {"Tile property 'reps'", "expected a string, got an int"});
}

TEST(Props, PrintedOpNamesAreUnchanged) {
  Var x = matrix("x");
  EXPECT_EQ(sum(x, std::vector<int64_t>{0})->owner->op()->name(), "Sum{axis=(0,)}");
  EXPECT_EQ(sum(x, std::vector<int64_t>{0, 1}, true)->owner->op()->name(),
            "Sum{axis=(0, 1), keepdims=True}");
  EXPECT_EQ(split(x, std::vector<int64_t>{1, 1}, 0)[0]->owner->op()->name(), "Split{n=2,axis=0}");
  EXPECT_EQ(cumsum(x)->owner->op()->name(), "CumSum{axis=None}");
  EXPECT_EQ(tile(x, {2, 1})->owner->op()->name(), "Tile{reps=(2, 1)}");
  EXPECT_EQ(softmax(x, 1)->owner->op()->name(), "Softmax{axis=1}");
  EXPECT_EQ(sort(x, 0)->owner->op()->name(), "Sort{axis=0}");
  EXPECT_EQ(concatenate({x, x}, 1)->owner->op()->name(), "Join{axis=1}");
  EXPECT_EQ(repeat(x, 2, 1)->owner->op()->name(), "Repeat{axis=1}");
  EXPECT_EQ(cast(x, DType::Float32)->owner->op()->name(), "Elemwise{Cast{float32}}");
  EXPECT_EQ(dimshuffle(x, {1, kNewAxis, 0})->owner->op()->name(), "DimShuffle{1,x,0}");
  EXPECT_EQ(Elemwise(find_scalar_op("mul"), std::nullopt, 1).name(), "Elemwise{mul,inplace1}");
  EXPECT_EQ(Gemm(true, false, true).name(), "Gemm{trans_x,inplace}");
  EXPECT_EQ(grad_clip(x, -1, 1)->owner->op()->name(), "GradClip{-1.000000,1.000000}");
  EXPECT_EQ(shape(x)->owner->op()->name(), "Shape");
}

TEST(Props, OpsAreEqualWhenClassTypeNameAndFieldsAre) {
  Var x = matrix("x");
  const OpPtr s0 = sum(x, std::vector<int64_t>{0})->owner->op();
  const OpPtr s0b = sum(x, std::vector<int64_t>{0})->owner->op();
  const OpPtr s0k = sum(x, std::vector<int64_t>{0}, true)->owner->op();
  const OpPtr p0 = prod(x, std::vector<int64_t>{0})->owner->op();
  EXPECT_TRUE(s0->equals(*s0b));
  EXPECT_EQ(s0->hash(), s0b->hash());
  EXPECT_FALSE(s0->equals(*s0k));
  EXPECT_FALSE(s0->equals(*p0));
  // One class, told apart by its type name: zero_grad and disconnected_grad must not merge.
  EXPECT_FALSE(zero_grad(x)->owner->op()->equals(*disconnected_grad(x)->owner->op()));
  EXPECT_TRUE(zero_grad(x)->owner->op()->equals(*zero_grad(x)->owner->op()));
}

// An op that describes itself only by its printed properties.
class Labelled : public Op {
 public:
  explicit Labelled(std::string label) : label_(std::move(label)) {}
  std::string type_name() const override { return "Labelled"; }
  std::string props() const override { return label_; }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    return {in.at(0)->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    out[0] = in[0];
  }

 private:
  std::string label_;
};

TEST(Props, OpsWithoutFieldsCompareByTheirPrintedProperties) {
  EXPECT_FALSE(Labelled("a").equals(Labelled("b")));
  EXPECT_TRUE(Labelled("a").equals(Labelled("a")));
}

TEST(Props, FactoriesRebuildEqualOps) {
  Var x = matrix("x");
  for (const Var& out : {sum(x, std::vector<int64_t>{1}, true), argsort(x, 0), log_softmax(x, 1),
                         getitem(x, {idx::at(1), idx::slice(std::nullopt, 2)}),
                         tensordot(x, x, {0}, {0}), cast(x, DType::Int16)}) {
    const Op& op = *out->owner->op();
    const OpPtr rebuilt = make_op(op.type_name(), op.fields());
    EXPECT_TRUE(rebuilt->equals(op)) << op.name();
    EXPECT_EQ(rebuilt->name(), op.name());
  }
}

TEST(Props, FactoriesRejectFieldsThatDoNotDescribeAnOp) {
  expect_error<ValueError>([] { make_op("NoSuchOp", {}); }, {"no op factory", "NoSuchOp"});
  expect_error<ValueError>([] { make_op("Join", {}); }, {"Join: missing property 'axis'"});
  expect_error<ValueError>(
      [] {
        make_op("Join", {{"axis", PropValue::string("0")}});
      },
      {"Join property 'axis'", "expected an int, got a string"});
  expect_error<ValueError>(
      [] {
        make_op("Join", {{"axis", PropValue::integer(0)}, {"extra", PropValue()}});
      },
      {"do not describe an op exactly"});
  expect_error<ValueError>(
      [] {
        make_op("Elemwise", {{"scalar", PropValue::string("frobnicate")},
                             {"cast_target", PropValue()},
                             {"inplace_input", PropValue()}});
      },
      {"unknown scalar op 'frobnicate'"});
  expect_error<ValueError>(
      [] {
        make_op("Elemwise", {{"scalar", PropValue::string("add")},
                             {"cast_target", PropValue()},
                             {"inplace_input", PropValue::integer(2)}});
      },
      {"inplace_input", "not an input of add"});
  expect_error<ValueError>(
      [] {
        make_op("Sum",
                {{"axis", PropValue::ints({1, 0})}, {"keepdims", PropValue::boolean(false)}});
      },
      {"axes must be non-negative and increasing"});
  expect_error<ValueError>(
      [] {
        make_op("Reshape", {{"ndim", PropValue::integer(-1)}});
      },
      {"Reshape property 'ndim'"});
  // An index spec whose slot numbers do not follow the entries.
  expect_error<ValueError>(
      [] {
        make_op("AdvancedSubtensor",
                {{"entries", PropValue::list({PropValue::ints({3, 0, 0, 0, 0, 0, 0, 4})})},
                 {"num_inputs", PropValue::integer(5)}});
      },
      {"wrong slot"});
}

TEST(Props, FusedFactoryChecksTheProgram) {
  Var x = matrix("x");
  FunctionOptions o;
  o.mode.name = "FAST_RUN";
  auto f = function({x}, {exp(x) * 2.0 + 1.0}, o);
  const Fused* fused = nullptr;
  std::vector<Var> inputs;
  for (Apply* node : f->graph().nodes()) {
    if (auto* op = dynamic_cast<const Fused*>(node->op().get())) {
      fused = op;
      inputs = node->inputs();
    }
  }
  ASSERT_NE(fused, nullptr);
  Props fields = fused->fields();
  EXPECT_TRUE(make_op("Fused", fields)->equals(*fused));
  // A step reading a value defined after it.
  for (PropField& field : fields) {
    if (field.name != "steps") continue;
    std::vector<PropValue> steps = field.value.as_list("");
    std::vector<PropValue> first = steps.at(0).as_list("");
    first[1] = PropValue::ints(std::vector<int64_t>(first[1].as_ints("").size(), 99));
    steps[0] = PropValue::list(first);
    field.value = PropValue::list(steps);
  }
  expect_error<ValueError>([&] { make_op("Fused", fields); }, {"value 99 is not defined before"});
  // Inputs of other dtypes than the loop was built for.
  inputs.at(0) = matrix("x", "float32");
  expect_error<TypeError>([&] { make_node1(make_op("Fused", fused->fields()), inputs); },
                          {"input 0 is", "float32", "built for"});
}

}  // namespace
}  // namespace theon
