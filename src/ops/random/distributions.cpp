// The scalar distributions, with exact methods: Box-Muller for the normal, Marsaglia-Tsang for
// the gamma (boosted for shape < 1), beta from two gammas (in logs, so small shapes do not
// underflow), binomial by splitting at beta-distributed order statistics (exact for any n),
// Poisson by multiplication below 10 and Hormann's PTRS above, truncated normal by rejection
// from a normal, an exponential tail or a uniform box, whichever accepts often for the interval.
#include "distributions.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "../vector_clones.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace theon::random_detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string fmt(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string require(bool ok, const char* what, double got) {
  return ok ? std::string() : std::string(what) + ", got " + fmt(got);
}

double to_single_open(double v, double high, bool single) {
  if (!single) return v;
  // Rounding to float32 must not reach the excluded upper bound.
  float f = static_cast<float>(v);
  if (static_cast<double>(f) >= high && high > -kInf) f = std::nextafter(f, -INFINITY);
  return f;
}

// A standard normal from two uniforms, u1 in (0, 1] and u2 in [0, 1).
double box_muller(double u1, double u2) {
  const double r = std::sqrt(-2 * std::log(u1));
  return r * std::cos(2 * std::numbers::pi * u2);
}

// log of a Gamma(shape, 1) sample; stays finite for tiny shapes, where the sample underflows.
double log_gamma_sample(ElementStream& s, double shape) {
  double boost = 0;
  if (shape < 1) {
    boost = std::log(s.uniform_pos()) / shape;  // G(a) = G(a + 1) * U^(1/a)
    shape += 1;
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9 * d);
  for (;;) {
    const double x = standard_normal(s);
    double v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = s.uniform_pos();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return std::log(d * v) + boost;
  }
}

double gamma_sample(ElementStream& s, double shape) {
  if (shape == 0) return 0;
  return std::exp(log_gamma_sample(s, shape));
}

double beta_sample(ElementStream& s, double a, double b) {
  const double lx = log_gamma_sample(s, a), ly = log_gamma_sample(s, b);
  const double m = std::max(lx, ly);
  return std::exp(lx - (m + std::log(std::exp(lx - m) + std::exp(ly - m))));
}

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

// A standard normal restricted to [a, b].
double truncated_standard_normal(ElementStream& s, double a, double b) {
  if (b <= 0) return -truncated_standard_normal(s, -b, -a);
  if (normal_cdf(b) - normal_cdf(a) > 0.25) {  // plain rejection accepts at least 1 in 4
    for (;;) {
      const double z = standard_normal(s);
      if (z >= a && z <= b) return z;
    }
  }
  if (a > 0 && (b - a) * a > 1) {  // a far tail: Robert's exponential proposal
    const double alpha = (a + std::sqrt(a * a + 4)) / 2;
    for (;;) {
      const double z = a - std::log(s.uniform_pos()) / alpha;
      if (z <= b && s.uniform() <= std::exp(-(z - alpha) * (z - alpha) / 2)) return z;
    }
  }
  // A narrow interval: a uniform proposal, accepted by the density relative to its maximum.
  const double peak = a > 0 ? a * a : 0.0;
  for (;;) {
    const double z = a + (b - a) * s.uniform();
    if (s.uniform() <= std::exp((peak - z * z) / 2)) return z;
  }
}

int64_t poisson_sample(ElementStream& s, double lam) {
  if (lam == 0) return 0;
  if (lam < 10) {
    const double limit = std::exp(-lam);
    double prod = s.uniform();
    int64_t k = 0;
    while (prod > limit) {
      prod *= s.uniform();
      ++k;
    }
    return k;
  }
  // PTRS: transformed rejection with squeeze (Hormann 1993).
  const double slam = std::sqrt(lam), loglam = std::log(lam);
  const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = s.uniform() - 0.5, v = s.uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<int64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -lam + k * loglam - std::lgamma(k + 1)) {
      return static_cast<int64_t>(k);
    }
  }
}

// ---- the rows ----

