// Scan: the op's identity (spec + body, compared structurally), its type checks, shapes, C++
// API (make_scan), and its registration (op factory, the "scan" builder the Python theon.scan
// calls, and the kernel over values). The loop is in scan_run.cpp, the gradient in
// scan_grad.cpp.
#include "theon/ops/scan_op.hpp"

#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "theon/core/error.hpp"
#include "theon/graph/clone.hpp"
#include "theon/graph/compare.hpp"
#include "theon/graph/fgraph.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/math.hpp"
#include "theon/ops/shape.hpp"
#include "theon/ops/subtensor.hpp"
#include "theon/runtime/kernel.hpp"

namespace theon {

int ScanSpec::n_tap_inputs() const {
  int n = 0;
  for (const auto& t : taps) n += static_cast<int>(t.size());
  return n;
}

namespace {

std::string where_suffix(const Var& v) {
  if (v->owner && !v->owner->where().empty()) return " (built at " + v->owner->where() + ")";
  if (!v->where.empty()) return " (created at " + v->where + ")";
  return "";
}

// The type of one row of `t` (its first dimension dropped).
TensorType row_type(const TensorType& t) {
  return TensorType(t.dtype, StaticShape(t.shape.begin() + 1, t.shape.end()), t.device);
}

TensorType stacked_type(const TensorType& row, int64_t rows) {
  StaticShape s{rows};
  s.insert(s.end(), row.shape.begin(), row.shape.end());
  return TensorType(row.dtype, s, row.device);
}

void check_spec(const ScanSpec& spec, const std::string& label) {
  for (size_t i = 0; i < spec.taps.size(); ++i) {
    const auto& t = spec.taps[i];
    bool ok = !t.empty();
    for (size_t k = 0; k < t.size(); ++k) {
      ok = ok && t[k] < 0 && (k == 0 || t[k - 1] < t[k]);
    }
    if (!ok) {
      throw ValueError(label + ": the taps of recurrent output " + std::to_string(i) +
                       " must be negative and increasing, got " + PropValue::ints(t).str());
    }
  }
  if (!spec.keep.empty() && spec.keep.size() != spec.taps.size()) {
    throw ValueError(label + ": one kept-row count per recurrent output expected");
  }
  for (size_t i = 0; i < spec.keep.size(); ++i) {
    if (spec.keep[i] != 0 && spec.keep[i] <= spec.window(static_cast<int>(i))) {
      throw ValueError(label + ": recurrent output " + std::to_string(i) +
                       " must keep more rows than its widest tap reaches back");
    }
  }
  if (spec.n_seqs < 0 || spec.n_nitsot < 0 || spec.n_carried < 0 || spec.n_nonseqs < 0) {
    throw ValueError(label + ": negative counts in the loop's layout");
  }
}

// Bodies are interned: a scan built with a body equal to a living one's (the same computation
// over inputs of the same types, matched in order) takes that body's variables. The op's
// fields hold the body's variables, which compare by identity, so equal loops become equal
// ops, which merge fuses and caches share.
class BodyTable {
 public:
  void intern(std::vector<Var>& inputs, std::vector<Var>& outputs) {
    const size_t key = shape_key(inputs, outputs);
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Entry>& bucket = table_[key];
    std::vector<Entry> alive;
    bool found = false;
    for (Entry& e : bucket) {
      std::vector<Var> ins = lock_all(e.inputs), outs = lock_all(e.outputs);
      if (ins.empty() && !e.inputs.empty()) continue;
      if (outs.empty() && !e.outputs.empty()) continue;
      alive.push_back(e);
      if (!found && same_body(ins, outs, inputs, outputs)) {
        inputs = std::move(ins);
        outputs = std::move(outs);
        found = true;
      }
    }
    if (!found) alive.push_back({weak(inputs), weak(outputs)});
    bucket = std::move(alive);
  }

