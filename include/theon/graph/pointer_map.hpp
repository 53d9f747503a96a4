// PointerMap and PointerSet: maps and sets keyed by non-null pointers, in one flat array (open
// addressing, linear probing). Graph walks mark every node they visit; std::unordered_set
// allocates a list node per insert and follows a bucket pointer per lookup, which dominates a
// walk over a graph that no longer fits the caches. Here an insert or lookup touches one slot in
// the common case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace theon {

template <class K, class V>
class PointerMap {
 public:
  PointerMap() = default;

  // Room for `n` keys without growing.
  void reserve(size_t n) {
    if (2 * n > slots_.size()) rehash(2 * n);
  }
  // The value of `key`, or null. The pointer is valid until the next insertion.
  V* find(const K* key) {
    if (size_ == 0) return nullptr;
    Slot& s = slots_[slot_of(key)];
    return s.key ? &s.value : nullptr;
  }
  const V* find(const K* key) const { return const_cast<PointerMap*>(this)->find(key); }
  bool contains(const K* key) const { return find(key) != nullptr; }
  // Inserts `key` with `value` unless present; returns its value and whether it was inserted.
  // `key` must not be null (null marks an empty slot).
  std::pair<V*, bool> try_emplace(const K* key, V value = V()) {
    if (2 * (size_ + 1) > slots_.size()) rehash(2 * (size_ + 1));
    Slot& s = slots_[slot_of(key)];
    if (s.key) return {&s.value, false};
    s.key = key;
    s.value = std::move(value);
    ++size_;
    return {&s.value, true};
  }
  // True if `key` was present.
  bool erase(const K* key) {
    if (size_ == 0) return false;
    size_t i = slot_of(key);
    if (!slots_[i].key) return false;
    // Backward shift: later keys of the probe run move into the hole unless their home slot is
    // after it, so that every lookup still stops at the first empty slot.
    for (size_t j = (i + 1) & mask_; slots_[j].key; j = (j + 1) & mask_) {
      if (((j - home(slots_[j].key)) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i] = Slot();
    --size_;
    return true;
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    const K* key = nullptr;
    [[no_unique_address]] V value{};
  };

  size_t home(const K* key) const {
    // Fibonacci hashing: the high bits of the product mix every bit of the address.
    const uint64_t h =
        static_cast<uint64_t>(reinterpret_cast<uintptr_t>(key)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> shift_);
  }
  // The slot holding `key`, or the empty slot where its probe run ends.
  size_t slot_of(const K* key) const {
    size_t i = home(key);
    while (slots_[i].key && slots_[i].key != key) i = (i + 1) & mask_;
    return i;
  }
  void rehash(size_t at_least) {
    size_t capacity = 16;
    int bits = 4;
    while (capacity < at_least) {
      capacity *= 2;
      ++bits;
    }
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    shift_ = 64 - bits;
    size_ = 0;
    for (Slot& s : old) {
      if (s.key) try_emplace(s.key, std::move(s.value));
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t mask_ = 0;
  int shift_ = 64;
};

// A set of non-null pointers: a PointerMap with nothing mapped.
template <class T>
class PointerSet {
 public:
  void reserve(size_t n) { map_.reserve(n); }
  // True if `p` was not in the set.
  bool insert(const T* p) { return map_.try_emplace(p).second; }
  bool contains(const T* p) const { return map_.contains(p); }
  bool erase(const T* p) { return map_.erase(p); }
  size_t size() const { return map_.size(); }

 private:
  struct Nothing {};
  PointerMap<T, Nothing> map_;
};

}  // namespace theon
