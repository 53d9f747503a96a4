// theon.distributed's world (init, rank, size, barrier) and the helpers its Python glue needs:
// the bucketed all-reduce of gradients and the broadcast of arrays outside graphs.
#include "theon/ops/distributed.hpp"

#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.hpp"
#include "numpy_interop.hpp"
#include "theon/core/communicator.hpp"

namespace nb = nanobind;

namespace theon::py {

void bind_distributed(nb::module_& m) {
  m.def(
      "distributed_init",
      [](double timeout, bool check_arguments) {
        nb::gil_scoped_release release;  // MPI_Init waits for the other ranks
        init_world(WorldOptions{timeout, check_arguments});
      },
      nb::arg("timeout"), nb::arg("check_arguments"));
  m.def("distributed_finalize", [] {
    nb::gil_scoped_release release;
    finalize_world();
  });
  m.def(
      "distributed_abort", [](int exit_code) { abort_world(exit_code); }, nb::arg("exit_code"));
  m.def("distributed_rank", [] { return world().rank(); });
  m.def("distributed_size", [] { return world().size(); });
  m.def("distributed_backend", [] { return world().backend(); });
  m.def("distributed_barrier", [] {
    nb::gil_scoped_release release;
    world().barrier();
  });
  m.def("distributed_broadcast_array", [](nb::handle value, int root) {
    const NDArray in = from_python(value);
    NDArray out = NDArray::empty(in.dtype(), in.shape());
    {
      nb::gil_scoped_release release;
      run_collective(
          CollectiveKind::Broadcast, ReduceOp::Sum, root, in, [&]() -> NDArray& { return out; },
          "distributed.broadcast_shared");
    }
    return to_numpy(out);
  });
  m.def("all_reduce_buckets",
        [](const std::vector<Var>& xs, const std::vector<int64_t>& element_counts,
           const std::string& op, int64_t bucket_bytes) {
          return all_reduce_buckets(xs, element_counts, parse_reduce_op(op, "all_reduce_buckets"),
                                    bucket_bytes);
        });
}

}  // namespace theon::py
