// Scan rewrites: computations of the body that do not change from step to step move out of the
// loop (computed once, read as non-sequences); inputs the body does not read and stacked
// outputs nothing reads are dropped; a recurrent output of which only the last rows are read
// keeps only those rows (a ring buffer instead of the whole history).
#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "theon/graph/clone.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/scan_op.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/rewrite/groups.hpp"

namespace theon {
namespace {

const Scan* scan_of(const Apply* node) {
  return dynamic_cast<const Scan*>(node->op().get());
}

std::vector<Var> replace_with(const Apply* old, std::vector<Var> outs) {
  std::vector<Var> r(old->nout());
  for (int i = 0; i < old->nout(); ++i) r[i] = std::move(outs[i]);
  return r;
}

// The invariant variables of the body that variant nodes (or the outputs) read: those computed
// only from non-sequences and constants, by nodes with inputs.
std::vector<Var> invariant_frontier(const Scan& op) {
  std::unordered_set<const Variable*> invariant;
  for (int j = 0; j < op.spec().n_nonseqs; ++j) {
    invariant.insert(op.inner_inputs()[op.inner_nonseq_begin() + j].get());
  }
  std::unordered_set<const Apply*> invariant_nodes;
  std::vector<Var> frontier;
  std::unordered_set<const Variable*> in_frontier;
  auto add_frontier = [&](const Var& v) {
    if (v->owner && invariant_nodes.count(v->owner) && in_frontier.insert(v.get()).second) {
      frontier.push_back(v);
    }
  };
  const std::vector<Apply*> order = toposort(op.inner_outputs());
  for (Apply* node : order) {
    bool all = !node->inputs().empty();
    for (const auto& in : node->inputs()) {
      all = all && (in->is_constant() || invariant.count(in.get()));
    }
    if (all) {
      invariant_nodes.insert(node);
      for (int i = 0; i < node->nout(); ++i) invariant.insert(&node->output_ref(i));
    } else {
      for (const auto& in : node->inputs()) add_frontier(in);
    }
  }
  for (const auto& out : op.inner_outputs()) add_frontier(out);
  return frontier;
}

std::optional<std::vector<Var>> hoist_invariants(FunctionGraph&, Apply* node) {
  const Scan* op = scan_of(node);
  if (!op) return std::nullopt;
  std::vector<Var> frontier = invariant_frontier(*op);
  if (frontier.empty()) return std::nullopt;
  std::vector<std::pair<Var, Var>> to_outer, to_inner;
  for (int j = 0; j < op->spec().n_nonseqs; ++j) {
    to_outer.emplace_back(op->inner_inputs()[op->inner_nonseq_begin() + j],
                          node->inputs()[op->nonseq_begin() + j]);
  }
  std::vector<Var> outer_values = clone_replace(frontier, to_outer);
  std::vector<Var> inner = op->inner_inputs();
  for (const auto& f : frontier) {
    Var ph = make_input(f->type, f->name);
    to_inner.emplace_back(f, ph);
    inner.push_back(ph);
  }
  std::vector<Var> body = clone_replace(op->inner_outputs(), to_inner);
  ScanSpec spec = op->spec();
  spec.n_nonseqs += static_cast<int>(frontier.size());
  std::vector<Var> outer = node->inputs();
  outer.insert(outer.end(), outer_values.begin(), outer_values.end());
  return replace_with(node, make_node(Scan::interned(spec, inner, body), outer));
}

std::optional<std::vector<Var>> remove_unused(FunctionGraph& fg, Apply* node) {
  const Scan* op = scan_of(node);
  if (!op) return std::nullopt;
  const ScanSpec& spec = op->spec();
  std::unordered_set<const Variable*> read;
  for (const auto& leaf : graph_leaves(op->inner_outputs())) read.insert(leaf.get());
  auto unread = [&](int inner_index) { return !read.count(op->inner_inputs()[inner_index].get()); };
  const int first_nitsot = spec.n_mitsot();
  std::vector<bool> drop_nitsot(spec.n_nitsot);
  bool any = false;
  int kept_outputs = 0;
  for (int j = 0; j < spec.n_nitsot; ++j) {
    drop_nitsot[j] = fg.clients(&node->output_ref(first_nitsot + j)).empty();
    any = any || drop_nitsot[j];
    kept_outputs += drop_nitsot[j] ? 0 : 1;
  }
  for (int j = 0; j < spec.n_seqs; ++j) any = any || unread(j);
  for (int j = 0; j < spec.n_nonseqs; ++j) any = any || unread(op->inner_nonseq_begin() + j);
  if (!any || kept_outputs + spec.n_mitsot() + spec.n_carried == 0) return std::nullopt;

  ScanSpec s = spec;
  std::vector<Var> inner, outer{node->inputs()[0]}, body;
  s.n_seqs = 0;
  for (int j = 0; j < spec.n_seqs; ++j) {
    if (unread(j)) continue;
    inner.push_back(op->inner_inputs()[j]);
    outer.push_back(node->inputs()[op->seq_begin() + j]);
    ++s.n_seqs;
  }
  inner.insert(inner.end(), op->inner_inputs().begin() + op->inner_tap_begin(),
               op->inner_inputs().begin() + op->inner_nonseq_begin());
  outer.insert(outer.end(), node->inputs().begin() + op->init_begin(),
               node->inputs().begin() + op->nonseq_begin());
  s.n_nonseqs = 0;
  for (int j = 0; j < spec.n_nonseqs; ++j) {
    if (unread(op->inner_nonseq_begin() + j)) continue;
    inner.push_back(op->inner_inputs()[op->inner_nonseq_begin() + j]);
    outer.push_back(node->inputs()[op->nonseq_begin() + j]);
    ++s.n_nonseqs;
  }
  const auto& outs = op->inner_outputs();
  body.assign(outs.begin(), outs.begin() + first_nitsot);
  s.n_nitsot = 0;
  for (int j = 0; j < spec.n_nitsot; ++j) {
    if (drop_nitsot[j]) continue;
    body.push_back(outs[first_nitsot + j]);
    ++s.n_nitsot;
  }
  body.insert(body.end(), outs.begin() + first_nitsot + spec.n_nitsot, outs.end());
  std::vector<Var> fresh = make_node(Scan::interned(s, inner, body), outer);
  std::vector<Var> r(node->nout());
  int next = 0;
  for (int i = 0; i < node->nout(); ++i) {
    const bool dropped =
        i >= first_nitsot && i < first_nitsot + spec.n_nitsot && drop_nitsot[i - first_nitsot];
    if (!dropped) r[i] = fresh[next++];
  }
  return r;
}

// How many last rows a read of `v` needs when it is x[-k, ...] with a constant k > 0 (and
// nothing else on the first axis); nullopt for any other read.
std::optional<int64_t> last_rows_read(const Apply* reader) {
  const auto* sub = dynamic_cast<const Subtensor*>(reader->op().get());
  if (!sub || sub->spec().entries.empty()) return std::nullopt;
  const IndexEntry& e = sub->spec().entries[0];
  if (e.kind != IndexEntry::Kind::Int || e.part[0].mode != IndexPart::Mode::Const ||
      e.part[0].value >= 0) {
    return std::nullopt;
  }
  return -e.part[0].value;
}

// Whether `reader` is y[W:] (the steps of a recurrent buffer).
bool is_steps_slice(const Apply* reader, int64_t w) {
  const auto* sub = dynamic_cast<const Subtensor*>(reader->op().get());
  if (!sub || sub->spec().entries.size() != 1) return false;
  const IndexEntry& e = sub->spec().entries[0];
  return e.kind == IndexEntry::Kind::Slice && e.part[0].mode == IndexPart::Mode::Const &&
         e.part[0].value == w && e.part[1].mode == IndexPart::Mode::None &&
         e.part[2].mode == IndexPart::Mode::None;
}

// The last rows recurrent output i of `node` must keep for its readers (each y[-k] or
// y[W:][-k]), or nullopt when some reader needs more (or is a graph output).
std::optional<int64_t> rows_needed(const FunctionGraph& fg, Apply* node, int i, int64_t w) {
  int64_t need = 0;
  for (const auto& [reader, pos] : fg.clients(&node->output_ref(i))) {
    if (!reader || pos != 0) return std::nullopt;
    if (auto k = last_rows_read(reader)) {
      need = std::max(need, *k);
      continue;
    }
    if (!is_steps_slice(reader, w)) return std::nullopt;
    for (const auto& [inner, inner_pos] : fg.clients(&reader->output_ref(0))) {
      auto k = inner && inner_pos == 0 ? last_rows_read(inner) : std::nullopt;
      if (!k) return std::nullopt;
      need = std::max(need, *k);
    }
  }
  return need;
}

bool save_memory(FunctionGraph& fg) {
  bool changed = false;
  const std::vector<Apply*> nodes = fg.nodes();
  for (Apply* node : nodes) {
    // An earlier replacement may have freed a node of the snapshot: look only at live ones.
    if (!fg.contains(node)) continue;
    const Scan* op = scan_of(node);
    if (!op || op->spec().until) continue;
    ScanSpec spec = op->spec();
    if (spec.keep.empty()) spec.keep.assign(spec.n_mitsot(), 0);
    bool any = false;
    for (int i = 0; i < spec.n_mitsot(); ++i) {
      if (spec.keep[i] > 0) continue;
      const int64_t w = spec.window(i);
      if (auto need = rows_needed(fg, node, i, w)) {
        spec.keep[i] = std::max(*need, w + 1);
        any = true;
      }
    }
    if (!any) continue;
    // Replacing the last reader of an output frees `node` (and `op`) unless held here.
    const std::shared_ptr<Apply> hold = node->shared_from_this();
    const std::vector<Var> fresh = make_node(
        std::make_shared<Scan>(spec, op->inner_inputs(), op->inner_outputs()), node->inputs());
    const Var n = as_int64(node->inputs()[0]);
    for (int i = 0; i < node->nout(); ++i) {
      const Variable* old = &node->output_ref(i);
      if (i >= spec.n_mitsot() || op->spec().kept(i) == spec.keep[i]) {
        if (!fg.clients(old).empty()) fg.replace(node->output(i), fresh[i], "scan_save_memory");
        continue;
      }
      // Readers y[-k] read the kept rows alike; y[W:] becomes the last min(rows, n) kept rows.
      const std::vector<FunctionGraph::Client> readers = fg.clients(old);
      for (const auto& [reader, pos] : readers) {
        std::vector<Var> ins = reader->inputs();
        ins[0] = fresh[i];
        Var replacement;
        if (last_rows_read(reader)) {
          replacement = make_node1(reader->op(), ins);
        } else {
          const Var rows = shape_i(fresh[i], 0);
          const Var start = maximum(sub(rows, n), int64_const(0));
          replacement = getitem(fresh[i], {idx::slice(start, {})});
        }
        fg.replace(reader->output(0), replacement, "scan_save_memory");
      }
    }
    changed = true;
  }
  return changed;
}

}  // namespace

std::vector<GraphRewriter> scan_graph_rewriters() {
  return {{"scan_save_memory", save_memory, {"fast_run", "scan"}}};
}

std::vector<NodeRewriter> scan_rules() {
  return {
      {"scan_hoist_invariants", {"Scan"}, hoist_invariants, {"fast_run", "scan"}},
      {"scan_remove_unused", {"Scan"}, remove_unused, {"fast_run", "scan"}},
  };
}

}  // namespace theon
