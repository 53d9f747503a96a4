#include "theon/runtime/buffer_pool.hpp"

#include <new>

namespace theon {
namespace {

// The deleter of the pool's buffers (64-byte aligned, as allocate_buffer_fresh's). It carries
// the pool and the block's size, so a buffer is known as the pool's by its deleter: a table of
// addresses would go stale once a buffer handed out is freed elsewhere and its address reused
// by a smaller block.
struct PooledBuffer {
  const BufferPool* pool;
  size_t bytes;
  void operator()(void* p) const { ::operator delete (p, std::align_val_t{64}); }
};

// The size of `buf` when `pool` allocated it, else 0.
size_t pooled_size(const BufferPool* pool, const std::shared_ptr<void>& buf) {
  const PooledBuffer* tag = std::get_deleter<PooledBuffer>(buf);
  return tag != nullptr && tag->pool == pool ? tag->bytes : 0;
}

}  // namespace

std::shared_ptr<void> BufferPool::allocate(size_t bytes) {
  auto it = free_.find(bytes);
  if (it != free_.end() && !it->second.empty()) {
    auto buf = std::move(it->second.back());
    it->second.pop_back();
    return buf;
  }
  void* p = ::operator new (bytes ? bytes : 1, std::align_val_t{64});
  return std::shared_ptr<void>(p, PooledBuffer{this, bytes});
}

void BufferPool::release(NDArray&& array) {
  if (!take_back(array)) array = NDArray();
}

bool BufferPool::take_back(NDArray& array) {
  const std::shared_ptr<void>& buf = array.buffer();
  if (!buf || buf.use_count() != 1) return false;
  const size_t bytes = pooled_size(this, buf);
  if (bytes == 0) return false;
  free_[bytes].push_back(buf);
  array.clear();
  return true;
}

size_t BufferPool::pooled_bytes() const {
  size_t n = 0;
  for (const auto& [bytes, buffers] : free_) n += bytes * buffers.size();
  return n;
}

}  // namespace theon
