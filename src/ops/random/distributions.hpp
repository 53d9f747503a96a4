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
  // For rows whose from_words gives 1 where a field is below a threshold and 0 elsewhere (a
  // Bernoulli mask): sets *threshold for `bits`-bit fields and returns true when it fits 32
  // bits. Null for other rows.
  bool (*word_threshold)(const double* p, int bits, uint32_t* threshold);
  // For rows whose sample reads only the element's first Philox block: out[i] from the four
  // words at blocks + 4 i, the value `real` gives with those words. Null for other rows.
  void (*reals_from_blocks)(const uint32_t* blocks, int64_t n, const double* p, bool single,
                            double* out);
};

// philox::philox_blocks, compiled for AVX2 and AVX-512 machines as well.
void philox_blocks_wide(uint64_t first, int n, uint32_t stream, uint32_t call, philox::Key key,
                        uint32_t* out);

// keep[j] = 1 where field first + j of `words` (fields of `bits` bits, 1 to 32 a power of two,
// numbered from the low bits of words[0]) is below threshold, else 0, for j < n.
void fields_below_threshold(const uint32_t* words, int64_t first, int64_t n, int bits,
                            uint32_t threshold, uint8_t* keep);

// The row named `name`, or null.
const Distribution* find_distribution(const std::string& name);
std::vector<std::string> distribution_names();

// Samplers other ops reuse (multinomial, choice, permutation).
double standard_normal(ElementStream& s);
int64_t binomial(ElementStream& s, int64_t n, double p);
// Uniform integer in [0, range) without bias (range >= 1).
uint64_t bounded(ElementStream& s, uint64_t range);

}  // namespace theon::random_detail