 private:
  struct Entry {
    std::vector<std::weak_ptr<Variable>> inputs, outputs;
  };
  static std::vector<std::weak_ptr<Variable>> weak(const std::vector<Var>& vs) {
    return {vs.begin(), vs.end()};
  }
  // All of them, or none when one is gone.
  static std::vector<Var> lock_all(const std::vector<std::weak_ptr<Variable>>& ws) {
    std::vector<Var> out;
    for (const auto& w : ws) {
      Var v = w.lock();
      if (!v) return {};
      out.push_back(std::move(v));
    }
    return out;
  }
  static size_t shape_key(const std::vector<Var>& inputs, const std::vector<Var>& outputs) {
    size_t h = inputs.size() * 1000003u + outputs.size() + toposort(outputs).size() * 7919u;
    for (const auto& o : outputs) {
      h = h * 31 + std::hash<std::string>()(o->owner ? o->owner->op()->type_name() : o->name);
    }
    return h;
  }
  static bool same_body(const std::vector<Var>& a_in, const std::vector<Var>& a_out,
                        const std::vector<Var>& b_in, const std::vector<Var>& b_out) {
    if (a_in.size() != b_in.size()) return false;
    for (size_t k = 0; k < a_in.size(); ++k) {
      if (!(a_in[k]->type == b_in[k]->type)) return false;
    }
    return equal_computations(a_out, b_out, a_in, b_in);
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<Entry>> table_;
};

}  // namespace

Scan::Scan(ScanSpec spec, std::vector<Var> inner_inputs, std::vector<Var> inner_outputs)
    : spec_(std::move(spec)),
      inner_inputs_(std::move(inner_inputs)),
      inner_outputs_(std::move(inner_outputs)) {
  check_spec(spec_, label());
  const size_t want_in =
      spec_.n_seqs + spec_.n_tap_inputs() + spec_.n_carried + spec_.n_nonseqs;
  const size_t want_out = spec_.n_mitsot() + spec_.n_nitsot + spec_.n_carried + (spec_.until ? 1 : 0);
  if (inner_inputs_.size() != want_in || inner_outputs_.size() != want_out) {
    throw ValueError(label() + ": the body has " + std::to_string(inner_inputs_.size()) +
                     " inputs and " + std::to_string(inner_outputs_.size()) +
                     " outputs, the loop's layout needs " + std::to_string(want_in) + " and " +
                     std::to_string(want_out));
  }
  std::unordered_set<const Variable*> inputs;
  for (const auto& v : inner_inputs_) {
    if (!v->is_input()) {
      throw ValueError(label() + ": the body's inputs must be free variables, got " +
                       var_label(*v));
    }
    inputs.insert(v.get());
  }
  for (const auto& leaf : graph_leaves(inner_outputs_)) {
    if (!leaf->is_constant() && !inputs.count(leaf.get())) {
      throw ValueError(label() + ": the body reads " + var_label(*leaf) +
                       ", which is not one of its inputs");
    }
  }
  // Each recurrent output has the type its taps read.
  int tap = inner_tap_begin();
  for (int i = 0; i < spec_.n_mitsot(); ++i) {
    const Var& out = inner_outputs_[i];
    if (!out->type.is_tensor()) {
      throw TypeError(label() + ": recurrent output " + std::to_string(i) + " is a " +
                      out->type.str() + ", not a tensor");
    }
    for (size_t k = 0; k < spec_.taps[i].size(); ++k, ++tap) {
      const TensorType& want = inner_inputs_[tap]->type;
      if (out->type.dtype != want.dtype || out->type.ndim() != want.ndim()) {
        throw TypeError(label() + ": recurrent output " + std::to_string(i) +
                        " of the body is " + out->type.str() + where_suffix(out) +
                        ", but its initial value (outputs_info[" + std::to_string(i) +
                        "]) has steps of type " + want.str() +
                        "; the body must return the dtype and number of dimensions of the "
                        "initial value (cast one of them)");
      }
      if (!out->type.compatible_with(want)) {
        throw ValueError(label() + ": recurrent output " + std::to_string(i) +
                         " of the body has static shape " + static_shape_str(out->type.shape) +
                         where_suffix(out) + ", its initial value's steps " +
                         static_shape_str(want.shape));
      }
    }
  }
  for (int j = 0; j < spec_.n_nitsot; ++j) {
    const Var& out = inner_outputs_[spec_.n_mitsot() + j];
    if (!out->type.is_tensor()) {
      throw TypeError(label() + ": output " + std::to_string(spec_.n_mitsot() + j) + " is a " +
                      out->type.str() + ", not a tensor");
    }
  }
  for (int j = 0; j < spec_.n_carried; ++j) {
    const Var& out = inner_outputs_[spec_.n_mitsot() + spec_.n_nitsot + j];
    const TensorType& want = inner_inputs_[inner_carried_begin() + j]->type;
    if (out->type.dtype != want.dtype || out->type.ndim() != want.ndim() ||
        out->type.is_tensor() != want.is_tensor() || !out->type.compatible_with(want)) {
      throw TypeError(label() + ": the update of " + var_label(*inner_inputs_[inner_carried_begin() + j]) +
                      " is " + out->type.str() + where_suffix(out) + ", the variable is " +
                      want.str());
    }
  }
  if (spec_.until) {
    const Var& cond = inner_outputs_.back();
    if (!cond->type.is_tensor() || cond->type.ndim() != 0 || is_float(cond->type.dtype)) {
      throw TypeError(label() + ": the condition of until() must be a boolean or integer "
                      "scalar, got " + cond->type.str() + where_suffix(cond));
    }
  }
}

std::shared_ptr<const Scan> Scan::interned(ScanSpec spec, std::vector<Var> inner_inputs,
                                           std::vector<Var> inner_outputs) {
  static BodyTable bodies;
  bodies.intern(inner_inputs, inner_outputs);
  return std::make_shared<Scan>(std::move(spec), std::move(inner_inputs),
                                std::move(inner_outputs));
}

std::string Scan::label() const {
  return spec_.name.empty() ? "Scan" : "Scan{" + spec_.name + "}";
}

Props Scan::fields() const {
  std::vector<PropValue> taps, ins, outs;
  for (const auto& t : spec_.taps) taps.push_back(PropValue::ints(t));
  for (const auto& v : inner_inputs_) ins.push_back(PropValue::var(v));
  for (const auto& v : inner_outputs_) outs.push_back(PropValue::var(v));
  return {{"n_seqs", PropValue::integer(spec_.n_seqs)},
          {"taps", PropValue::list(std::move(taps))},
          {"n_nitsot", PropValue::integer(spec_.n_nitsot)},
          {"n_carried", PropValue::integer(spec_.n_carried)},
          {"n_nonseqs", PropValue::integer(spec_.n_nonseqs)},
          {"until", PropValue::boolean(spec_.until)},
          {"name", PropValue::string(spec_.name)},
          {"mode", PropValue::string(spec_.mode)},
          {"truncate_gradient", PropValue::integer(spec_.truncate_gradient)},
          {"keep", PropValue::ints(spec_.keep)},
          {"inner_inputs", PropValue::list(std::move(ins))},
          {"inner_outputs", PropValue::list(std::move(outs))}};
}

std::string Scan::props() const {
  std::string s = spec_.name.empty() ? "" : "name=" + spec_.name + ",";
  s += "seqs=" + std::to_string(spec_.n_seqs) + ",recurrent=" + std::to_string(spec_.n_mitsot()) +
       ",stacked=" + std::to_string(spec_.n_nitsot) + ",carried=" +
       std::to_string(spec_.n_carried) + ",nonseqs=" + std::to_string(spec_.n_nonseqs);
  if (spec_.until) s += ",until";
  return s;
}

std::vector<TensorType> Scan::output_types(const std::vector<Var>& in) const {
  const size_t want = nonseq_begin() + spec_.n_nonseqs;
  if (in.size() != want) {
    throw TypeError(label() + ": expected " + std::to_string(want) + " inputs, got " +
                    std::to_string(in.size()));
  }
  if (in[0]->type.ndim() != 0 || !is_integer(in[0]->type.dtype)) {
    throw TypeError(label() + ": n_steps must be an integer scalar, got " + in[0]->type.str());
  }
  auto mismatch = [&](const std::string& what, const TensorType& want, const TensorType& got) {
    return TypeError(label() + ": " + what + " has steps of type " + got.str() +
                     ", the body was built for " + want.str());
  };
  for (int j = 0; j < spec_.n_seqs; ++j) {
    const TensorType& t = in[seq_begin() + j]->type;
    const TensorType& want = inner_inputs_[j]->type;
    if (t.ndim() != want.ndim() + 1 || t.dtype != want.dtype ||
        !row_type(t).compatible_with(want)) {
      throw mismatch("sequence " + std::to_string(j), want,
                     t.ndim() == 0 ? t : row_type(t));
    }
  }
  int tap = inner_tap_begin();
  std::vector<TensorType> out;
  const std::optional<int64_t> n = static_int_scalar(in[0]);
  for (int i = 0; i < spec_.n_mitsot(); ++i) {
    const TensorType& t = in[init_begin() + i]->type;
    const TensorType& want = inner_inputs_[tap]->type;
    tap += static_cast<int>(spec_.taps[i].size());
    if (t.ndim() != want.ndim() + 1 || t.dtype != want.dtype ||
        !row_type(t).compatible_with(want)) {
      throw mismatch("the initial value of recurrent output " + std::to_string(i), want,
                     t.ndim() == 0 ? t : row_type(t));
    }
    const int64_t w = spec_.window(i);
    if (t.shape[0] != kUnknownDim && t.shape[0] != w) {
      throw ValueError(label() + ": the initial value of recurrent output " +
                       std::to_string(i) + " must have " + std::to_string(w) +
                       " rows (its widest tap), got " + t.str());
    }
    int64_t rows = n && !spec_.until ? *n + w : kUnknownDim;
    if (spec_.kept(i) > 0 && (rows == kUnknownDim || rows > spec_.kept(i))) {
      rows = rows == kUnknownDim ? kUnknownDim : spec_.kept(i);
    }
    out.push_back(stacked_type(row_type(t), rows));
  }
  for (int j = 0; j < spec_.n_nitsot; ++j) {
    const TensorType& t = inner_outputs_[spec_.n_mitsot() + j]->type;
    out.push_back(stacked_type(t, n && !spec_.until ? *n : kUnknownDim));
  }
  for (int j = 0; j < spec_.n_carried; ++j) {
    const TensorType& t = in[carried_begin() + j]->type;
    const TensorType& want = inner_inputs_[inner_carried_begin() + j]->type;
    if (!(t == want) && !(t.dtype == want.dtype && t.is_tensor() && want.is_tensor() &&
                          t.compatible_with(want))) {
      throw mismatch("carried value " + std::to_string(j), want, t);
    }
    out.push_back(t);
  }
  for (int j = 0; j < spec_.n_nonseqs; ++j) {
    const TensorType& t = in[nonseq_begin() + j]->type;
    const TensorType& want = inner_inputs_[inner_nonseq_begin() + j]->type;
    if (!(t == want) && !(t.dtype == want.dtype && t.is_tensor() && want.is_tensor() &&
                          t.compatible_with(want))) {
      throw mismatch("non-sequence " + std::to_string(j), want, t);
    }
  }
  return out;
}

std::vector<Var> make_scan(ScanParts parts) {
  const ScanSpec& spec = parts.spec;
  const std::string label = spec.name.empty() ? "scan" : "scan " + spec.name;
  const size_t want_outer = 1 + spec.n_seqs + spec.n_mitsot() + spec.n_carried + spec.n_nonseqs;
  if (parts.outer_inputs.size() != want_outer ||
      parts.inner_inputs.size() !=
          static_cast<size_t>(spec.n_seqs + spec.n_tap_inputs() + spec.n_nonseqs)) {
    throw ValueError(label + ": the loop's layout does not match the inputs given");
  }
  check_spec(spec, label);
  const auto outer_at = [&](int k) { return parts.outer_inputs.begin() + k; };
  const int carried_begin = 1 + spec.n_seqs + spec.n_mitsot();
  // Carried values: the body reads the state of this step where it read the outer variable.
  std::vector<std::pair<Var, Var>> replace;
  std::vector<Var> carried_inner;
  for (int j = 0; j < spec.n_carried; ++j) {
    const Var& outer = parts.outer_inputs[carried_begin + j];
    Var inner = make_input(outer->type, outer->name);
    replace.emplace_back(outer, inner);
    carried_inner.push_back(inner);
  }
  std::vector<Var> body =
      replace.empty() ? parts.inner_outputs : clone_replace(parts.inner_outputs, replace);
  // What else the body reads: shared variables and variables of the enclosing graph.
  std::unordered_set<const Variable*> known;
  for (const auto& v : parts.inner_inputs) known.insert(v.get());
  for (const auto& v : carried_inner) known.insert(v.get());
  std::vector<std::pair<Var, Var>> captured;
  std::vector<Var> extra_inner, extra_outer;
  for (const auto& leaf : graph_leaves(body)) {
    if (leaf->is_constant() || known.count(leaf.get())) continue;
    Var inner = make_input(leaf->type, leaf->name);
    captured.emplace_back(leaf, inner);
    extra_inner.push_back(inner);
    extra_outer.push_back(leaf);
  }
  if (!captured.empty()) body = clone_replace(body, captured);
  std::vector<Var> inner(parts.inner_inputs.begin(),
                         parts.inner_inputs.begin() + spec.n_seqs + spec.n_tap_inputs());
  inner.insert(inner.end(), carried_inner.begin(), carried_inner.end());
  inner.insert(inner.end(), parts.inner_inputs.begin() + spec.n_seqs + spec.n_tap_inputs(),
               parts.inner_inputs.end());
  inner.insert(inner.end(), extra_inner.begin(), extra_inner.end());
  std::vector<Var> outer(outer_at(0), outer_at(static_cast<int>(want_outer)));
  outer.insert(outer.end(), extra_outer.begin(), extra_outer.end());
  ScanSpec full = spec;
  full.n_nonseqs += static_cast<int>(extra_outer.size());
  return make_node(Scan::interned(std::move(full), std::move(inner), std::move(body)),
                   std::move(outer));
}

namespace {

// Runs the loop over values, so that carried values may be of any kind (generator states).
class ScanKernel final : public Kernel {
 public:
  explicit ScanKernel(const Scan& op) : op_(op) {}
  bool takes_values() const override { return true; }
  void run_values(const std::vector<Value>& in, std::vector<Value>& out) const override {
    op_.run(in, out);
  }
  std::string origin() const override { return "scan loop"; }
  bool is_reference() const override { return true; }

