// The VM's buffer pool: it takes back only buffers it allocated, by their true size.
#include <gtest/gtest.h>

#include "theon/core/ndarray.hpp"
#include "theon/runtime/buffer_pool.hpp"

namespace theon {
namespace {

NDArray array_of(std::shared_ptr<void> buffer, int64_t floats) {
  char* data = static_cast<char*>(buffer.get());
  return NDArray::wrap(std::move(buffer), data, DType::Float32, {floats}, {4});
}

TEST(BufferPool, TakesBackItsOwnBuffersOnlyWhenNothingElseHoldsThem) {
  BufferPool pool;
  NDArray mine = array_of(pool.allocate(4096), 1024);
  NDArray copy = mine;
  EXPECT_FALSE(pool.take_back(mine));  // `copy` still holds it
  EXPECT_TRUE(mine.defined());
  copy = NDArray();
  EXPECT_TRUE(pool.take_back(mine));
  EXPECT_FALSE(mine.defined());
  EXPECT_EQ(pool.pooled_bytes(), 4096u);
  const void* reused = pool.allocate(4096).get();
  EXPECT_EQ(pool.pooled_bytes(), 0u);
  EXPECT_NE(reused, nullptr);
}

// A buffer the pool handed out and that was freed elsewhere may come back from the allocator,
// at the same address, as another (smaller) array's: the pool must not take that one as its
// own block of the old size (it would later hand out too small a block).
TEST(BufferPool, RefusesForeignBuffersEvenAtAnAddressItOnceHandedOut) {
  BufferPool pool;
  const void* address = nullptr;
  {
    std::shared_ptr<void> handed_out = pool.allocate(8192);
    address = handed_out.get();
  }  // freed outside the pool, as a replaced shared value set by the user is
  std::vector<NDArray> foreign;
  for (int attempt = 0; attempt < 64; ++attempt) {
    foreign.push_back(array_of(allocate_buffer_fresh(256), 64));
    if (foreign.back().raw() == address) break;
  }
  for (NDArray& a : foreign) EXPECT_FALSE(pool.take_back(a));
  EXPECT_EQ(pool.pooled_bytes(), 0u);
  NDArray last = std::move(foreign.back());
  foreign.pop_back();
  pool.release(std::move(last));
  EXPECT_EQ(pool.pooled_bytes(), 0u);
}

}  // namespace
}  // namespace theon
