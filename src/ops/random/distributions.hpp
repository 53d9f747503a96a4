// The scalar distributions of the random ops, one row each: parameter names, what a valid
// parameter is, and a sampler that draws one element from that element's Philox stream.
// Private to src/ops/random/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theon/ops/philox.hpp"

namespace theon::random_detail {

using philox::ElementStream;

struct Distribution {
  const char* name;
  std::vector<const char*> params;
  bool integer;  // integer samples (default dtype int64) or real ones (default floatX)
  // How many random bits one element with these parameters is drawn from when it needs a
  // fixed number: 32 (one word; elements share Philox blocks four to a block) or 1, 2, 4, 8 or
  // 16 (a Bernoulli p of that many binary digits: up to 128 elements to a block); then
  // from_words draws it. 0 when not; null when never.
  int (*word_bits)(const double* p);
  // The problem with one element's parameters, or "" when they are valid.
  std::string (*check)(const double* p);
  // One sample; `single` asks for float32 precision (one word where the method allows).
  double (*real)(ElementStream& s, const double* p, bool single);
  int64_t (*integral)(ElementStream& s, const double* p);
  // Random bits -> samples, for word_bits rows: out[i] from fields[i], `bits` random bits.
  void (*from_words)(const uint32_t* fields, int64_t n, int bits, const double* p, bool single,
                     double* out);
};

// The row named `name`, or null.
const Distribution* find_distribution(const std::string& name);
std::vector<std::string> distribution_names();

// Samplers other ops reuse (multinomial, choice, permutation).
double standard_normal(ElementStream& s);
int64_t binomial(ElementStream& s, int64_t n, double p);
// Uniform integer in [0, range) without bias (range >= 1).
uint64_t bounded(ElementStream& s, uint64_t range);

}  // namespace theon::random_detail
