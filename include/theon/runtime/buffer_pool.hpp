// A per-function pool of buffers: intermediates released after their last use are handed to
// later nodes of the same call and to later calls, so a steady-state call allocates nothing
// but the arrays it returns.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "theon/core/ndarray.hpp"

namespace theon {

class BufferPool : public BufferAllocator {
 public:
  std::shared_ptr<void> allocate(size_t bytes) override;
  // Takes back the array's buffer if the pool allocated it and nothing else holds it.
  void release(NDArray&& array);
  // Takes the array's buffer as release() does and clears the array, returning true; false, and
  // the array untouched, when the pool did not allocate the buffer or something else holds it.
  bool take_back(NDArray& array);
  size_t pooled_bytes() const;

 private:
  // Free buffers by size, in vectors that keep their capacity: taking one back or handing one
  // out allocates nothing once a size has been seen.
  std::unordered_map<size_t, std::vector<std::shared_ptr<void>>> free_;
};

}  // namespace theon
