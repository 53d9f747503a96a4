#include "theon/core/thread_pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "theon/core/config.hpp"

namespace theon {
namespace {

// Workers sleep on a condition variable and take chunks of the current job by index, so a job
// costs one wake-up per worker and no allocation per chunk.
class ThreadPool {
 public:
  static ThreadPool& global() {
    // Leaked on purpose: joining workers from a static destructor races with other statics.
    static ThreadPool* pool = new ThreadPool(std::max(1u, std::thread::hardware_concurrency()));
    return *pool;
  }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(int chunks, const std::function<void(int)>& task) {
    std::unique_lock<std::mutex> job_lock(job_mutex_);  // one job at a time
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      chunks_ = chunks;
      next_ = 1;  // chunk 0 runs on the caller
      pending_ = chunks;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    execute(0);
    while (true) {
      int chunk;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (next_ >= chunks_) break;
        chunk = next_++;
      }
      execute(chunk);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    task_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  explicit ThreadPool(unsigned threads) {
    for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { worker(); });
    for (auto& w : workers_) w.detach();
  }

  void execute(int chunk) {
    try {
      (*task_)(chunk);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (--pending_ == 0) done_.notify_all();
  }

  void worker() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return generation_ != seen && next_ < chunks_; });
      while (task_ != nullptr && next_ < chunks_) {
        const int chunk = next_++;
        lock.unlock();
        execute(chunk);
        lock.lock();
      }
      seen = generation_;
    }
  }

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int chunks_ = 0, next_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  std::exception_ptr error_;
};

constexpr int kChunksPerThread = 4;

// Set while this thread runs a chunk, so that a kernel inside a kernel stays on its thread.
thread_local bool running_chunk = false;

}  // namespace

bool in_parallel_region() {
  return running_chunk;
}

int kernel_threads() {
  const int configured = std::stoi(Config::global().get("num_threads"));
  const int cores = ThreadPool::global().size();
  return configured <= 0 ? cores : std::min(configured, cores);
}

void parallel_for(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  const int64_t most = std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk));
  if (most == 1) {
    body(0, n);
    return;
  }
  const int threads = running_chunk ? 1 : kernel_threads();
  // Several chunks per thread, taken in turn: on a shared machine a thread the system does
  // not run for a while leaves its later chunks to the others instead of holding up the whole
  // job (halves: 2 threads ran 0.6x as fast as 1 at load 6 on 2 cores; issue 20 item 5).
  const int chunks =
      threads <= 1 ? 1
                   : static_cast<int>(std::min<int64_t>(int64_t{threads} * kChunksPerThread, most));
  if (chunks <= 1) {
    body(0, n);
    return;
  }
  // Chunks start at multiples of min_chunk (each spans at least min_chunk before rounding, so
  // none is empty): a fused loop over 2^15-element chunks then runs its vector and scalar
  // iterations on the same elements whatever the number of chunks, so results do not change
  // with the thread count (libmvec's functions differ from the scalar ones in the last bits).
  const int64_t unit = std::max<int64_t>(1, min_chunk);
  auto start = [&](int chunk) { return chunk == chunks ? n : n * chunk / chunks / unit * unit; };
  ThreadPool::global().run(chunks, [&](int chunk) {
    const int64_t begin = start(chunk);
    const int64_t end = start(chunk + 1);
    struct Running {  // cleared also when the body throws
      Running() { running_chunk = true; }
      ~Running() { running_chunk = false; }
    } running;
    body(begin, end);
  });
}

}  // namespace theon
