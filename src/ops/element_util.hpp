// Internal element helpers shared by the reduce and sort families.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace theon {

// bool is stored as one byte; buffers of it use uint8_t to avoid std::vector<bool>.
template <class T>
using Storage = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;

// The T at (possibly unaligned) address p.
template <class T>
inline T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <class T>
inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return v != v;
  } else {
    return false;
  }
}

}  // namespace theon
