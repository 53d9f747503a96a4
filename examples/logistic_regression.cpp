// The logistic-regression error of the quick start, built and run from C++, checked against a
// direct computation.
#include <cmath>
#include <cstdio>
#include <random>
#include <theon/theon.hpp>

int main() {
  using namespace theon;
  Var X = matrix("X");
  Var y = vector("y");
  Var w = vector("w");
  Var mu = sigmoid(dot(X, w));
  Var E = neg(sum(y * log(mu) + (1.0 - y) * log(1.0 - mu)));
  auto Efun = function({X, w, y}, {E}, {.name = "E"});
  std::printf("%s", debugprint(Efun->graph().outputs()).c_str());

  const int64_t n = 1000, d = 100;
  std::mt19937 gen(0);
  std::normal_distribution<double> normal;
  NDArray Xv = NDArray::empty(DType::Float64, {n, d});
  NDArray wv = NDArray::empty(DType::Float64, {d});
  NDArray yv = NDArray::empty(DType::Float64, {n});
  for (int64_t i = 0; i < n * d; ++i) Xv.data<double>()[i] = normal(gen);
  for (int64_t j = 0; j < d; ++j) wv.data<double>()[j] = 0.1 * normal(gen);
  for (int64_t i = 0; i < n; ++i) yv.data<double>()[i] = normal(gen) > 0 ? 1.0 : 0.0;

  double result = Efun->call({Xv, wv, yv})[0].flat_as_double(0);

  double expected = 0;
  for (int64_t i = 0; i < n; ++i) {
    double z = 0;
    for (int64_t j = 0; j < d; ++j) z += Xv.data<double>()[i * d + j] * wv.data<double>()[j];
    const double m = 1 / (1 + std::exp(-z));
    const double t = yv.data<double>()[i];
    expected -= t * std::log(m) + (1 - t) * std::log(1 - m);
  }
  std::printf("E = %.10f (direct computation: %.10f)\n", result, expected);
  return std::abs(result - expected) <= 1e-9 * std::abs(expected) ? 0 : 1;
}
