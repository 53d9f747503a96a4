#include "scan_kernel_loop.hpp"

#include <algorithm>
#include <optional>

#include "theon/codegen/fused_kernel.hpp"
#include "theon/core/iterate.hpp"

namespace theon {
namespace {

// Rows of more elements stay with the VM, whose kernel splits them across threads; beside
// such a row the VM's cost per step is small.
constexpr int64_t kMaxRowElements = int64_t{1} << 12;

// The generated loop's counter array has this many entries (codegen/emit.cpp).
constexpr int kMaxKernelDims = 64;

// Where one operand is at each step, as the generated step loop reads it: row `row` of the
// rows starting at `base`, `row_bytes` apart; the row advances by one per step and wraps at
// `rows` (a ring of kept rows; 0: no wrap). A non-sequence stays put (row_bytes 0).
struct StepAddress {
  char* base;
  int64_t row_bytes;
  int64_t rows;
  int64_t row;
};

// One operand of the loop: its array at the first step (for the shape and layout checks and
// the loop plan, which every later step shares) and how it moves. An input that is tap -1 of
// recurrent output `previous_row_of` reads at each step the row that output wrote the step
// before.
struct Operand {
  NDArray first;
  StepAddress address;
  int previous_row_of = -1;
};

// Row `row` of `stack`, moving one row per step; `ring`: the stack's rows form a ring.
Operand stacked_operand(const NDArray& stack, int64_t row, bool ring) {
  return {scan_row(stack, row), {stack.raw(), stack.strides()[0], ring ? stack.shape(0) : 0, row}};
}

Operand fixed_operand(const NDArray& a) {
  return {a, {a.raw(), 0, 0, 0}};
}

// The operand that inner input `k` is at step `first`, or none for a carried value.
std::optional<Operand> inner_input_operand(const Scan& scan, const std::vector<Value>& in,
                                           const std::vector<NDArray>& buffers, int k,
                                           int64_t first) {
  const ScanSpec& spec = scan.spec();
  if (k < spec.n_seqs) {
    const Value& seq = in[scan.seq_begin() + k];
    if (!seq.is_array()) return std::nullopt;
    return stacked_operand(seq.array(), first, false);
  }
  int tap_input = scan.inner_tap_begin();
  for (int i = 0; i < spec.n_mitsot(); ++i) {
    for (int64_t tap : spec.taps[i]) {
      if (tap_input++ == k) {
        const NDArray& ring = buffers[i];
        Operand operand =
            stacked_operand(ring, (spec.window(i) + first + tap) % ring.shape(0), true);
        if (tap == -1) operand.previous_row_of = i;
        return operand;
      }
    }
  }
  if (k < scan.inner_nonseq_begin()) return std::nullopt;
  const Value& v = in[scan.nonseq_begin() + k - scan.inner_nonseq_begin()];
  if (!v.is_array()) return std::nullopt;
  return fixed_operand(v.array());
}

}  // namespace

bool run_steps_in_generated_loop(const Scan& scan, const Program& program,
                                 const std::vector<Value>& in, const std::vector<NDArray>& buffers,
                                 int64_t first, int64_t n) {
  const ScanSpec& spec = scan.spec();
  if (spec.until || spec.n_carried != 0 || program.code.size() != 1 || !program.blocks.empty()) {
    return false;
  }
  const Instruction& ins = program.code[0];
  const auto* kernel = dynamic_cast<const codegen::FusedLoopKernel*>(ins.kernel);
  if (kernel == nullptr || kernel->op().reduction()) return false;
  const codegen::FusedStepLoopFn step_loop = kernel->step_loop();
  if (step_loop == nullptr) return false;
  const Fused& op = kernel->op();
  const int n_stacked = spec.n_mitsot() + spec.n_nitsot;

  // Operands in the kernel's order: its outputs, each an inner output's row, then its inputs.
  std::vector<Operand> operands;
  std::vector<int64_t> output_of_stack(n_stacked, -1);
  for (size_t o = 0; o < ins.out.size(); ++o) {
    const auto& out_slot = program.output_slots;
    const auto at = std::find(out_slot.begin(), out_slot.begin() + n_stacked, ins.out[o]);
    if (at == out_slot.begin() + n_stacked ||
        std::count(out_slot.begin(), out_slot.end(), *at) != 1)
      return false;
    const int i = static_cast<int>(at - out_slot.begin());
    const NDArray& stack = buffers[i];
    if (stack.dtype() != op.value_dtype(op.outputs()[o])) return false;
    output_of_stack[i] = static_cast<int64_t>(o);
    operands.push_back(i < spec.n_mitsot()
                           ? stacked_operand(stack, (spec.window(i) + first) % stack.shape(0), true)
                           : stacked_operand(stack, first, false));
  }
  // Every stacked output must come from the kernel.
  if (static_cast<int>(operands.size()) != n_stacked) return false;
  for (size_t j = 0; j < ins.in.size(); ++j) {
    const int s = ins.in[j];
    std::optional<Operand> operand;
    for (const auto& [slot, value] : program.constant_slots) {
      if (slot == s) operand = fixed_operand(*value);
    }
    for (size_t k = 0; k < scan.inner_inputs().size() && !operand; ++k) {
      if (program.slot(scan.inner_inputs()[k].get()) == s) {
        operand = inner_input_operand(scan, in, buffers, static_cast<int>(k), first);
        if (!operand) return false;
      }
    }
    if (!operand || operand->first.dtype() != op.input_types()[j].dtype) return false;
    operands.push_back(std::move(*operand));
  }

  // Every output row has the shape the inputs broadcast to, as at the steps the VM ran.
  const Shape shape = operands[0].first.shape();
  std::vector<Shape> input_shapes;
  for (size_t k = ins.out.size(); k < operands.size(); ++k) {
    input_shapes.push_back(operands[k].first.shape());
  }
  if (broadcast_shapes(input_shapes, op.name()) != shape) return false;
  for (size_t k = 0; k < ins.out.size(); ++k) {
    if (operands[k].first.shape() != shape) return false;
  }
  const int64_t elements = shape_size(shape);
  if (elements == 0 || elements > kMaxRowElements) return false;

  std::vector<const NDArray*> arrays;
  for (const Operand& operand : operands) arrays.push_back(&operand.first);
  const LoopPlan plan = plan_loop(shape, arrays);
  const int nd = static_cast<int>(plan.shape.size());
  if (nd > kMaxKernelDims) return false;
  const size_t nops = operands.size();
  std::vector<int64_t> strides(nops * nd);  // operand-major, as the kernel reads them
  for (size_t k = 0; k < nops; ++k) {
    std::copy(plan.strides[k].begin(), plan.strides[k].end(), strides.begin() + k * nd);
  }
  std::vector<char*> base;
  std::vector<int64_t> row_bytes, rows, row, feed;
  for (const Operand& operand : operands) {
    base.push_back(operand.address.base);
    row_bytes.push_back(operand.address.row_bytes);
    rows.push_back(operand.address.rows);
    row.push_back(operand.address.row);
  }
  for (size_t k = ins.out.size(); k < nops; ++k) {
    const int i = operands[k].previous_row_of;
    feed.push_back(i < 0 ? -1 : output_of_stack[i]);
  }
  step_loop(n - first, nd, plan.shape.data(), strides.data(), base.data(), row_bytes.data(),
            rows.data(), row.data(), feed.data());
  return true;
}

}  // namespace theon
