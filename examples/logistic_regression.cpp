// Logistic regression error from C++: the same graph as the Python quick start.
#include <cstdio>
#include <random>

#include <theon/theon.hpp>

int main() {
  using namespace theon;
  Var x = vector("x", "float32");
  Var W = shared(NDArray::from_vector<double>({0.2, 0.7}, {2}), "W");
  auto f = function({x}, {x * W});
  auto out = f->call({NDArray::from_vector<float>({1.0f, 1.0f}, {2})});
  std::printf("%g %g\n", out[0].flat_as_double(0), out[0].flat_as_double(1));
  return 0;
}