std::string check_none(const double*) {
  return "";
}
std::string check_scale1(const double* p) {
  return require(p[1] >= 0, "scale must be >= 0", p[1]);
}
std::string check_scale0(const double* p) {
  return require(p[0] >= 0, "scale must be >= 0", p[0]);
}
std::string check_uniform(const double* p) {
  if (std::isfinite(p[0]) && std::isfinite(p[1]) && p[0] <= p[1]) return "";
  return "low and high must be finite with low <= high, got low=" + fmt(p[0]) +
         ", high=" + fmt(p[1]);
}
std::string check_truncated(const double* p) {
  if (p[1] < 0) return require(false, "scale must be >= 0", p[1]);
  return require(p[2] < p[3], "the bounds must satisfy a < b; b", p[3]);
}
std::string check_binomial(const double* p) {
  if (!(p[0] >= 0) || p[0] != std::floor(p[0])) {
    return require(false, "n must be a non-negative integer", p[0]);
  }
  return require(p[1] >= 0 && p[1] <= 1, "p must be in [0, 1]", p[1]);
}
std::string check_beta(const double* p) {
  if (!(p[0] > 0)) return require(false, "a must be > 0", p[0]);
  return require(p[1] > 0, "b must be > 0", p[1]);
}
std::string check_gamma(const double* p) {
  if (!(p[0] >= 0)) return require(false, "shape must be >= 0", p[0]);
  return require(p[1] >= 0, "scale must be >= 0", p[1]);
}
std::string check_poisson(const double* p) {
  return require(p[0] >= 0 && p[0] < 1e15, "lam must be in [0, 1e15)", p[0]);
}
std::string check_integers(const double* p) {
  return require(p[0] < p[1] && p[1] - p[0] <= 0x1.0p63, "the bounds must satisfy low < high; high",
                 p[1]);
}

