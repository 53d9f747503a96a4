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

}  // namespace
}  // namespace theon
