// Helpers shared by the C++ tests.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <numeric>
#include <string>
#include <vector>

#include "theon/theon.hpp"

namespace theon::test_util {

// start, start + 1, ... in `shape`, converted to `dt`.
inline NDArray iota(DType dt, const Shape& shape, double start = 0) {
  std::vector<double> v(static_cast<size_t>(shape_size(shape)));
  std::iota(v.begin(), v.end(), start);
  return NDArray::from_vector<double>(v, shape).astype(dt);
}

// The elements of `a` in C order, as double.
inline std::vector<double> values(const NDArray& a) {
  std::vector<double> v;
  for (int64_t i = 0; i < a.size(); ++i) v.push_back(a.flat_as_double(i));
  return v;
}

// A 2-d view of `a` with the axes swapped (non-contiguous when `a` is contiguous).
inline NDArray transposed(const NDArray& a) {
  return a.view(a.raw(), {a.shape(1), a.shape(0)}, {a.strides()[1], a.strides()[0]});
}

// Compiles in -> out and calls it on `value`.
inline NDArray run1(const Var& in, const Var& out, const NDArray& value) {
  auto f = function({in}, {out});
  return f->call({value}).at(0);
}

// Compiles ins -> out and calls it on `args`.
inline NDArray run(const std::vector<In>& ins, const Var& out, std::vector<NDArray> args) {
  auto f = function(ins, {out});
  return f->call(std::move(args)).at(0);
}

// Expects `fn` to throw E whose message contains every string of `parts`.
template <class E, class F>
void expect_error(F&& fn, std::initializer_list<std::string> parts) {
  try {
    fn();
    std::string names;
    for (const auto& p : parts) names += " '" + p + "'";
    ADD_FAILURE() << "expected an error naming" << names;
  } catch (const E& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

}  // namespace theon::test_util
