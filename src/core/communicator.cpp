// The process's world, the single-process world, and run_collective: the argument agreement
// every collective does before it moves data.
#include "theon/core/communicator.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <type_traits>

#include "mpi_world.hpp"
#include "theon/core/error.hpp"

namespace theon {

std::string reduce_op_name(ReduceOp op) {
  static const char* const names[] = {"sum", "mean", "max", "min"};
  return names[static_cast<int>(op)];
}

ReduceOp parse_reduce_op(const std::string& name, const std::string& who) {
  for (ReduceOp op : {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min}) {
    if (reduce_op_name(op) == name) return op;
  }
  throw ValueError(who + ": op must be 'sum', 'mean', 'max' or 'min', got '" + name + "'");
}

std::string collective_kind_name(CollectiveKind kind) {
  static const char* const names[] = {"all_reduce", "all_gather", "broadcast", "reduce",
                                      "reduce_scatter"};
  return names[static_cast<int>(kind)];
}

namespace {

// One process: every collective is a copy (a reduction over one value is that value).
class SelfWorld final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backend() const override { return "self"; }
  void barrier() override {}
  std::vector<int64_t> all_gather_ints(const std::vector<int64_t>& values,
                                       const std::string&) override {
    return values;
  }
  void all_reduce(const void* in, void* out, int64_t count, DType dtype, ReduceOp) override {
    copy(in, out, count, dtype);
  }
  void all_gather(const void* in, void* out, int64_t count, DType dtype) override {
    copy(in, out, count, dtype);
  }
  void broadcast(void*, int64_t, DType, int) override {}
  void reduce(const void* in, void* out, int64_t count, DType dtype, ReduceOp, int) override {
    copy(in, out, count, dtype);
  }
  void reduce_scatter(const void* in, void* out, int64_t count, DType dtype, ReduceOp) override {
    copy(in, out, count, dtype);
  }

 private:
  static void copy(const void* in, void* out, int64_t count, DType dtype) {
    if (count > 0 && in != out) std::memmove(out, in, static_cast<size_t>(count) * itemsize(dtype));
  }
};

struct WorldState {
  std::mutex mutex;  // one collective at a time: every rank must issue them in the same order
  std::unique_ptr<Communicator> comm = std::make_unique<SelfWorld>();
  WorldOptions options;
  int64_t calls = 0;  // collectives issued so far, compared across ranks
};

WorldState& state() {
  static WorldState s;
  return s;
}

bool env_count_above_one(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::atoll(v) > 1;
}

// The agreement record of one call: what every rank must pass identically.
constexpr size_t kHeaderLen = 16;
constexpr size_t kHeaderDims = 9;

std::vector<int64_t> call_header(int64_t seq, CollectiveKind kind, ReduceOp op, int root,
                                 const NDArray& in) {
  std::vector<int64_t> h(kHeaderLen, 0);
  h[0] = seq;
  h[1] = static_cast<int64_t>(kind);
  h[2] = static_cast<int64_t>(op);
  h[3] = root;
  h[4] = static_cast<int64_t>(in.dtype());
  h[5] = in.ndim();
  // The first dimensions as they are; further ones folded into one number (a mismatch there
  // is still detected, and described by the rank count of dimensions).
  uint64_t folded = 1469598103934665603ull;
  for (int d = 0; d < in.ndim(); ++d) {
    if (static_cast<size_t>(d) < kHeaderDims) {
      h[6 + d] = in.shape(d);
    } else {
      folded = (folded ^ static_cast<uint64_t>(in.shape(d))) * 1099511628211ull;
    }
  }
  h[15] = static_cast<int64_t>(folded);
  return h;
}

std::string describe_header(const int64_t* h) {
  std::ostringstream s;
  auto kind = static_cast<CollectiveKind>(h[1]);
  s << "call #" << h[0] + 1 << " " << collective_kind_name(kind);
  if (kind == CollectiveKind::AllReduce || kind == CollectiveKind::Reduce ||
      kind == CollectiveKind::ReduceScatter) {
    s << "(op=" << reduce_op_name(static_cast<ReduceOp>(h[2])) << ")";
  }
  if (kind == CollectiveKind::Broadcast || kind == CollectiveKind::Reduce)
    s << "(root=" << h[3] << ")";
  s << " of " << dtype_name(static_cast<DType>(h[4])) << " (";
  for (int64_t d = 0; d < h[5]; ++d) {
    if (d > 0) s << ", ";
    if (static_cast<size_t>(d) < kHeaderDims) {
      s << h[6 + d];
    } else {
      s << "...";
      break;
    }
  }
  s << (h[5] == 1 ? ",)" : ")");
  return s.str();
}

// Throws ValueError describing every rank's call when they differ.
void check_agreement(Communicator& comm, const std::vector<int64_t>& mine,
                     const std::string& label) {
  const std::vector<int64_t> all =
      comm.all_gather_ints(mine, collective_kind_name(static_cast<CollectiveKind>(mine[1])));
  bool same = true;
  for (int r = 0; r < comm.size() && same; ++r) {
    same = std::equal(mine.begin(), mine.end(), all.begin() + r * kHeaderLen);
  }
  if (same) return;
  std::ostringstream s;
  s << label << ": the ranks called different collectives or passed different dtypes or shapes "
    << "(each rank must run the same graph on arrays of the same shape):";
  for (int r = 0; r < comm.size(); ++r) {
    s << "\n  rank " << r << ": " << describe_header(all.data() + r * kHeaderLen);
  }
  throw ValueError(s.str());
}

void divide_by(NDArray& out, int n) {
  visit_dtype(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      T* p = out.data<T>();
      for (int64_t i = 0; i < out.size(); ++i) p[i] /= static_cast<T>(n);
    }
  });
}

}  // namespace

