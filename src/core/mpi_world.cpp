// The world of an MPI job (mpirun, srun). Every collective is started non-blocking and waited
// on with a deadline: a rank that died or hangs makes the others fail with a clear error
// instead of waiting forever. After such a failure the collectives of the ranks are out of
// step, so the world refuses further calls and aborts the job when it is released.
#include "mpi_world.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <thread>
#include <type_traits>

#include "theon/core/error.hpp"

namespace theon {
namespace {

template <typename T>
MPI_Datatype mpi_type_of() {
  if constexpr (std::is_same_v<T, bool>) {
    return MPI_C_BOOL;
  } else if constexpr (std::is_same_v<T, float>) {
    return MPI_FLOAT;
  } else if constexpr (std::is_same_v<T, double>) {
    return MPI_DOUBLE;
  } else if constexpr (std::is_signed_v<T>) {
    if constexpr (sizeof(T) == 1) return MPI_INT8_T;
    if constexpr (sizeof(T) == 2) return MPI_INT16_T;
    if constexpr (sizeof(T) == 4) return MPI_INT32_T;
    return MPI_INT64_T;
  } else {
    if constexpr (sizeof(T) == 1) return MPI_UINT8_T;
    if constexpr (sizeof(T) == 2) return MPI_UINT16_T;
    if constexpr (sizeof(T) == 4) return MPI_UINT32_T;
    return MPI_UINT64_T;
  }
}

MPI_Datatype mpi_type(DType dt) {
  return visit_dtype(dt, [](auto tag) { return mpi_type_of<typename decltype(tag)::type>(); });
}

// Booleans reduce with logical operators (MPI defines no arithmetic on them): a sum or max of
// booleans is their or, as np.add and np.maximum give; a min is their and.
MPI_Op mpi_op(ReduceOp op, DType dt) {
  const bool logical = dt == DType::Bool;
  switch (op) {
    case ReduceOp::Max:
      return logical ? MPI_LOR : MPI_MAX;
    case ReduceOp::Min:
      return logical ? MPI_LAND : MPI_MIN;
    case ReduceOp::Sum:
    case ReduceOp::Mean:
      break;
  }
  return logical ? MPI_LOR : MPI_SUM;
}

// MPI counts are ints: larger buffers go in pieces of this many elements.
constexpr int64_t kChunk = int64_t{1} << 30;

class MpiWorld final : public Communicator {
 public:
  MpiWorld(MPI_Comm comm, bool owns_mpi, double timeout)
      : comm_(comm), owns_mpi_(owns_mpi), timeout_(timeout) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }

  ~MpiWorld() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;
    // The other ranks may sit inside a collective this rank abandoned: end the whole job.
    if (failed_) abort_job(1);
    MPI_Comm_free(&comm_);
    if (owns_mpi_) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "mpi"; }
  void set_timeout(double seconds) override { timeout_ = seconds; }
  void abort_job(int exit_code) override {
    std::fflush(nullptr);
    MPI_Abort(MPI_COMM_WORLD, exit_code);
  }

  void barrier() override {
    MPI_Request req;
    start(MPI_Ibarrier(comm_, &req), "barrier");
    wait(req, "barrier");
  }

  std::vector<int64_t> all_gather_ints(const std::vector<int64_t>& values,
                                       const std::string& what) override {
    std::vector<int64_t> all(values.size() * static_cast<size_t>(size_));
    MPI_Request req;
    const int n = static_cast<int>(values.size());
    start(MPI_Iallgather(values.data(), n, MPI_INT64_T, all.data(), n, MPI_INT64_T, comm_, &req),
          what.c_str());
    wait(req, what.c_str());
    return all;
  }

  void all_reduce(const void* in, void* out, int64_t count, DType dtype, ReduceOp op) override {
    for_chunks(
        count, dtype,
        [&](int64_t offset, int n, MPI_Request* req) {
          return MPI_Iallreduce(at(in, offset, dtype), at(out, offset, dtype), n, mpi_type(dtype),
                                mpi_op(op, dtype), comm_, req);
        },
        "all_reduce");
  }

  void all_gather(const void* in, void* out, int64_t count, DType dtype) override {
    const int n = int_count(count, "all_gather");
    MPI_Request req;
    start(MPI_Iallgather(in, n, mpi_type(dtype), out, n, mpi_type(dtype), comm_, &req),
          "all_gather");
    wait(req, "all_gather");
  }

  void broadcast(void* data, int64_t count, DType dtype, int root) override {
    for_chunks(
        count, dtype,
        [&](int64_t offset, int n, MPI_Request* req) {
          return MPI_Ibcast(at(data, offset, dtype), n, mpi_type(dtype), root, comm_, req);
        },
        "broadcast");
  }

