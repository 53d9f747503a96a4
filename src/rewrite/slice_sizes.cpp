#include "slice_sizes.hpp"

#include <algorithm>
#include <cstdlib>

#include "theon/core/config.hpp"
#include "theon/core/device.hpp"
#include "theon/ops/alloc.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/shape.hpp"
#include "util.hpp"

namespace theon::rewrite_util {

std::optional<std::vector<Basic>> basic_entries(const IndexSpec& spec, int ndim) {
  std::vector<Basic> r;
  auto part = [](const IndexPart& p, Bound& b) {
    if (p.mode == IndexPart::Mode::Input) return false;
    if (p.mode == IndexPart::Mode::Const) b = p.value;
    return true;
  };
  for (const IndexEntry& e : spec.entries) {
    Basic b;
    if (e.kind == IndexEntry::Kind::Int) {
      b.is_int = true;
      if (!part(e.part[0], b.start)) return std::nullopt;
    } else if (e.kind == IndexEntry::Kind::Slice) {
      if (!part(e.part[0], b.start) || !part(e.part[1], b.stop) || !part(e.part[2], b.step)) {
        return std::nullopt;
      }
      if (b.step && *b.step == 0) return std::nullopt;
    } else {
      return std::nullopt;
    }
    r.push_back(b);
  }
  if (static_cast<int>(r.size()) > ndim) return std::nullopt;
  r.resize(ndim);
  return r;
}

Range slice_range(const Basic& b, int64_t n) {
  const int64_t step = b.step.value_or(1);
  const int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
  auto clamp = [&](Bound v, int64_t dflt) {
    if (!v) return dflt;
    int64_t i = *v;
    if (i < 0) return std::max(i + n, lower);
    return std::min(i, upper);
  };
  const int64_t s = clamp(b.start, step > 0 ? lower : upper);
  const int64_t e = clamp(b.stop, step > 0 ? upper : lower);
  int64_t len = 0;
  if (step > 0 && e > s) len = (e - s - 1) / step + 1;
  if (step < 0 && s > e) len = (s - e - 1) / (-step) + 1;
  return {s, step, len};
}

Index to_index(const Basic& b) {
  auto v = [](Bound x) { return x ? IndexValue(*x) : IndexValue(std::nullopt); };
  if (b.is_int) return idx::at(*b.start);
  return idx::slice(v(b.start), v(b.stop), v(b.step));
}

int64_t DimSize::length(int64_t n) const {
  if (known != kUnknownDim) return known;
  for (const Basic& b : slices) n = slice_range(b, n).len;
  return n;
}

namespace {

constexpr int kMaxDepth = 64;

DimSize own_size(const Var& v, int d) {
  DimSize s;
  s.known = v->type.shape[d];
  if (s.known == kUnknownDim) {
    s.root = v.get();
    s.dim = d;
  }
  return s;
}

DimSize dim_size_at(const Var& v, int d, int depth);

// The size an Alloc's shape input gives: a constant, or x.shape[i].
std::optional<DimSize> alloc_dim_size(const Var& dim, int depth) {
  if (const NDArray* c = constant_value(dim); c != nullptr && c->size() == 1) {
    DimSize s;
    s.known = static_cast<int64_t>(c->flat_as_double(0));
    return s;
  }
  const ShapeI* si = op_as<ShapeI>(dim);
  if (si == nullptr) return std::nullopt;
  const Var& x = dim->owner->inputs()[0];
  const int64_t i = si->i() < 0 ? si->i() + x->type.ndim() : si->i();
  if (i < 0 || i >= x->type.ndim()) return std::nullopt;
  return dim_size_at(x, static_cast<int>(i), depth + 1);
}

DimSize dim_size_at(const Var& v, int d, int depth) {
  const DimSize own = own_size(v, d);
  if (own.known != kUnknownDim || depth > kMaxDepth || !v->owner) return own;
  Apply* node = v->owner;
  const auto& in = node->inputs();
  if (const auto* st = op_as<Subtensor>(v)) {
    auto entries = basic_entries(st->spec(), in[0]->type.ndim());
    if (!entries) return own;
    int out_dim = 0;
    for (int k = 0; k < in[0]->type.ndim(); ++k) {
      const Basic& b = (*entries)[k];
      if (b.is_int) continue;
      if (out_dim++ == d) return sliced(dim_size_at(in[0], k, depth + 1), b);
    }
    return own;
  }
  if (op_as<Elemwise>(v) && node->outputs().size() == 1) {
    // Operands with a static size of 1 broadcast; the others must agree for the result to
    // take their size.
    std::optional<DimSize> agreed;
    for (const Var& x : in) {
      const int k = d - (v->type.ndim() - x->type.ndim());
      if (k < 0 || x->type.shape[k] == 1) continue;
      DimSize s = dim_size_at(x, k, depth + 1);
      if (agreed && !same_size(*agreed, s)) return own;
      if (!agreed) agreed = std::move(s);
    }
    return agreed ? *agreed : own;
  }
  if (op_as<IncSubtensor>(v)) return dim_size_at(in[0], d, depth + 1);
  if (op_as<Fill>(v) && in[0]->type.ndim() == v->type.ndim() && in[1]->type.ndim() == 0) {
    return dim_size_at(in[0], d, depth + 1);
  }
  if (op_as<Alloc>(v) || v->owner->op()->type_name() == "BroadcastView") {
    auto dims = alloc_dims(node);
    if (!dims || static_cast<int>(dims->size()) != v->type.ndim()) return own;
    return alloc_dim_size((*dims)[d], depth).value_or(own);
  }
  return own;
}

// Steps of 1 or -1 only: other steps make a length a floor of a quotient, which can agree with
// another length on every size up to the bound and differ beyond it (x[::-7][::-11] is 1 long
// like x[:1] for sizes 1 to 77, 2 long at 78).
bool unit_steps(const DimSize& s) {
  return std::all_of(s.slices.begin(), s.slices.end(),
                     [](const Basic& b) { return !b.step || *b.step == 1 || *b.step == -1; });
}

int64_t magnitude(const DimSize& s) {
  int64_t m = 0;
  for (const Basic& b : s.slices) {
    for (const Bound& x : {b.start, b.stop, b.step}) {
      if (x) m += std::min<int64_t>(std::abs(*x), int64_t{1} << 20);
    }
  }
  return m;
}

}  // namespace

DimSize sliced(DimSize s, const Basic& b) {
  if (s.known != kUnknownDim) {
    s.known = slice_range(b, s.known).len;
  } else {
    s.slices.push_back(b);
  }
  return s;
}

DimSize dim_size(const Var& v, int d) {
  return dim_size_at(v, d, 0);
}

bool same_size(const DimSize& a, const DimSize& b) {
  if (a.known != kUnknownDim || b.known != kUnknownDim) return a.known == b.known;
  if (a.root != b.root || a.dim != b.dim || !unit_steps(a) || !unit_steps(b)) return false;
  const int64_t bound = 2 * (magnitude(a) + magnitude(b)) + 4;
  if (bound > (int64_t{1} << 16)) return false;
  for (int64_t n = 0; n <= bound; ++n) {
    if (a.length(n) != b.length(n)) return false;
  }
  return true;
}

bool host_target() {
  return parse_device(Config::global().get("device")).is_cpu();
}

std::vector<Var> inferred_dims(const Var& x) {
  if (x->owner) {
    if (auto dims = output_dims(x->owner, x->index)) return *dims;
  }
  std::vector<Var> dims;
  for (int d = 0; d < x->type.ndim(); ++d) dims.push_back(dim_of(x, d));
  return dims;
}

}  // namespace theon::rewrite_util