Communicator& world() {
  return *state().comm;
}
const WorldOptions& world_options() {
  return state().options;
}

bool launched_by_mpi() {
  return env_count_above_one("OMPI_COMM_WORLD_SIZE") || env_count_above_one("PMI_SIZE") ||
         env_count_above_one("PMIX_SIZE") || env_count_above_one("SLURM_NTASKS");
}

void init_world(const WorldOptions& options) {
  if (!(options.timeout_seconds > 0)) {
    throw ValueError("distributed.init: timeout must be a positive number of seconds, got " +
                     std::to_string(options.timeout_seconds));
  }
  WorldState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.options = options;
  s.comm->set_timeout(options.timeout_seconds);
  if (s.comm->backend() != "self" || !launched_by_mpi()) return;
#ifdef THEON_HAVE_MPI
  s.comm = make_mpi_world(options.timeout_seconds);
#else
  throw Error(ErrorKind::Runtime,
              "distributed.init: this process was started by an MPI launcher (mpirun or srun), "
              "but Theon was built without MPI; install an MPI development package "
              "(libopenmpi-dev) and rebuild Theon");
#endif
}

void finalize_world() {
  WorldState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.comm = std::make_unique<SelfWorld>();  // the MPI world's destructor finalizes or aborts
  s.calls = 0;
}

void abort_world(int exit_code) {
  // No lock: the rank may be leaving from inside a collective of another thread.
  state().comm->abort_job(exit_code);
}

void run_collective(CollectiveKind kind, ReduceOp op, int root, const NDArray& in,
                    const std::function<NDArray&()>& output, const std::string& label) {
  WorldState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  Communicator& comm = *s.comm;
  const int n = comm.size();
  if ((kind == CollectiveKind::Broadcast || kind == CollectiveKind::Reduce) &&
      (root < 0 || root >= n)) {
    throw ValueError(label + ": root " + std::to_string(root) + " is not a rank of this world of " +
                     std::to_string(n) + " process(es)");
  }
  if (n > 1 && s.options.check_arguments) {
    check_agreement(comm, call_header(s.calls, kind, op, root, in), label);
  }
  ++s.calls;
  NDArray& out = output();
  const NDArray src = in.is_c_contiguous() ? in : in.copy();
  const ReduceOp transport_op = op == ReduceOp::Mean ? ReduceOp::Sum : op;
  const int64_t count = src.size();
  switch (kind) {
    case CollectiveKind::AllReduce:
      comm.all_reduce(src.raw(), out.raw(), count, src.dtype(), transport_op);
      break;
    case CollectiveKind::AllGather:
      comm.all_gather(src.raw(), out.raw(), count, src.dtype());
      break;
    case CollectiveKind::Broadcast:
      if (count > 0) std::memcpy(out.raw(), src.raw(), src.nbytes());
      comm.broadcast(out.raw(), count, src.dtype(), root);
      break;
    case CollectiveKind::Reduce:
      // Ranks other than the root get zeros: the adjoint of broadcast.
      if (comm.rank() != root && count > 0) std::memset(out.raw(), 0, out.nbytes());
      comm.reduce(src.raw(), out.raw(), count, src.dtype(), transport_op, root);
      break;
    case CollectiveKind::ReduceScatter:
      comm.reduce_scatter(src.raw(), out.raw(), count / n, src.dtype(), transport_op);
      break;
  }
  if (op == ReduceOp::Mean && !(kind == CollectiveKind::Reduce && comm.rank() != root)) {
    divide_by(out, n);
  }
}

}  // namespace theon
