// The processes of a distributed run and the collective calls between them. One world per
// process: a single-process world until init_world() joins the world that mpirun or srun
// started. Collective ops (ops/distributed.hpp) run their host kernels through it; a device
// backend (NCCL) registers its own kernels for those ops and uses the world only to agree on
// what is being exchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "theon/core/dtype.hpp"
#include "theon/core/ndarray.hpp"

namespace theon {

// How values from every rank combine. Mean is a sum divided by the world size afterwards.
enum class ReduceOp : uint8_t { Sum, Mean, Max, Min };
// "sum", "mean", "max", "min"; parse_reduce_op throws ValueError naming `who` otherwise.
std::string reduce_op_name(ReduceOp op);
ReduceOp parse_reduce_op(const std::string& name, const std::string& who);

enum class CollectiveKind : uint8_t { AllReduce, AllGather, Broadcast, Reduce, ReduceScatter };
std::string collective_kind_name(CollectiveKind kind);

// The transport: whole C-contiguous buffers of `count` elements (per rank where said).
// Implementations fail with a RuntimeError instead of waiting past their timeout.
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend() const = 0;  // "self", "mpi"
  virtual void barrier() = 0;
  // How long a call may wait for the other ranks (a single process never waits).
  virtual void set_timeout(double seconds) {}
  // Ends every process of the job now with `exit_code` (a single process has no others).
  virtual void abort_job(int exit_code) {}
  // Every rank's `values` (the same length on each), concatenated in rank order; `what` names
  // the call this exchange prepares, for errors.
  virtual std::vector<int64_t> all_gather_ints(const std::vector<int64_t>& values,
                                               const std::string& what) = 0;
  // Op is Sum, Max or Min (Mean is done by the caller).
  virtual void all_reduce(const void* in, void* out, int64_t count, DType dtype, ReduceOp op) = 0;
  // `out` holds size() blocks of `count` elements, rank r's input in block r.
  virtual void all_gather(const void* in, void* out, int64_t count, DType dtype) = 0;
  virtual void broadcast(void* data, int64_t count, DType dtype, int root) = 0;
  // The reduction lands in `out` on `root`; other ranks' `out` is untouched.
  virtual void reduce(const void* in, void* out, int64_t count, DType dtype, ReduceOp op,
                      int root) = 0;
  // `in` holds size() blocks of `count` elements; rank r gets block r of the reduction.
  virtual void reduce_scatter(const void* in, void* out, int64_t count, DType dtype,
                              ReduceOp op) = 0;
};

struct WorldOptions {
  // How long one collective call may wait for the other ranks before it fails.
  double timeout_seconds = 300.0;
  // Exchange dtype and shape before each collective, so a mismatch is an error naming both
  // ranks' arguments instead of a hang or garbage (one more small exchange per call).
  bool check_arguments = true;
};

// The world of this process (a single-process world until init_world()).
Communicator& world();
const WorldOptions& world_options();
// Joins the world the launcher started when its environment says so (mpirun: OMPI_COMM_WORLD_*,
// PMI_*, PMIX_*; srun: SLURM_NTASKS > 1), else stays a single-process world. Calling it again
// only updates the options. Throws RuntimeError when a launcher is present and Theon was built
// without MPI.
void init_world(const WorldOptions& options);
// Whether a launcher's environment announces more than one process.
bool launched_by_mpi();
// Releases the world (MPI_Finalize if Theon initialized MPI). After a failed collective the
// ranks cannot agree on a clean shutdown: this then aborts the whole job with `exit_code`
// instead of waiting forever.
void finalize_world();
// Ends every process of the job now, for a rank that leaves on an error the others cannot know
// of (an uncaught exception): they would otherwise wait for it until their timeout.
void abort_world(int exit_code);

// One collective on host arrays: checks the call agrees across ranks (kind, op, root, dtype,
// shape), then asks `output` for the result array (C-contiguous, of the shape the kind gives;
// it may throw for a local reason, now that every rank is known to fail alike) and runs the
// exchange. `label` names the op in errors.
void run_collective(CollectiveKind kind, ReduceOp op, int root, const NDArray& in,
                    const std::function<NDArray&()>& output, const std::string& label);

}  // namespace theon
