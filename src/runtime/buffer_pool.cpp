#include "theon/runtime/buffer_pool.hpp"

namespace theon {

std::shared_ptr<void> BufferPool::allocate(size_t bytes) {
  auto it = free_.find(bytes);
  if (it != free_.end() && !it->second.empty()) {
    auto buf = std::move(it->second.back());
    it->second.pop_back();
    return buf;
  }
  auto buf = allocate_buffer_fresh(bytes);
  sizes_[buf.get()] = bytes;
  return buf;
}

void BufferPool::release(NDArray&& array) {
  std::shared_ptr<void> buf = array.buffer();
  array = NDArray();
  if (!buf || buf.use_count() != 1) return;
  auto it = sizes_.find(buf.get());
  if (it == sizes_.end()) return;
  free_[it->second].push_back(std::move(buf));
}

bool BufferPool::take_back(NDArray& array) {
  const std::shared_ptr<void>& buf = array.buffer();
  if (!buf || buf.use_count() != 1) return false;
  auto it = sizes_.find(buf.get());
  if (it == sizes_.end()) return false;
  free_[it->second].push_back(buf);
  array.clear();
  return true;
}

size_t BufferPool::pooled_bytes() const {
  size_t n = 0;
  for (const auto& [bytes, buffers] : free_) n += bytes * buffers.size();
  return n;
}

}  // namespace theon
