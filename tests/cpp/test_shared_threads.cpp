// Shared variables and functions called from several threads at once: updates are atomic
// (none is lost), readers see whole values, and one function serves several threads.
#include <atomic>
#include <thread>
#include <vector>

#include "test_util.hpp"

using namespace theon;

namespace {

constexpr int kCalls = 10000;

FunctionOptions updating(const Var& s, const Var& value) {
  FunctionOptions o;
  o.updates = {{s, value}};
  return o;
}

// Runs body(t) on `n` threads at once and joins them.
template <class F>
void on_threads(int n, F body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) threads.emplace_back(body, t);
  for (auto& th : threads) th.join();
}

NDArray filled(int64_t n, double v) {
  NDArray a = NDArray::zeros(DType::Float64, {n});
  for (int64_t i = 0; i < n; ++i) a.data<double>()[i] = v;
  return a;
}

// True when every element of `a` equals its first.
bool uniform(const NDArray& a) {
  for (int64_t i = 1; i < a.size(); ++i) {
    if (a.flat_as_double(i) != a.flat_as_double(0)) return false;
  }
  return true;
}

}  // namespace

TEST(SharedThreads, TwoFunctionsUpdatingOneSharedValueLoseNoUpdate) {
  Var s = shared(NDArray::scalar<double>(0.0), "s");
  auto add1 = function({}, {}, updating(s, s + 1.0));
  auto add2 = function({}, {}, updating(s, s + 2.0));
  // Two threads on each function: calls of one function overlap as well.
  on_threads(4, [&](int t) {
    auto& f = t % 2 ? add2 : add1;
    for (int i = 0; i < kCalls; ++i) f->call({});
  });
  EXPECT_EQ(get_value(s).flat_as_double(0), 2.0 * kCalls + 2.0 * 2.0 * kCalls);
}

TEST(SharedThreads, UpdatesOfTwoValuesListedInOppositeOrdersDoNotDeadlock) {
  Var a = shared(NDArray::scalar<double>(0.0), "a");
  Var b = shared(NDArray::scalar<double>(0.0), "b");
  FunctionOptions ab, ba;
  ab.updates = {{a, a + 1.0}, {b, b + 1.0}};
  ba.updates = {{b, b + 1.0}, {a, a + 1.0}};
  auto f = function({}, {}, ab);
  auto g = function({}, {}, ba);
  on_threads(2, [&](int t) {
    for (int i = 0; i < kCalls; ++i) (t ? g : f)->call({});
  });
  EXPECT_EQ(get_value(a).flat_as_double(0), 2.0 * kCalls);
  EXPECT_EQ(get_value(b).flat_as_double(0), 2.0 * kCalls);
}

TEST(SharedThreads, ReadersAndGetValueSeeOnlyWholeValues) {
  // Every update and set_value leaves all elements equal; a torn read would mix two values.
  Var s = shared(NDArray::zeros(DType::Float64, {512}), "s");
  auto inc = function({}, {}, updating(s, s + 1.0));
  auto read = function({}, {s * 2.0});
  std::atomic<int> torn{0};
  on_threads(4, [&](int t) {
    for (int i = 0; i < kCalls / 4; ++i) {
      switch (t) {
        case 0:
          inc->call({});
          break;
        case 1:
          if (!uniform(read->call({})[0])) ++torn;
          break;
        case 2:
          if (!uniform(get_value(s, true))) ++torn;
          break;
        default:
          if (i % 16 == 0) set_value(s, filled(512, i));
          if (!uniform(get_value(s))) ++torn;
      }
    }
  });
  EXPECT_EQ(torn.load(), 0);
  EXPECT_TRUE(uniform(get_value(s)));
}

TEST(SharedThreads, OneFunctionCalledFromSeveralThreadsKeepsTheirValuesApart) {
  Var x = vector("x");
  Var s = shared(NDArray::from_vector<double>({1, 2, 3}, {3}), "s");
  auto f = function({x}, {x * 2.0 + s});
  std::atomic<int> wrong{0};
  on_threads(4, [&](int t) {
    const NDArray arg = filled(3, t);
    for (int i = 0; i < kCalls / 4; ++i) {
      const std::vector<double> got = test_util::values(f->call({arg})[0]);
      if (got != std::vector<double>{2.0 * t + 1, 2.0 * t + 2, 2.0 * t + 3}) ++wrong;
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

TEST(SharedThreads, AFailingCallReleasesTheLocks) {
  Var x = vector("x");
  Var s = shared(NDArray::zeros(DType::Float64, {3}), "s");
  auto f = function({x}, {}, updating(s, s + x));
  EXPECT_THROW(f->call({NDArray::zeros(DType::Float64, {4})}), Error);
  // The shared value is still usable from another thread, and unchanged.
  std::thread other([&] { set_value(s, filled(3, 5)); });
  other.join();
  f->call({filled(3, 1)});
  EXPECT_EQ(test_util::values(get_value(s)), (std::vector<double>{6, 6, 6}));
}
