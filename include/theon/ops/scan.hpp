// Scan: Theano's loop over sequences with recurrent outputs, as one op that owns its body (an
// inner graph compiled once with the same rewrites and kernels, run by an inner VM per step).
//
// The op's layout, which the Python `theon.scan` and the gradient build:
//   outer inputs:  n_steps (int scalar), sequences (read row t at step t), recurrent initial
//                  buffers (W rows each, W the output's widest tap), carried initial values,
//                  non-sequences
//   inner inputs:  one row per sequence, one value per recurrent tap (in tap order, output by
//                  output), one per carried value, one per non-sequence
//   inner outputs: recurrent outputs, stacked outputs (not fed back), carried updates, and
//                  with `until` a scalar that ends the loop after the step where it is true
//   outer outputs: recurrent buffers (W + steps rows: the initial rows, then one per step),
//                  stacked outputs (one row per step), carried values after the last step
// Sequence taps are slices of the sequences made before the op; carried values are the state
// of shared variables the body updates (their final value is the update) and the gradient's
// accumulators.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theon/graph/variable.hpp"

namespace theon {

struct ScanSpec {
  int n_seqs = 0;
  std::vector<std::vector<int64_t>> taps;  // per recurrent output: negative, increasing
  int n_nitsot = 0;
  int n_carried = 0;
  int n_nonseqs = 0;
  bool until = false;
  std::string name;  // the user's name for the loop, in messages
  std::string mode;  // how the body is compiled; "" is config.mode
  int64_t truncate_gradient = -1;
  // Per recurrent output, how many of its last rows the loop keeps (0: all, the initial rows
  // included). Empty: all of every output. Set by the scan_save_memory rewrite where only the
  // last values are read; the output then holds those rows only (it has no gradient).
  std::vector<int64_t> keep;

  int n_mitsot() const { return static_cast<int>(taps.size()); }
  int n_tap_inputs() const;
  // Rows of initial values recurrent output i needs: minus its most negative tap.
  int64_t window(int i) const { return -taps[i].front(); }
  int64_t kept(int i) const { return keep.empty() ? 0 : keep[i]; }
  bool operator==(const ScanSpec&) const = default;
};

// The pieces of a scan the caller gives. `inner_inputs` holds the sequence, tap and
// non-sequence placeholders (not the carried ones: each carried value's placeholder is made
// here, and its outer initial variable, usually a shared variable, is replaced by it in the
// body). Leaves the body reads that are not among the inner inputs (shared variables, outer
// variables it closes over) become extra non-sequences. Returns the outer outputs.
struct ScanParts {
  ScanSpec spec;
  std::vector<Var> inner_inputs;
  std::vector<Var> inner_outputs;
  std::vector<Var> outer_inputs;
};
std::vector<Var> make_scan(ScanParts parts);

}  // namespace theon
