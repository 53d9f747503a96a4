// The scan loop: the body is compiled once (the same rewrites and kernels as any function) and
// run by one VM per call, step after step, in C++. Each step's outputs are copied into rows of
// the stacked buffers the recurrent taps read from; carried values pass from step to step
// without copies. A body that is one generated elementwise loop runs its steps after the first
// without the VM (scan_kernel_loop.cpp).
#include <algorithm>
#include <string>

#include "scan_kernel_loop.hpp"
#include "theon/compile/mode.hpp"
#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/scan_op.hpp"

namespace theon {

NDArray scan_row(const NDArray& stack, int64_t i) {
  return stack.view(stack.raw() + i * stack.strides()[0],
                    Shape(stack.shape().begin() + 1, stack.shape().end()),
                    Strides(stack.strides().begin() + 1, stack.strides().end()));
}

namespace {

// Rows [0, n) of `a` (a view).
NDArray first_rows(const NDArray& a, int64_t n) {
  Shape s = a.shape();
  s[0] = n;
  return a.view(a.raw(), std::move(s), a.strides());
}

Shape stacked_shape(int64_t rows, const Shape& row_shape) {
  Shape s{rows};
  s.insert(s.end(), row_shape.begin(), row_shape.end());
  return s;
}

}  // namespace

const Scan::Compiled& Scan::compiled() const {
  std::call_once(compile_once_, [&] {
    auto c = std::make_unique<Compiled>();
    c->fg = std::make_unique<FunctionGraph>(inner_inputs_, inner_outputs_);
    Mode mode;
    mode.name = spec_.mode;
    // As function() does: with compile_wait the body's generated kernels are in place before
    // its first step. Their step loops run the steps of a body that is one fused loop.
    LinkOptions options;
    options.wait_for_kernels = Config::global().get("compile_wait") == "True";
    options.step_loops = true;
    c->linked = compile(*c->fg, mode, options);
    compiled_ = std::move(c);
  });
  return *compiled_;
}

void Scan::run(const std::vector<Value>& in, std::vector<Value>& out) const {
  const Program& program = *compiled().linked.program;
  const int n_mitsot = spec_.n_mitsot();
  const NDArray& n_array = in[0].array();
  const auto n = static_cast<int64_t>(n_array.flat_as_double(0));
  if (n < 0) {
    throw ValueError(label() + ": n_steps must not be negative, got " + std::to_string(n));
  }
  for (int j = 0; j < spec_.n_seqs; ++j) {
    const NDArray& s = in[seq_begin() + j].array();
    if (s.shape(0) < n) {
      throw ValueError(label() + ": sequence " + std::to_string(j) + " has " +
                       std::to_string(s.shape(0)) + " steps (shape " + shape_str(s.shape()) +
                       "), the loop runs " + std::to_string(n));
    }
  }
  std::vector<NDArray> buffers(n_mitsot + spec_.n_nitsot);
  std::vector<Shape> row_shapes(n_mitsot + spec_.n_nitsot);
  for (int i = 0; i < n_mitsot; ++i) {
    const NDArray& init = in[init_begin() + i].array();
    const int64_t w = spec_.window(i);
    if (init.shape(0) != w) {
      throw ValueError(label() + ": the initial value of recurrent output " + std::to_string(i) +
                       " must have " + std::to_string(w) + " rows (its widest tap), got shape " +
                       shape_str(init.shape()));
    }
    row_shapes[i] = Shape(init.shape().begin() + 1, init.shape().end());
    // A kept output holds its last rows only, in a ring: logical row r lives at r % capacity.
    const int64_t capacity = spec_.kept(i) > 0 ? std::min(spec_.kept(i), w + n) : w + n;
    buffers[i] =
        NDArray::empty(inner_outputs_[i]->type.dtype, stacked_shape(capacity, row_shapes[i]));
    first_rows(buffers[i], w).copy_from(init);
  }
  std::vector<Value> carried(in.begin() + carried_begin(),
                             in.begin() + carried_begin() + spec_.n_carried);

  std::vector<Value> slots(program.num_slots);
  for (const auto& [s, value] : program.constant_slots) slots[s] = *value;
  std::vector<int> in_slot(inner_inputs_.size());
  for (size_t k = 0; k < inner_inputs_.size(); ++k)
    in_slot[k] = program.slot(inner_inputs_[k].get());
  const std::vector<int>& out_slot = program.output_slots;
  // A carried value's output array goes back to the body as the next step's output storage,
  // unless its slot is also another output's.
  std::vector<bool> swap_carried(spec_.n_carried);
  for (int j = 0; j < spec_.n_carried; ++j) {
    const int s = out_slot[n_mitsot + spec_.n_nitsot + j];
    swap_carried[j] = std::count(out_slot.begin(), out_slot.end(), s) == 1 &&
                      std::find(in_slot.begin(), in_slot.end(), s) == in_slot.end();
  }
  VM vm(compiled().linked.program);
  int64_t steps = n;
  for (int64_t t = 0; t < n; ++t) {
    for (int j = 0; j < spec_.n_seqs; ++j) {
      if (in_slot[j] >= 0) slots[in_slot[j]] = scan_row(in[seq_begin() + j].array(), t);
    }
    int k = inner_tap_begin();
    for (int i = 0; i < n_mitsot; ++i) {
      for (int64_t tap : spec_.taps[i]) {
        if (in_slot[k] >= 0) {
          slots[in_slot[k]] =
              scan_row(buffers[i], (spec_.window(i) + t + tap) % buffers[i].shape(0));
        }
        ++k;
      }
    }
    for (int j = 0; j < spec_.n_carried; ++j) {
      if (in_slot[inner_carried_begin() + j] >= 0) {
        slots[in_slot[inner_carried_begin() + j]] = carried[j];
      }
    }
    for (int j = 0; j < spec_.n_nonseqs; ++j) {
      if (in_slot[inner_nonseq_begin() + j] >= 0) {
        slots[in_slot[inner_nonseq_begin() + j]] = in[nonseq_begin() + j];
      }
    }
    try {
      vm.run(slots);
      for (int i = 0; i < n_mitsot + spec_.n_nitsot; ++i) {
        const Value& v = slots[out_slot[i]];
        if (i >= n_mitsot && t == 0) {
          row_shapes[i] = v.array().shape();
          buffers[i] =
              NDArray::empty(inner_outputs_[i]->type.dtype, stacked_shape(n, row_shapes[i]));
        }
        if (v.array().shape() != row_shapes[i]) {
          throw ValueError("output " + std::to_string(i) + " of the body has shape " +
                           shape_str(v.array().shape()) + ", the earlier steps (or the " +
                           "initial value) have rows of shape " + shape_str(row_shapes[i]));
        }
        const int64_t r = i < n_mitsot ? (spec_.window(i) + t) % buffers[i].shape(0) : t;
        scan_row(buffers[i], r).copy_from(v.array());
      }
    } catch (const Error& e) {
      rethrow_with_message(e, label() + ": step " + std::to_string(t) + ": " + e.what());
    }
    for (int j = 0; j < spec_.n_carried; ++j) {
      Value& v = slots[out_slot[n_mitsot + spec_.n_nitsot + j]];
      if (swap_carried[j]) {
        std::swap(carried[j], v);
      } else {
        carried[j] = v;
      }
    }
    if (spec_.until && slots[out_slot.back()].array().flat_as_double(0) != 0) {
      steps = t + 1;
      break;
    }
    // The first step ran through the VM (its checks passed, the stacked outputs' rows are
    // allocated); the rest may run as calls of the body's generated loop.
    if (t == 0 && run_steps_in_generated_loop(*this, program, in, buffers, 1, n)) break;
  }
  for (int i = 0; i < n_mitsot; ++i) {
    const int64_t rows = spec_.window(i) + steps, capacity = buffers[i].shape(0);
    if (rows <= capacity) {
      out[i] = rows < capacity ? first_rows(buffers[i], rows) : buffers[i];
    } else {
      // The ring's rows in order: the oldest kept row is the one after the newest.
      NDArray ordered = NDArray::empty(buffers[i].dtype(), buffers[i].shape());
      for (int64_t r = 0; r < capacity; ++r) {
        scan_row(ordered, r).copy_from(scan_row(buffers[i], (rows - capacity + r) % capacity));
      }
      out[i] = std::move(ordered);
    }
  }
  for (int j = 0; j < spec_.n_nitsot; ++j) {
    const int i = n_mitsot + j;
    if (!buffers[i].defined()) {
      // No step ran: the rows' shape is what the body's type says, 0 where it is not known.
      Shape s{0};
      for (int64_t d : inner_outputs_[i]->type.shape) s.push_back(d == kUnknownDim ? 0 : d);
      out[i] = NDArray::empty(inner_outputs_[i]->type.dtype, s);
    } else {
      out[i] = steps < n ? first_rows(buffers[i], steps) : buffers[i];
    }
  }
  for (int j = 0; j < spec_.n_carried; ++j) out[n_mitsot + spec_.n_nitsot + j] = carried[j];
}

void Scan::perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const {
  std::vector<Value> in(inputs.begin(), inputs.end());
  std::vector<Value> out(outputs.size());
  run(in, out);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].is_array()) {
      throw TypeError(label() + ": output " + std::to_string(i) + " is a " + out[i].describe() +
                      ", run the loop through its kernel over values");
    }
    outputs[i] = out[i].take_array();
  }
}

}  // namespace theon
