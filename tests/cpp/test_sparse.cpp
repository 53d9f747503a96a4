// Sparse matrices from C++: validation, format conversion, functions taking and returning
// sparse values (call_values), gradients and shared sparse variables.
#include "test_util.hpp"
#include "theon/ops/sparse.hpp"

namespace theon {
namespace {

using test_util::values;

// [[1, 0, 2], [0, 0, 0], [0, 3, 0]] in CSR.
SparsePtr example() {
  return make_sparse(SparseFormat::Csr, 3, 3, NDArray::from_vector<double>({1, 2, 3}, {3}),
                     NDArray::from_vector<int32_t>({0, 2, 1}, {3}),
                     NDArray::from_vector<int32_t>({0, 2, 2, 3}, {4}));
}

TEST(Sparse, ValidateNamesWhatIsWrong) {
  EXPECT_NO_THROW(example()->validate("x"));
  auto bad = std::make_shared<SparseMatrix>(*example());
  bad->indices = NDArray::from_vector<int32_t>({0, 3, 1}, {3});
  EXPECT_THROW(
      {
        try {
          bad->validate("arg");
        } catch (const ValueError& e) {
          EXPECT_NE(std::string(e.what()).find("arg: invalid csr matrix: index 3 at position 1"),
                    std::string::npos)
              << e.what();
          throw;
        }
      },
      ValueError);
  bad->indices = NDArray::from_vector<int32_t>({2, 0, 1}, {3});
  EXPECT_THROW(bad->validate("arg"), ValueError);  // not sorted within row 0
  bad = std::make_shared<SparseMatrix>(*example());
  bad->indptr = NDArray::from_vector<int32_t>({0, 2, 1, 3}, {4});
  EXPECT_THROW(bad->validate("arg"), ValueError);
}

TEST(Sparse, FormatConversionsRoundTrip) {
  const SparsePtr m = example();
  const NDArray dense = sparse_to_dense(*m);
  EXPECT_EQ(values(dense), (std::vector<double>{1, 0, 2, 0, 0, 0, 0, 3, 0}));
  const SparsePtr c = convert_format(*m, SparseFormat::Csc);
  EXPECT_NO_THROW(c->validate("csc"));
  EXPECT_EQ(values(sparse_to_dense(*c)), values(dense));
  EXPECT_EQ(values(c->indptr), (std::vector<double>{0, 1, 2, 3}));
  const SparsePtr back = sparse_from_dense_array(dense, SparseFormat::Csr);
  EXPECT_TRUE(back->same_pattern(*m));
  EXPECT_EQ(values(back->data), values(m->data));
}

TEST(Sparse, FunctionTakesAndReturnsSparseValues) {
  const Var x = sparse_input(SparseFormat::Csr, DType::Float64, "x");
  const Var w = make_input(TensorType(DType::Float64, {kUnknownDim, kUnknownDim}), "w");
  const Var prod = structured_dot(x, w);
  const Var cost = sum(prod);
  const Var gx = grad(cost, x);
  auto f = function({x, w}, {prod, gx, sparse_transpose(x)});
  const NDArray wv = test_util::iota(DType::Float64, {3, 2}, 1);
  std::vector<Value> out = f->call_values({Value(example()), Value(wv)});
  // x @ w: rows [1*1 + 2*5, 1*2 + 2*6], [0, 0], [3*3, 3*4].
  EXPECT_EQ(values(out[0].array()), (std::vector<double>{11, 14, 0, 0, 9, 12}));
  const SparseMatrix& g = sparse_value(out[1], "gradient");
  EXPECT_TRUE(g.same_pattern(*example()));  // structured: x's positions only
  EXPECT_EQ(values(g.data), (std::vector<double>{3, 11, 7}));  // row sums of w at the columns
  EXPECT_EQ(sparse_value(out[2], "transpose").format, SparseFormat::Csc);
  // A dense array where a sparse matrix is expected is refused with the input named.
  EXPECT_THROW(f->call_values({Value(wv), Value(wv)}), TypeError);
}

TEST(Sparse, SharedSparseVariableIsUpdatedOnlyAfterSuccess) {
  const Var s = shared_object(example(), "s", sparse_type(SparseFormat::Csr, DType::Float64));
  const Var w = make_input(TensorType(DType::Float64, {kUnknownDim, kUnknownDim}), "w");
  FunctionOptions o;
  o.updates = {{s, sparse_mul(s, scalar_constant(2.0, DType::Float64))}};
  auto f = function({w}, {structured_dot(s, w)}, o);
  f->call({test_util::iota(DType::Float64, {3, 1})});
  EXPECT_EQ(values(dynamic_cast<const SparseMatrix&>(*get_object(s)).data),
            (std::vector<double>{2, 4, 6}));
  EXPECT_THROW(f->call({test_util::iota(DType::Float64, {2, 1})}), ValueError);
  EXPECT_EQ(values(dynamic_cast<const SparseMatrix&>(*get_object(s)).data),
            (std::vector<double>{2, 4, 6}));
}

TEST(Sparse, ShapeOfASparseVariableIsReadOffItsValue) {
  const Var x = sparse_input(SparseFormat::Csc, DType::Float32, "x");
  auto f = function({x}, {shape(x), shape_i(x, 1)});
  const SparsePtr m = convert_format(*example(), SparseFormat::Csc);
  auto m32 = with_data(*m, m->data.astype(DType::Float32));
  std::vector<Value> out = f->call_values({Value(m32)});
  EXPECT_EQ(values(out[0].array()), (std::vector<double>{3, 3}));
  EXPECT_EQ(values(out[1].array()), (std::vector<double>{3}));
}

}  // namespace
}  // namespace theon
