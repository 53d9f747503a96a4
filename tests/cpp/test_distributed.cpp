// theon.distributed's C++ layer in a world of one process (across processes: the mpirun tests
// of tests/python/test_distributed_mpi.py): the collectives, the bucketed all-reduce, errors.
#include <gtest/gtest.h>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

using namespace test_util;

int count_all_reduces(const std::vector<Var>& outputs) {
  int n = 0;
  for (Apply* node : toposort(outputs)) n += node->op()->type_name() == "AllReduce";
  return n;
}

TEST(Distributed, WithoutALauncherTheWorldIsOneProcess) {
  init_world(WorldOptions{});
  EXPECT_EQ(world().rank(), 0);
  EXPECT_EQ(world().size(), 1);
  EXPECT_EQ(world().backend(), "self");
  expect_error<ValueError>(
      [] {
        init_world(WorldOptions{0.0, true});
      },
      {"distributed.init", "timeout must be a positive number"});
}

TEST(Distributed, InAWorldOfOneEveryCollectiveReturnsItsInput) {
  Var x = matrix("x", "float64");
  const NDArray v = transposed(iota(DType::Float64, {3, 2}, -2));  // not contiguous
  for (const Var& y :
       {all_reduce(x, ReduceOp::Max), all_reduce(x, ReduceOp::Mean), all_gather(x), broadcast(x, 0),
        reduce_to_root(x, ReduceOp::Min, 0), reduce_scatter(x, ReduceOp::Sum)}) {
    const NDArray got = run1(x, y, v);
    EXPECT_EQ(got.shape(), v.shape());
    EXPECT_EQ(values(got), values(v));
  }
  expect_error<ValueError>([&] { run1(x, broadcast(x, 2), v); },
                           {"Broadcast{root=2}", "root 2 is not a rank of this world of 1"});
}

TEST(Distributed, BucketsJoinConsecutiveTensorsOfOneDtypeUpToTheirSize) {
  const std::vector<Var> xs{vector("a", "float64"), matrix("b", "float64"), vector("c", "float64"),
                            vector("d", "float32")};
  const std::vector<int64_t> counts{2, 6, 4, 3};
  const std::vector<NDArray> vals{iota(DType::Float64, {2}, 1), iota(DType::Float64, {2, 3}, 5),
                                  iota(DType::Float64, {4}, -3), iota(DType::Float32, {3}, 7)};
  // 1 MiB: one bucket per dtype; 64 bytes: a (16 B) and b (48 B) share one, c and d alone.
  for (auto [bytes, calls] : {std::pair<int64_t, int>{1 << 20, 2}, {64, 3}, {1, 4}}) {
    const std::vector<Var> out = all_reduce_buckets(xs, counts, ReduceOp::Sum, bytes);
    EXPECT_EQ(count_all_reduces(out), calls) << bytes;
    auto f =
        function(std::vector<In>(xs.begin(), xs.end()), std::vector<Out>(out.begin(), out.end()));
    const std::vector<NDArray> got = f->call(vals);
    for (size_t i = 0; i < xs.size(); ++i) {
      EXPECT_EQ(got[i].dtype(), vals[i].dtype());
      EXPECT_EQ(got[i].shape(), vals[i].shape());
      EXPECT_EQ(values(got[i]), values(vals[i]));
    }
  }
  expect_error<ValueError>(
      [&] {
        all_reduce_buckets(xs, {1, 2}, ReduceOp::Sum, 8);
      },
      {"all_reduce_buckets", "expected one element count per tensor (4), got 2"});
  expect_error<ValueError>([&] { all_reduce_buckets(xs, counts, ReduceOp::Sum, 0); },
                           {"bucket_bytes must be positive"});
}

}  // namespace
}  // namespace theon