double uniform_real(ElementStream& s, const double* p, bool single) {
  const double u = single ? s.uniform_f32() : s.uniform();
  return to_single_open(p[0] + (p[1] - p[0]) * u, p[1], single);
}
// uniform_real's samples from each element's first block, without the stream.
void uniform_from_blocks(const uint32_t* blocks, int64_t n, const double* p, bool single,
                         double* out) {
  const double width = p[1] - p[0];
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t* w = blocks + 4 * i;
    const double u =
        single ? philox::uniform_24(w[0]) : philox::uniform_53(philox::join_words(w[0], w[1]));
    out[i] = to_single_open(p[0] + width * u, p[1], single);
  }
}
// standard_normal's Box-Muller from a first block: u1 from words 0-1 (never 0), u2 from 2-3.
double normal_from_block(const uint32_t* w) {
  return box_muller(philox::uniform_53_positive(philox::join_words(w[0], w[1])),
                    philox::uniform_53(philox::join_words(w[2], w[3])));
}
void normal_from_blocks(const uint32_t* blocks, int64_t n, const double* p, bool, double* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = p[0] + p[1] * normal_from_block(blocks + 4 * i);
}
void standard_normal_from_blocks(const uint32_t* blocks, int64_t n, const double*, bool,
                                 double* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = normal_from_block(blocks + 4 * i);
}
void uniform_words(const uint32_t* w, int64_t n, int, const double* p, bool single, double* out) {
  const double scale = (p[1] - p[0]) * 0x1.0p-24;
  for (int64_t i = 0; i < n; ++i) out[i] = p[0] + scale * static_cast<double>(w[i] >> 8);
  if (!single) return;
  for (int64_t i = 0; i < n; ++i) out[i] = to_single_open(out[i], p[1], true);
}
double normal_real(ElementStream& s, const double* p, bool) {
  return p[0] + p[1] * standard_normal(s);
}
double standard_normal_real(ElementStream& s, const double*, bool) {
  return standard_normal(s);
}
double truncated_real(ElementStream& s, const double* p, bool) {
  return p[0] + p[1] * truncated_standard_normal(s, p[2], p[3]);
}
double beta_real(ElementStream& s, const double* p, bool) {
  return beta_sample(s, p[0], p[1]);
}
double gamma_real(ElementStream& s, const double* p, bool) {
  return gamma_sample(s, p[0]) * p[1];
}
double exponential_real(ElementStream& s, const double* p, bool) {
  return -std::log(s.uniform_pos()) * p[0];
}
int64_t binomial_int(ElementStream& s, const double* p) {
  return binomial(s, static_cast<int64_t>(p[0]), p[1]);
}
int64_t poisson_int(ElementStream& s, const double* p) {
  return poisson_sample(s, p[0]);
}
int64_t integers_int(ElementStream& s, const double* p) {
  const auto low = static_cast<int64_t>(p[0]);
  const auto range = static_cast<uint64_t>(static_cast<int64_t>(p[1]) - low);
  return low + static_cast<int64_t>(bounded(s, range));
}
int one_word(const double*) {
  return 32;
}
// Bernoulli masks (binomial with n = 1, the dropout case) need as many random bits as p has
// binary digits, one for p = 0.5: exact, and up to 32 times fewer Philox blocks. Other p take
// a word each (p rounded to a multiple of 2^-32).
int bernoulli_bits(const double* p) {
  if (p[0] != 1) return 0;
  for (int bits = 1; bits < 32; bits *= 2) {
    const double scaled = std::ldexp(p[1], bits);
    if (scaled == std::floor(scaled)) return bits;
  }
  return 32;
}
// P(field < p * 2^bits), compared as integers: field < ceil(p * 2^bits).
bool bernoulli_threshold(const double* p, int bits, uint32_t* threshold) {
  const double bound = std::ceil(std::ldexp(p[1], bits));
  if (bound > 0x1.0p32 - 1) return false;  // p = 1 with 32 bits: every field is below
  *threshold = static_cast<uint32_t>(bound);
  return true;
}
void bernoulli_words(const uint32_t* fields, int64_t n, int bits, const double* p, bool,
                     double* out) {
  uint32_t threshold = 0;
  if (!bernoulli_threshold(p, bits, &threshold)) {
    std::fill(out, out + n, 1.0);
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = fields[i] < threshold ? 1.0 : 0.0;
}

#if defined(__x86_64__) && defined(__GNUC__)
// keep[j] = 1 - bit j of the words (low bits of words[0] first), for 64 * chunks bits: one
// masked byte move per 64 bits, where the cloned loop below spends a shift, a mask and a
// compare per bit. The fair coin (p = 0.5, dropout's default) is this case.
__attribute__((target("avx512bw"))) void zero_bits_as_bytes(const uint32_t* words, int64_t chunks,
                                                            uint8_t* keep) {
  const __m512i one = _mm512_set1_epi8(1);
  for (int64_t c = 0; c < chunks; ++c) {
    uint64_t bits;
    std::memcpy(&bits, words + 2 * c, sizeof bits);
    _mm512_storeu_si512(keep + 64 * c, _mm512_maskz_mov_epi8(~bits, one));
  }
}
bool has_avx512bw() {
  static const bool yes = (__builtin_cpu_init(), __builtin_cpu_supports("avx512bw"));
  return yes;
}
#endif

template <int kBits>
THEON_INLINE void fields_below(const uint32_t* words, int64_t first, int64_t n, uint32_t threshold,
                               uint8_t* keep) {
  constexpr int64_t kPerWord = 32 / kBits;
  constexpr uint32_t kMask = kBits == 32 ? ~0u : (1u << kBits) - 1;
  auto one = [&](int64_t j) {
    const int64_t bit = (first + j) * kBits;
    keep[j] = ((words[bit >> 5] >> (bit & 31)) & kMask) < threshold;
  };
  int64_t j = 0;
  for (; j < n && (first + j) % kPerWord != 0; ++j) one(j);
  // Whole words: the fields of one word at once, shifted by constants.
  for (; j + kPerWord <= n; j += kPerWord) {
    const uint32_t word = words[(first + j) / kPerWord];
    uint8_t* out = keep + j;
    for (int64_t f = 0; f < kPerWord; ++f) out[f] = ((word >> (f * kBits)) & kMask) < threshold;
  }
  for (; j < n; ++j) one(j);
}

const Distribution kDistributions[] = {
    {"uniform",
     {"low", "high"},
     false,
     one_word,
     check_uniform,
     uniform_real,
     nullptr,
     uniform_words,
     nullptr,
     uniform_from_blocks},
    {"normal",
     {"loc", "scale"},
     false,
     nullptr,
     check_scale1,
     normal_real,
     nullptr,
     nullptr,
     nullptr,
     normal_from_blocks},
    {"standard_normal",
     {},
     false,
     nullptr,
     check_none,
     standard_normal_real,
     nullptr,
     nullptr,
     nullptr,
     standard_normal_from_blocks},
    {"truncated_normal",
     {"loc", "scale", "a", "b"},
     false,
     nullptr,
     check_truncated,
     truncated_real,
     nullptr,
     nullptr,
     nullptr,
     nullptr},
    {"beta", {"a", "b"}, false, nullptr, check_beta, beta_real, nullptr, nullptr, nullptr, nullptr},
    {"gamma",
     {"shape", "scale"},
     false,
     nullptr,
     check_gamma,
     gamma_real,
     nullptr,
     nullptr,
     nullptr,
     nullptr},
    {"exponential",
     {"scale"},
     false,
     nullptr,
     check_scale0,
     exponential_real,
     nullptr,
     nullptr,
     nullptr,
     nullptr},
    {"binomial",
     {"n", "p"},
     true,
     bernoulli_bits,
     check_binomial,
     nullptr,
     binomial_int,
     bernoulli_words,
     bernoulli_threshold,
     nullptr},
    {"poisson",
     {"lam"},
     true,
     nullptr,
     check_poisson,
     nullptr,
     poisson_int,
     nullptr,
     nullptr,
     nullptr},
    {"integers",
     {"low", "high"},
     true,
     nullptr,
     check_integers,
     nullptr,
     integers_int,
     nullptr,
     nullptr,
     nullptr},
};

}  // namespace

