// Random draws: Philox-4x32-10 against the Random123 known answers, draws that do not depend
// on the thread count or the mode, default updates advancing a state, and parameter errors.
#include "test_util.hpp"
#include "theon/ops/philox.hpp"
#include "theon/ops/random.hpp"

using namespace theon;
using test_util::expect_error;
using test_util::values;

namespace {

// Restores config.num_threads when the test ends.
class ThreadsScope {
 public:
  explicit ThreadsScope(const std::string& n) : old_(Config::global().get("num_threads")) {
    Config::global().set("num_threads", n);
  }
  ~ThreadsScope() { Config::global().set("num_threads", old_); }

 private:
  std::string old_;
};

Var int_vector(std::vector<int64_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return constant(NDArray::from_vector<int64_t>(v, {n}));
}

Var f64(double v) {
  return scalar_constant(v, DType::Float64);
}

}  // namespace

// The three philox4x32-10 lines of Random123's kat_vectors (counter, key -> output).
TEST(Philox, MatchesTheRandom123KnownAnswers) {
  using philox::philox4x32_10;
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (philox::Counter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(
      philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
      (philox::Counter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(
      philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
      (philox::Counter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, BlocksComputedLaneByLaneEqualTheOneAtATimeBlocks) {
  uint32_t words[4 * philox::kLanes];
  const uint64_t first = (uint64_t{5} << 32) - 10;  // crosses a carry into the second word
  philox::philox_blocks(first, 37, 9, 4, {11, 12}, words);
  for (int i = 0; i < 37; ++i) {
    const uint64_t c = first + static_cast<uint64_t>(i);
    const auto want = philox::philox4x32_10(
        {static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), 9, 4}, {11, 12});
    for (int w = 0; w < 4; ++w) EXPECT_EQ(words[4 * i + w], want[w]) << i << " " << w;
  }
}

TEST(Random, DrawIsTheSameOnOneThreadAndSeveralAndInEveryMode) {
  const Var size = int_vector({300, 700});  // large enough to be split across threads
  std::vector<std::vector<double>> draws;
  for (const char* dist : {"uniform", "normal", "binomial", "gamma"}) {
    draws.clear();
    for (const std::string threads : {"1", "4"}) {
      for (const char* mode : {"FAST_RUN", "FAST_COMPILE"}) {
        ThreadsScope scope(threads);
        const Var state = generator_state(7, 3);
        const std::vector<Var> params = std::string(dist) == "binomial"
                                            ? std::vector<Var>{f64(10), f64(0.3)}
                                            : std::vector<Var>{f64(2), f64(3)};
        RandomDraw d = random_draw(dist, state, size, params, DType::Float32);
        FunctionOptions o;
        o.mode.name = mode;
        auto f = function({}, {Out(d.sample * 2.0)}, o);
        draws.push_back(values(f->call({}).at(0)));
      }
    }
    for (size_t k = 1; k < draws.size(); ++k) EXPECT_EQ(draws[k], draws[0]) << dist << " " << k;
  }
}

TEST(Random, DefaultUpdateAdvancesTheStateAndNoDefaultUpdatesFreezesIt) {
  const Var state = generator_state(1, 0);
  RandomDraw d = random_draw("uniform", state, int_vector({5}), {f64(0), f64(1)});
  set_default_update(state, d.new_state);
  auto f = function({}, {d.sample});
  const auto a = values(f->call({}).at(0)), b = values(f->call({}).at(0));
  EXPECT_NE(a, b);
  EXPECT_EQ(values(get_value(state))[3], 2);  // two calls
  FunctionOptions frozen;
  frozen.no_default_updates = true;
  auto g = function({}, {d.sample}, frozen);
  EXPECT_EQ(values(g->call({}).at(0)), values(g->call({}).at(0)));
  EXPECT_EQ(values(get_value(state))[3], 2);
  // Restarting the state repeats the first draw.
  set_value(state, generator_state_value(1, 0));
  EXPECT_EQ(values(f->call({}).at(0)), a);
}

TEST(Random, StatesAreATypeOfTheirOwn) {
  const Var state = generator_state(1, 0);
  EXPECT_TRUE(is_generator_state(state->type));
  EXPECT_FALSE(is_generator_state(TensorType(DType::UInt32, {4})));
  expect_error<TypeError>(
      [&] {
        random_draw("uniform", make_input(TensorType(DType::UInt32, {4})), nullptr,
                    {f64(0), f64(1)});
      },
      {"RandomVariable", "generator state"});
}

TEST(Random, InvalidParametersAreErrorsNamingTheOpAndTheParameter) {
  const Var state = generator_state(1, 0);
  // Known at build time: the error comes when the node is built.
  expect_error<ValueError>(
      [&] {
        random_draw("normal", state, nullptr, {f64(0), f64(-1)});
      },
      {"RandomVariable{normal", "scale must be >= 0", "-1"});
  expect_error<ValueError>(
      [&] {
        random_draw("binomial", state, nullptr, {f64(3), f64(1.5)});
      },
      {"binomial", "p must be in [0, 1]"});
  // Known only at run time: the call raises and leaves the state as it was.
  const Var p = make_input(TensorType(DType::Float64, {}), "p");
  RandomDraw d = random_draw("binomial", state, int_vector({3}), {f64(1), p});
  set_default_update(state, d.new_state);
  auto f = function({p}, {d.sample});
  expect_error<ValueError>([&] { f->call({NDArray::scalar<double>(-0.5)}); },
                           {"p must be in [0, 1]", "-0.5"});
  EXPECT_EQ(values(get_value(state))[3], 0);
}
