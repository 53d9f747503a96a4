// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC11): a
// counter-based generator. A 128-bit counter and a 64-bit key map to 128 random bits by ten
// rounds of a multiply-xor network, so any element's numbers are computed on their own: a draw
// is the same on any number of threads and in any order. Header-only: kernels inline it.
#pragma once

#include <array>
#include <cstdint>

namespace theon::philox {

using Counter = std::array<uint32_t, 4>;
using Key = std::array<uint32_t, 2>;

inline constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
inline constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;  // key schedule

inline Counter philox_round(const Counter& c, const Key& k) {
  const uint64_t p0 = uint64_t{kMul0} * c[0];
  const uint64_t p1 = uint64_t{kMul1} * c[2];
  return {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
          static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
}

// The 4 random words of counter `c` under key `k`.
inline Counter philox4x32_10(Counter c, Key k) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k[0] += kWeyl0;
      k[1] += kWeyl1;
    }
    c = philox_round(c, k);
  }
  return c;
}

// The blocks of `n` consecutive counters (first + i, stream, call) for i < n <= kLanes, word w
// of block i in out[4 * i + w]: the same as philox4x32_10 on each, computed lane by lane so
// that the compiler vectorizes the rounds.
// Always inlined, so that a caller compiled for wider vectors than the library's baseline
// (src/ops/random's) vectorizes it for them.
inline constexpr int kLanes = 64;
[[gnu::always_inline]] inline void philox_blocks(uint64_t first, int n, uint32_t stream,
                                                 uint32_t call, Key k, uint32_t* out) {
  uint32_t x0[kLanes], x1[kLanes], x2[kLanes], x3[kLanes];
  for (int i = 0; i < n; ++i) {
    const uint64_t c = first + static_cast<uint64_t>(i);
    x0[i] = static_cast<uint32_t>(c);
    x1[i] = static_cast<uint32_t>(c >> 32);
    x2[i] = stream;
    x3[i] = call;
  }
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k[0] += kWeyl0;
      k[1] += kWeyl1;
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t p0 = uint64_t{kMul0} * x0[i];
      const uint64_t p1 = uint64_t{kMul1} * x2[i];
      const uint32_t y0 = static_cast<uint32_t>(p1 >> 32) ^ x1[i] ^ k[0];
      const uint32_t y2 = static_cast<uint32_t>(p0 >> 32) ^ x3[i] ^ k[1];
      x1[i] = static_cast<uint32_t>(p1);
      x3[i] = static_cast<uint32_t>(p0);
      x0[i] = y0;
      x2[i] = y2;
    }
  }
  for (int i = 0; i < n; ++i) {
    out[4 * i] = x0[i];
    out[4 * i + 1] = x1[i];
    out[4 * i + 2] = x2[i];
    out[4 * i + 3] = x3[i];
  }
}

// Random bits as the samplers read them, whether from a stream or from a block's words: two
// words as 64 bits (the first the high half), and uniforms on [0, 1) with 53 bits, on (0, 1]
// with 53 bits (safe under log) and on [0, 1) with 24 bits (float32 draws take one word).
inline uint64_t join_words(uint32_t high, uint32_t low) {
  return (uint64_t{high} << 32) | low;
}
inline double uniform_53(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}
inline double uniform_53_positive(uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 1.0) * 0x1.0p-53;
}
inline float uniform_24(uint32_t bits) {
  return static_cast<float>(bits >> 8) * 0x1.0p-24f;
}

// The random words of one element of one draw: counter (element low 32 bits, element bits
// 32..47 with a 16-bit block number above them, stream, call). Samplers that need more than
// four words (rejection methods) move to the next block.
class ElementStream {
 public:
  ElementStream(const Key& key, uint32_t stream, uint32_t call, uint64_t element)
      : key_(key),
        counter_{static_cast<uint32_t>(element), static_cast<uint32_t>((element >> 32) & 0xFFFFu),
                 stream, call} {}
  // The same stream with its first block given (philox_blocks of counter `element`, which
  // is that block for elements below 2^48).
  ElementStream(const Key& key, uint32_t stream, uint32_t call, uint64_t element,
                const uint32_t* first_block)
      : ElementStream(key, stream, call, element) {
    words_ = {first_block[0], first_block[1], first_block[2], first_block[3]};
    counter_[1] += 0x10000u;
    used_ = 0;
  }

  uint32_t next32() {
    if (used_ == 4) refill();
    return words_[used_++];
  }
  uint64_t next64() {
    const uint32_t high = next32();
    return join_words(high, next32());
  }
  double uniform() { return uniform_53(next64()); }
  double uniform_pos() { return uniform_53_positive(next64()); }
  float uniform_f32() { return uniform_24(next32()); }

 private:
  void refill() {
    words_ = philox4x32_10(counter_, key_);
    counter_[1] += 0x10000u;  // next block of this element
    used_ = 0;
  }
  Key key_;
  Counter counter_;
  Counter words_{};
  int used_ = 4;
};

}  // namespace theon::philox
