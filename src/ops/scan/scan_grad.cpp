// The gradient of a scan (backpropagation through time) is another scan that runs over the
// steps in reverse: at the step of forward step t it takes the gradient reaching y_t (the
// direct one plus what later steps sent back through their taps), applies the body's
// vector-Jacobian product, sends the part for each tap y_{t+k} back as a recurrent output read
// |k| steps later, stacks the gradients of the sequence rows per step, and sums those of the
// non-sequences in recurrent outputs of its own (one row each, a ring of two once the
// scan_save_memory rewrite ran, rather than a stack of every step's gradient to sum after the
// loop), but for terms that multiply a sequence row by another per-step value (an RNN's weight
// gradient), which one product over all steps sums after the loop (scan_grad_products.hpp).
// Being built of scans without carried values, it can be differentiated again.
// truncate_gradient limits the reverse loop to the last steps.
#include <map>
#include <unordered_set>

#include "scan_grad_products.hpp"
#include "theon/core/error.hpp"
#include "theon/grad/grad.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/random.hpp"
#include "theon/ops/scan_op.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

TensorType row_of(const TensorType& t) {
  return TensorType(t.dtype, StaticShape(t.shape.begin() + 1, t.shape.end()), t.device);
}

Var rows(const Var& x, const Var& start, const Var& stop) {
  return getitem(x, {idx::slice(start, stop)});
}

Var reversed(const Var& x) {
  return getitem(x, {idx::slice({}, {}, -1)});
}

Var plus(const Var& n, int64_t k) {
  return k == 0 ? n : add(n, int64_const(k));
}

// zeros of shape (rows, *x.shape[1:]) and x's dtype.
Var zero_rows(const Var& x, const Var& count) {
  std::vector<Var> shape{count};
  for (int d = 1; d < x->type.ndim(); ++d) shape.push_back(shape_i(x, d));
  return zeros(shape, x->type.dtype);
}

// The position of v (the variable itself, not an equal one) in vars, or -1.
int index_of(const std::vector<Var>& vars, const Var& v) {
  for (size_t k = 0; k < vars.size(); ++k) {
    if (vars[k].get() == v.get()) return static_cast<int>(k);
  }
  return -1;
}

bool depends_on(const std::vector<Var>& outputs, const std::vector<Var>& vars) {
  std::unordered_set<const Variable*> set;
  for (const auto& v : vars) set.insert(v.get());
  for (const auto& leaf : graph_leaves(outputs)) {
    if (set.count(leaf.get())) return true;
  }
  return false;
}

// Whether carried value j of `scan` is a random state that each step moves on by one call:
// its update is the state output of a random op (which gives the state one call on and the
// sample) reading the carried state itself.
bool advances_one_call(const Scan& scan, int j) {
  const Var& state = scan.inner_inputs()[scan.inner_carried_begin() + j];
  const Var& update = scan.inner_outputs()[scan.spec().n_mitsot() + scan.spec().n_nitsot + j];
  return is_generator_state(state->type) && update->owner && update->index == 0 &&
         update->owner->nout() == 2 && update->owner->inputs()[0].get() == state.get() &&
         is_generator_state(update->type);
}

}  // namespace

