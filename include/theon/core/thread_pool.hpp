// A process-wide pool of worker threads for splitting large kernels across cores.
#pragma once

#include <cstdint>
#include <functional>

namespace theon {

// The number of threads large kernels use: config.num_threads, where 0 means every core.
int kernel_threads();

// Whether this thread is running a chunk of parallel_for (where nested work stays on it).
bool in_parallel_region();

// Runs body(begin, end) over disjoint chunks covering [0, n), in parallel when n is at least
// 2 * min_chunk and more than one thread is configured; on the calling thread otherwise. Returns
// when every chunk is done; the first exception a chunk throws is rethrown here.
void parallel_for(int64_t n, int64_t min_chunk,
                  const std::function<void(int64_t begin, int64_t end)>& body);

}  // namespace theon
