// The data tables that replace per-dtype and per-reduction switches: every row agrees with the
// C++ types and kernels it describes.
#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "theon/codegen/emit.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

TEST(DTypeTable, RowsDescribeTheirCppTypes) {
  for (const DTypeInfo& row : kDTypeTable) {
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(parse_dtype(row.name), row.dtype);
    EXPECT_EQ(find_dtype(row.kind, row.itemsize), row.dtype);
    visit_dtype(row.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      EXPECT_EQ(sizeof(T), row.itemsize);
      EXPECT_EQ(dtype_of<T>(), row.dtype);
      const DKind kind = std::is_same_v<T, bool>       ? DKind::Bool
                         : std::is_floating_point_v<T> ? DKind::Float
                         : std::is_signed_v<T>         ? DKind::Signed
                                                       : DKind::Unsigned;
      EXPECT_EQ(row.kind, kind);
    });
    const std::string kinds = "biuf";
    EXPECT_EQ(row.numpy_kind, kinds[static_cast<int>(row.kind)]);
    EXPECT_EQ(codegen::c_type(row.dtype), std::string(row.c_name));
  }
  EXPECT_FALSE(find_dtype(DKind::Float, 2).has_value());
}

TEST(ReductionRules, RowsBuildTheirOpsAndFoldFromTheIdentity) {
  ASSERT_GE(reduction_rules().size(), 8u);
  EXPECT_STREQ(reduction_rules()[7].get().name, "all");
  for (const ReductionRule& rule : reduction_rules()) {
    SCOPED_TRACE(rule.name);
    EXPECT_EQ(&reduction_rule(rule.kind), &rule);
    auto op = make_reduce_op(rule.kind, {0}, false);
    EXPECT_EQ(op->kind(), rule.kind);
    EXPECT_EQ(op->type_name(), rule.type_name);
    EXPECT_TRUE(op->equals(*make_reduce_op(rule.kind, {0}, false)));
    if (rule.fusable) {
      ASSERT_NE(rule.combine, nullptr);
      EXPECT_FALSE(find_scalar_op(rule.combine).c_expr.empty());
    }
    if (!rule.combine) continue;
    // combine(identity, v) == v: the kernel's start value does not change the result.
    const ScalarOp& combine = find_scalar_op(rule.combine);
    const DType dt = rule.output_dtype(DType::Float64);
    for (double v : {-2.5, 0.0, 3.0}) {
      NDArray a = NDArray::from_vector<double>({rule.identity}, {1}).astype(dt);
      NDArray b = NDArray::from_vector<double>({v}, {1}).astype(dt);
      NDArray out = NDArray::empty(dt, {1});
      const char* in[2] = {a.raw(), b.raw()};
      combine.kernels[static_cast<int>(dt)](in, out.raw(), 1);
      EXPECT_EQ(out.flat_as_double(0), b.flat_as_double(0));
    }
  }
}

}  // namespace
}  // namespace theon