 private:
  const Scan& op_;
};

std::vector<Var> vars_of(const PropReader& f, std::string_view name) {
  std::vector<Var> out;
  for (const PropValue& v : f.get_list(name)) out.push_back(v.as_var(f.context(name)));
  return out;
}

OpPtr scan_from_fields(const PropReader& f) {
  ScanSpec spec;
  spec.n_seqs = static_cast<int>(f.get_int("n_seqs"));
  for (const PropValue& t : f.get_list("taps")) spec.taps.push_back(t.as_ints(f.context("taps")));
  spec.n_nitsot = static_cast<int>(f.get_int("n_nitsot"));
  spec.n_carried = static_cast<int>(f.get_int("n_carried"));
  spec.n_nonseqs = static_cast<int>(f.get_int("n_nonseqs"));
  spec.until = f.get_bool("until");
  spec.name = f.get_string("name");
  spec.mode = f.get_string("mode");
  spec.truncate_gradient = f.get_int("truncate_gradient");
  spec.keep = f.get_ints("keep");
  return std::make_shared<Scan>(std::move(spec), vars_of(f, "inner_inputs"),
                                vars_of(f, "inner_outputs"));
}

// The Python layout: inputs are the body's inputs (sequences, taps, non-sequences), the
// body's outputs, then the outer inputs; the parameters give the counts and the taps
// (flattened, with the number of taps of each recurrent output).
std::vector<Var> build_scan(const std::vector<Var>& in, const Params& p) {
  ScanParts parts;
  ScanSpec& spec = parts.spec;
  spec.n_seqs = static_cast<int>(p.get_int("n_seqs"));
  const std::vector<int64_t> flat = p.has("taps") ? p.get_ints("taps") : std::vector<int64_t>{};
  const std::vector<int64_t> counts =
      p.has("tap_counts") ? p.get_ints("tap_counts") : std::vector<int64_t>{};
  size_t next = 0;
  for (int64_t c : counts) {
    if (c <= 0 || next + c > flat.size()) throw ValueError("scan: bad tap counts");
    spec.taps.emplace_back(flat.begin() + next, flat.begin() + next + c);
    next += c;
  }
  spec.n_nitsot = static_cast<int>(p.get_int("n_nitsot", 0));
  spec.n_carried = static_cast<int>(p.get_int("n_carried", 0));
  spec.n_nonseqs = static_cast<int>(p.get_int("n_nonseqs", 0));
  spec.until = p.get_bool("until", false);
  spec.name = p.get_string("name", "");
  spec.mode = p.get_string("mode", "");
  spec.truncate_gradient = p.get_int("truncate_gradient", -1);
  const size_t n_in = static_cast<size_t>(p.get_int("n_inner_inputs"));
  const size_t n_out = static_cast<size_t>(p.get_int("n_inner_outputs"));
  if (n_in + n_out > in.size()) throw ValueError("scan: fewer inputs than the layout says");
  parts.inner_inputs.assign(in.begin(), in.begin() + n_in);
  parts.inner_outputs.assign(in.begin() + n_in, in.begin() + n_in + n_out);
  parts.outer_inputs.assign(in.begin() + n_in + n_out, in.end());
  return make_scan(std::move(parts));
}

}  // namespace

THEON_OP_FILE(scan) {
  register_op_factory("Scan", scan_from_fields);
  register_builder("scan", 1, -1, build_scan);
  register_kernel("Scan", DeviceKind::Cpu, [](const Apply& node) -> std::unique_ptr<Kernel> {
    return std::make_unique<ScanKernel>(static_cast<const Scan&>(*node.op()));
  });
}

}  // namespace theon
