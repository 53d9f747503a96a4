// The profiler's record of one compiled function: compile time (graph import, rewriting,
// linking) and, per node and per op type, the time spent in kernels over all calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace theon {

struct NodeProfile {
  std::string op;       // "Elemwise{add}"
  std::string op_type;  // "Elemwise"
  std::string where;    // where the node was built (user's file:line), may be empty
  double seconds = 0;   // total time in the node's kernel
  int64_t calls = 0;
  std::string kernel;   // the kernel's origin: "perform", "device elementwise", ...
};

struct ProfileStats {
  std::string function_name;
  double import_seconds = 0;   // copying the graph into a FunctionGraph
  double rewrite_seconds = 0;  // the rewrites of the mode
  double codegen_seconds = 0;  // emitting the module, and loading it when cached or waited for
  double link_seconds = 0;     // slots, program, VM
  std::string kernels;         // what became of the generated kernels
  int64_t calls = 0;           // completed calls of the function
  double run_seconds = 0;      // time in the VM over all calls (loop overhead included)
  double timer_seconds = 0;    // measured cost of one timer reading pair (the overhead per node)
  size_t peak_bytes = 0;       // most memory the slots held at once (VM::peak_bytes)
  std::vector<NodeProfile> nodes;  // in execution order

  double node_seconds() const;  // sum over nodes
  // The report: compile times, per op type and per node total time, share, calls, time per
  // call, and the profiler's own overhead. The tables list the `max_op_types` op types and
  // the `max_nodes` nodes that took the most time, and sum up the rest in one line.
  std::string summary(size_t max_op_types = SIZE_MAX, size_t max_nodes = SIZE_MAX) const;
};

// Seconds that one pair of steady_clock readings costs on this machine (measured once).
double timer_pair_seconds();

}  // namespace theon
