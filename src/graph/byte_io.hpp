// Little-endian byte writing and bounds-checked reading for the graph format (serialize.cpp).
// Every read checks the bytes left first, and every count is checked against them before
// anything of that size is built, so corrupt input ends in a ValueError, never a bad read.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "theon/core/error.hpp"

namespace theon::byte_io {

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { fixed(v, 4); }
  void u64(uint64_t v) { fixed(v, 8); }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void f64(double v) { u64(std::bit_cast<uint64_t>(v)); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  // `n` elements of `size` bytes each, in host order, written little-endian.
  void elements(const char* data, uint64_t n, size_t size) {
    if constexpr (std::endian::native == std::endian::little) {
      out_.append(data, n * size);
    } else {
      for (uint64_t i = 0; i < n; ++i) {
        for (size_t b = size; b-- > 0;) out_.push_back(data[i * size + b]);
      }
    }
  }
  void raw(std::string_view bytes) { out_.append(bytes); }
  std::string& bytes() { return out_; }

 private:
  void fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  size_t left() const { return bytes_.size() - pos_; }

  [[noreturn]] void fail(const std::string& why) const {
    throw ValueError("graph bytes are corrupt at offset " + std::to_string(pos_) + ": " + why);
  }
  void need(uint64_t n, const char* what) const {
    if (n > left()) {
      fail("truncated: " + std::string(what) + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(left()) + " left");
    }
  }
  uint8_t u8(const char* what) {
    need(1, what);
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(fixed(4, what)); }
  uint64_t u64(const char* what) { return fixed(8, what); }
  int64_t i64(const char* what) { return static_cast<int64_t>(fixed(8, what)); }
  double f64(const char* what) { return std::bit_cast<double>(fixed(8, what)); }
  bool boolean(const char* what) {
    const uint8_t v = u8(what);
    if (v > 1) fail(std::string(what) + " is not 0 or 1");
    return v == 1;
  }
  // A count of items that take at least `min_item_bytes` each: checked against the bytes left
  // before the caller loops or allocates.
  uint64_t count(const char* what, uint64_t min_item_bytes) {
    const uint64_t n = u64(what);
    if (min_item_bytes > 0 && n > left() / min_item_bytes) {
      fail(std::string(what) + " " + std::to_string(n) + " exceeds the bytes left");
    }
    return n;
  }
  std::string str(const char* what) {
    const uint64_t n = count(what, 1);
    std::string s(bytes_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::string_view view(uint64_t n, const char* what) {
    need(n, what);
    std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // `n` little-endian elements of `size` bytes into host order at `out`.
  void elements(char* out, uint64_t n, size_t size, const char* what) {
    if (size != 0 && n > left() / size) fail(std::string(what) + " exceeds the bytes left");
    const std::string_view src = view(n * size, what);
    if constexpr (std::endian::native == std::endian::little) {
      if (!src.empty()) std::memcpy(out, src.data(), src.size());
    } else {
      for (uint64_t i = 0; i < n; ++i) {
        for (size_t b = 0; b < size; ++b) out[i * size + b] = src[i * size + size - 1 - b];
      }
    }
  }

 private:
  uint64_t fixed(int n, const char* what) {
    need(static_cast<uint64_t>(n), what);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[pos_ + i])) << (8 * i);
    }
    pos_ += static_cast<size_t>(n);
    return v;
  }
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace theon::byte_io