double standard_normal(ElementStream& s) {
  const double u1 = s.uniform_pos();  // drawn first: the stream's words go in order
  return box_muller(u1, s.uniform());
}

int64_t binomial(ElementStream& s, int64_t n, double p) {
  int64_t k = 0;
  bool flipped = false;
  if (p > 0.5) {
    p = 1 - p;
    flipped = true;
  }
  const int64_t total = n;
  // While n is large, the a-th smallest of n uniforms, X ~ Beta(a, n - a + 1), splits the count
  // below p: below X lie a - 1 uniforms on [0, X); above it n - a on (X, 1).
  while (n >= 32 && p > 0) {
    const int64_t a = n / 2 + 1;
    const double x = beta_sample(s, static_cast<double>(a), static_cast<double>(n - a + 1));
    if (x >= p) {
      n = a - 1;
      p = p / x;
    } else {
      k += a;
      n = n - a;
      p = (p - x) / (1 - x);
    }
  }
  for (int64_t i = 0; i < n && p > 0; ++i) k += s.uniform() < p ? 1 : 0;
  return flipped ? total - k : k;
}

uint64_t bounded(ElementStream& s, uint64_t range) {
  // Lemire's multiply-shift with rejection of the biased low part.
  unsigned __int128 m = static_cast<unsigned __int128>(s.next64()) * range;
  auto low = static_cast<uint64_t>(m);
  if (low < range) {
    const uint64_t threshold = (0 - range) % range;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(s.next64()) * range;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

THEON_VECTOR_CLONES void philox_blocks_wide(uint64_t first, int n, uint32_t stream, uint32_t call,
                                            philox::Key key, uint32_t* out) {
  philox::philox_blocks(first, n, stream, call, key, out);
}

THEON_VECTOR_CLONES void fields_below_threshold(const uint32_t* words, int64_t first, int64_t n,
                                                int bits, uint32_t threshold, uint8_t* keep) {
  switch (bits) {
    case 1:
#if defined(__x86_64__) && defined(__GNUC__)
      if (threshold == 1 && has_avx512bw()) {
        // Single fields up to a 64-bit boundary, then whole 64-bit chunks, then the rest.
        const int64_t head = std::min(n, (64 - first % 64) % 64);
        fields_below<1>(words, first, head, threshold, keep);
        const int64_t chunks = (n - head) / 64;
        zero_bits_as_bytes(words + (first + head) / 32, chunks, keep + head);
        const int64_t done = head + 64 * chunks;
        return fields_below<1>(words, first + done, n - done, threshold, keep + done);
      }
#endif
      return fields_below<1>(words, first, n, threshold, keep);
    case 2:
      return fields_below<2>(words, first, n, threshold, keep);
    case 4:
      return fields_below<4>(words, first, n, threshold, keep);
    case 8:
      return fields_below<8>(words, first, n, threshold, keep);
    case 16:
      return fields_below<16>(words, first, n, threshold, keep);
    default:
      return fields_below<32>(words, first, n, threshold, keep);
  }
}

const Distribution* find_distribution(const std::string& name) {
  for (const Distribution& d : kDistributions) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

std::vector<std::string> distribution_names() {
  std::vector<std::string> out;
  for (const Distribution& d : kDistributions) out.emplace_back(d.name);
  return out;
}

}  // namespace theon::random_detail