std::vector<Var> Scan::L_op(const std::vector<Var>& in, const std::vector<Var>& outs,
                            const std::vector<Var>& output_grads) const {
  const int n_mitsot = spec_.n_mitsot();
  const int n_nitsot = spec_.n_nitsot;
  if (!spec_.keep.empty()) {
    throw NotImplementedError(label() +
                              ": no gradient through a loop that keeps only the last "
                              "rows of its outputs (the scan_save_memory rewrite builds it "
                              "after gradients are taken)");
  }
  for (int j = 0; j < spec_.n_carried; ++j) {
    if (output_grads[n_mitsot + n_nitsot + j]) {
      throw NotImplementedError(label() +
                                ": the gradient with respect to a value the body "
                                "updates (a shared variable's update) is not implemented");
    }
  }
  std::vector<Var> result(in.size());
  bool any = false;
  for (int i = 0; i < n_mitsot + n_nitsot; ++i) any = any || output_grads[i] != nullptr;
  if (!any) return result;

  // The number of steps that ran, and how many the reverse loop covers.
  Var n;
  if (!spec_.until) {
    n = as_int64(in[0]);
  } else if (n_mitsot > 0) {
    n = plus(shape_i(outs[0], 0), -spec_.window(0));
  } else {
    n = shape_i(outs[0], 0);
  }
  const bool truncated = spec_.truncate_gradient >= 0;
  const Var nb = truncated ? minimum(n, int64_const(spec_.truncate_gradient)) : n;
  const Var first = sub(n, nb);  // the first forward step the reverse loop covers

  // The body again, over fresh inputs. A carried random state (each step's draw moves it on by
  // one call) becomes the state that forward step drew from, the initial state advanced by the
  // step's number, so the reverse loop sees the forward pass's random numbers. Other carried
  // values are left as they are: the reverse loop cannot see their values at each step.
  std::vector<Var> fw_in(inner_inputs_.size());
  std::vector<std::pair<Var, Var>> replace;
  Var step_number;  // the forward step a reverse step undoes, when a state needs it
  for (size_t k = 0; k < inner_inputs_.size(); ++k) {
    const int ik = static_cast<int>(k);
    if (ik >= inner_carried_begin() && ik < inner_nonseq_begin()) {
      fw_in[k] = inner_inputs_[k];
      const int j = ik - inner_carried_begin();
      if (advances_one_call(*this, j)) {
        if (!step_number) step_number = make_input(TensorType(DType::Int64, {}), "step");
        replace.emplace_back(inner_inputs_[k],
                             advance_generator_state(in[carried_begin() + j], step_number));
      }
      continue;
    }
    fw_in[k] = make_input(inner_inputs_[k]->type, inner_inputs_[k]->name);
    replace.emplace_back(inner_inputs_[k], fw_in[k]);
  }
  std::vector<Var> body(inner_outputs_.begin(), inner_outputs_.begin() + n_mitsot + n_nitsot);
  body = clone_replace(body, replace);

  // Reverse-loop inputs. Sequences: the forward rows, the tap values, the direct gradients.
  std::vector<Var> bw_seq_inner, bw_seq_outer;
  for (int j = 0; j < spec_.n_seqs; ++j) {
    bw_seq_inner.push_back(fw_in[j]);
    bw_seq_outer.push_back(reversed(rows(in[seq_begin() + j], first, n)));
  }
  int tap = inner_tap_begin();
  for (int i = 0; i < n_mitsot; ++i) {
    const int64_t w = spec_.window(i);
    for (int64_t k : spec_.taps[i]) {
      bw_seq_inner.push_back(fw_in[tap++]);
      bw_seq_outer.push_back(reversed(rows(outs[i], plus(first, w + k), plus(n, w + k))));
    }
  }
  std::vector<Var> direct(n_mitsot + n_nitsot);
  for (int i = 0; i < n_mitsot + n_nitsot; ++i) {
    const Var& y = outs[i];
    const Var& g = output_grads[i];
    if (!g || !is_float(y->type.dtype)) continue;
    const int64_t w = i < n_mitsot ? spec_.window(i) : 0;
    direct[i] = make_input(row_of(y->type), "g_" + y->name);
    bw_seq_inner.push_back(direct[i]);
    bw_seq_outer.push_back(reversed(rows(g, plus(first, w), plus(n, w))));
  }

  if (step_number) {
    bw_seq_inner.push_back(step_number);
    bw_seq_outer.push_back(reversed(arange(first, n, nullptr, DType::Int64)));
  }

  // Recurrent outputs of the reverse loop: what step t sends to y_{t+k}, one per tap.
  std::map<const Variable*, Var> known;
  std::vector<Var> sent_inner, sent_init;
  std::vector<std::vector<int64_t>> sent_taps;
  for (int i = 0; i < n_mitsot; ++i) {
    const Var& y = body[i];
    if (!is_float(y->type.dtype)) continue;
    Var total = direct[i];
    for (int64_t k : spec_.taps[i]) {
      Var c = make_input(y->type, "sent");
      sent_inner.push_back(c);
      sent_init.push_back(zero_rows(outs[i], int64_const(-k)));
      sent_taps.push_back({k});
      total = total ? add(total, c) : c;
    }
    Var& slot = known[y.get()];
    slot = slot ? add(slot, total) : total;
  }
  for (int j = 0; j < n_nitsot; ++j) {
    const Var& z = body[n_mitsot + j];
    if (!direct[n_mitsot + j]) continue;
    Var& slot = known[z.get()];
    slot = slot ? add(slot, direct[n_mitsot + j]) : direct[n_mitsot + j];
  }

  // The body's vector-Jacobian product with respect to the sequence rows, the taps and the
  // non-sequences.
  std::vector<Var> wrt;
  std::vector<int> wrt_input;  // inner input index of each wrt
  for (size_t k = 0; k < fw_in.size(); ++k) {
    const int ik = static_cast<int>(k);
    if (ik >= inner_carried_begin() && ik < inner_nonseq_begin()) continue;
    if (!fw_in[k]->type.is_tensor() || !is_float(fw_in[k]->type.dtype)) continue;
    wrt.push_back(fw_in[k]);
    wrt_input.push_back(ik);
  }
  GradOptions options;
  options.disconnected_inputs = "ignore";
  options.return_disconnected = "zero";
  for (const auto& [v, g] : known) {
    for (const auto& b : body) {
      if (b.get() == v) {
        options.known_grads.emplace_back(b, g);
        break;
      }
    }
  }
  std::vector<Var> vjp = grad_ex(nullptr, wrt, options).grads;
  std::vector<Var> carried_in(inner_inputs_.begin() + inner_carried_begin(),
                              inner_inputs_.begin() + inner_nonseq_begin());
  if (depends_on(vjp, carried_in)) {
    throw NotImplementedError(label() +
                              ": the gradient of a body whose outputs depend on a "
                              "value it updates (a shared variable's update, e.g. a random "
                              "stream) is not implemented");
  }

  // Sort the products: sent back along taps, summed over the steps, stacked per step.
  std::vector<Var> sent_out(sent_inner.size());
  std::vector<Var> sum_inner, sum_out, sum_init;
  std::vector<int> sum_input;  // the outer input each summed gradient belongs to
  std::vector<Var> stacked_out;
  std::vector<int> stacked_input;  // the outer input each stacked gradient belongs to
  // Terms of non-sequence gradients summed after the loop by one product over all steps; the
  // per-step factors that are not sequences of the loop are stacked by it.
  std::vector<scan_detail::RowProduct> products;
  std::vector<int> product_input;  // the outer input each product belongs to
  std::vector<Var> product_stacked;
  {
    int next_sent = 0, tap_index = inner_tap_begin();
    std::map<int, Var> by_input;
    for (size_t w = 0; w < wrt.size(); ++w) by_input[wrt_input[w]] = vjp[w];
    for (int i = 0; i < n_mitsot; ++i) {
      const bool float_out = is_float(body[i]->type.dtype);
      for (size_t k = 0; k < spec_.taps[i].size(); ++k, ++tap_index) {
        if (!float_out) continue;
        Var g = by_input.count(tap_index) ? by_input[tap_index] : nullptr;
        sent_out[next_sent] = g ? g : zeros_like(sent_inner[next_sent]);
        ++next_sent;
      }
    }
    for (int j = 0; j < spec_.n_seqs; ++j) {
      if (!by_input.count(j)) continue;
      stacked_out.push_back(by_input[j]);
      stacked_input.push_back(seq_begin() + j);
    }
    for (int j = 0; j < spec_.n_nonseqs; ++j) {
      const int ik = inner_nonseq_begin() + j;
      if (!by_input.count(ik)) continue;
      const Var& x = in[nonseq_begin() + j];
      scan_detail::SplitGradient split =
          scan_detail::split_row_products(by_input[ik], bw_seq_inner);
      for (const scan_detail::RowProduct& p : split.products) {
        products.push_back(p);
        product_input.push_back(nonseq_begin() + j);
        if (index_of(bw_seq_inner, p.other) < 0 && index_of(stacked_out, p.other) < 0 &&
            index_of(product_stacked, p.other) < 0) {
          product_stacked.push_back(p.other);
        }
      }
      if (!split.rest) continue;
      Var sum_so_far = make_input(x->type, "sum_g_" + x->name);
      sum_inner.push_back(sum_so_far);
      sum_out.push_back(add(sum_so_far, split.rest));
      std::vector<Var> shape{int64_const(1)};
      for (int d = 0; d < x->type.ndim(); ++d) shape.push_back(shape_i(x, d));
      sum_init.push_back(zeros(shape, x->type.dtype));
      sum_input.push_back(nonseq_begin() + j);
    }
  }

  ScanParts parts;
  parts.spec.n_seqs = static_cast<int>(bw_seq_inner.size());
  parts.spec.taps = sent_taps;
  parts.spec.taps.insert(parts.spec.taps.end(), sum_inner.size(), std::vector<int64_t>{-1});
  parts.spec.n_nitsot = static_cast<int>(stacked_out.size() + product_stacked.size());
  parts.spec.n_nonseqs = spec_.n_nonseqs;
  parts.spec.name = spec_.name.empty() ? "grad" : "grad_of_" + spec_.name;
  parts.spec.mode = spec_.mode;
  parts.inner_inputs = bw_seq_inner;
  parts.inner_inputs.insert(parts.inner_inputs.end(), sent_inner.begin(), sent_inner.end());
  parts.inner_inputs.insert(parts.inner_inputs.end(), sum_inner.begin(), sum_inner.end());
  parts.outer_inputs = {nb};
  parts.outer_inputs.insert(parts.outer_inputs.end(), bw_seq_outer.begin(), bw_seq_outer.end());
  parts.outer_inputs.insert(parts.outer_inputs.end(), sent_init.begin(), sent_init.end());
  parts.outer_inputs.insert(parts.outer_inputs.end(), sum_init.begin(), sum_init.end());
  for (int j = 0; j < spec_.n_nonseqs; ++j) {
    parts.inner_inputs.push_back(fw_in[inner_nonseq_begin() + j]);
    parts.outer_inputs.push_back(in[nonseq_begin() + j]);
  }
  parts.inner_outputs = sent_out;
  parts.inner_outputs.insert(parts.inner_outputs.end(), sum_out.begin(), sum_out.end());
  parts.inner_outputs.insert(parts.inner_outputs.end(), stacked_out.begin(), stacked_out.end());
  parts.inner_outputs.insert(parts.inner_outputs.end(), product_stacked.begin(),
                             product_stacked.end());
  // The forward body's carried inputs are not read by the product (checked above), so the
  // reverse body has no carried values.
  std::vector<Var> bw = make_scan(std::move(parts));

  // Non-sequences: the sum's last row (its initial zeros when no step ran). Sequences: the
  // reversed stacked rows, in place of the rows the reverse loop covered.
  for (size_t a = 0; a < sum_out.size(); ++a) {
    result[sum_input[a]] = getitem(bw[sent_out.size() + a], {idx::at(int64_t{-1})});
  }
  // Products: the loop's rows of both factors (reversed alike), contracted over the steps.
  const size_t first_product = sent_out.size() + sum_out.size() + stacked_out.size();
  auto all_rows = [&](const Var& v) {
    if (const int k = index_of(bw_seq_inner, v); k >= 0) return bw_seq_outer[k];
    if (const int k = index_of(stacked_out, v); k >= 0) {
      return bw[sent_out.size() + sum_out.size() + k];
    }
    return bw[first_product + index_of(product_stacked, v)];
  };
  for (size_t q = 0; q < products.size(); ++q) {
    const scan_detail::RowProduct& p = products[q];
    const Var term = scan_detail::summed_row_product(p, bw_seq_outer[p.seq], all_rows(p.other),
                                                     in[product_input[q]]);
    Var& r = result[product_input[q]];
    r = r ? add(r, term) : term;
  }
  for (size_t s = 0; s < stacked_out.size(); ++s) {
    const Var& g = bw[sent_out.size() + sum_out.size() + s];
    Var full = zeros_like(in[stacked_input[s]]);
    result[stacked_input[s]] = set_subtensor(rows(full, first, n), reversed(g));
  }
  // Initial values: their direct gradient, plus what the first steps sent back through taps
  // (only when the reverse loop reached the first step).
  int next_sent = 0;
  for (int i = 0; i < n_mitsot; ++i) {
    if (!is_float(body[i]->type.dtype)) continue;
    const int64_t w = spec_.window(i);
    Var g = output_grads[i] ? rows(output_grads[i], int64_const(0), int64_const(w))
                            : zeros_like(in[init_begin() + i]);
    for (int64_t k : spec_.taps[i]) {
      const Var& c = bw[next_sent++];
      Var back = reversed(getitem(c, {idx::slice(k, {})}));
      if (truncated) back = mul(back, cast(equal(nb, n), back->type.dtype));
      g = inc_subtensor(rows(g, int64_const(w + k), int64_const(w)), back);
    }
    result[init_begin() + i] = g;
  }
  return result;
}

}  // namespace theon