  void reduce(const void* in, void* out, int64_t count, DType dtype, ReduceOp op,
              int root) override {
    for_chunks(
        count, dtype,
        [&](int64_t offset, int n, MPI_Request* req) {
          return MPI_Ireduce(at(in, offset, dtype), at(out, offset, dtype), n, mpi_type(dtype),
                             mpi_op(op, dtype), root, comm_, req);
        },
        "reduce");
  }

  void reduce_scatter(const void* in, void* out, int64_t count, DType dtype, ReduceOp op) override {
    const int n = int_count(count, "reduce_scatter");
    MPI_Request req;
    start(MPI_Ireduce_scatter_block(in, out, n, mpi_type(dtype), mpi_op(op, dtype), comm_, &req),
          "reduce_scatter");
    wait(req, "reduce_scatter");
  }

 private:
  static void* at(const void* base, int64_t offset, DType dtype) {
    return const_cast<char*>(static_cast<const char*>(base)) +
           static_cast<size_t>(offset) * itemsize(dtype);
  }

  static int int_count(int64_t count, const char* what) {
    if (count > INT_MAX) {
      throw ValueError(std::string("distributed ") + what + ": " + std::to_string(count) +
                       " elements per rank is more than MPI's limit of " + std::to_string(INT_MAX) +
                       " in one call");
    }
    return static_cast<int>(count);
  }

  // Starts one call per piece of at most kChunk elements, waiting for each.
  template <typename StartPiece>
  void for_chunks(int64_t count, DType dtype, StartPiece start_piece, const char* what) {
    int64_t offset = 0;
    do {
      const int n = static_cast<int>(std::min(count - offset, kChunk));
      MPI_Request req;
      start(start_piece(offset, n, &req), what);
      wait(req, what);
      offset += n;
    } while (offset < count);
  }

  void start(int rc, const char* what) {
    if (failed_) {
      throw Error(ErrorKind::Runtime,
                  prefix(what) +
                      "an earlier collective call failed, so the ranks are out of "
                      "step; the job cannot continue (it is aborted at exit)");
    }
    check(rc, what);
  }

  void check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    failed_ = true;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw Error(ErrorKind::Runtime, prefix(what) + "MPI failed: " + std::string(text, len));
  }

  // Polls `req` until it completes or the deadline passes. Polling drives MPI's progress (Open
  // MPI has no progress thread: a rank that sleeps stalls the transfer), so the first kSpin of a
  // wait polls back to back as MPI's own blocking calls do (yielding or sleeping there costs
  // tens of microseconds a call on a loaded machine). Past it the rank waits for a slower one:
  // pauses growing to 1 ms leave the cores to the ranks it waits for (on the loaded 2-core test
  // machine a 20 ms spin made the MLP step of benchmarks/distributed.py 2-3 times slower than
  // 0.5 ms did).
  void wait(MPI_Request& req, const char* what) {
    using Clock = std::chrono::steady_clock;
    constexpr auto kSpin = std::chrono::microseconds(500);
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(timeout_));
    for (int pauses = 0;;) {
      int done = 0;
      check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), what);
      if (done) return;
      const auto now = Clock::now();
      if (now - start < kSpin) continue;
      if (now > deadline) {
        failed_ = true;
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", timeout_);
        throw Error(ErrorKind::Runtime,
                    prefix(what) + "not every rank joined within " + seconds +
                        " s (the timeout of distributed.init): a rank died, hangs, or runs a "
                        "different program; the job cannot continue (it is aborted at exit)");
      }
      pauses = std::min(pauses + 1, 100);
      std::this_thread::sleep_for(std::chrono::microseconds(10 * pauses));
    }
  }

  std::string prefix(const char* what) const {
    return std::string("distributed ") + what + " on rank " + std::to_string(rank_) + " of " +
           std::to_string(size_) + ": ";
  }

  MPI_Comm comm_;
  bool owns_mpi_;
  double timeout_;
  int rank_ = 0;
  int size_ = 1;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_world(double timeout_seconds) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  int provided = MPI_THREAD_SINGLE;
  if (initialized) {
    MPI_Query_thread(&provided);
  } else if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
    throw Error(ErrorKind::Runtime, "distributed.init: MPI_Init_thread failed");
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    throw Error(ErrorKind::Runtime,
                "distributed.init: MPI was initialized with a thread level below "
                "MPI_THREAD_SERIALIZED; Theon's functions may be called from any thread "
                "(initialize MPI with MPI_THREAD_MULTIPLE, mpi4py's default)");
  }
  MPI_Comm comm;
  MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  return std::make_unique<MpiWorld>(comm, !initialized, timeout_seconds);
}

}  // namespace theon
