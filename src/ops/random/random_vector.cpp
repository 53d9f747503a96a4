// The random ops whose elements are not drawn independently: Multinomial (counts over the
// last axis), Choice (with or without replacement, optionally weighted), Permutation and
// ShuffleRows (Fisher-Yates over each row). Each row (or, for Choice without replacement, the
// whole sample) reads the Philox stream of its index, so results do not depend on threads.
// No gradients: the samples are counts and indices. Not serializable yet (graph_bytes writes
// dense tensor types only), so they register no op factory.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "distributions.hpp"
#include "random_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/random.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

using random_detail::ElementStream;
using random_detail::StateWords;

ElementStream stream_of(const StateWords& st, int64_t element) {
  return ElementStream(st.key, st.stream, st.call, static_cast<uint64_t>(element));
}

// Probabilities must be >= 0 and sum to 1 within what their dtype can hold.
void check_probabilities(const Op& op, const double* p, int64_t k, int64_t stride, DType dtype) {
  double total = 0;
  for (int64_t j = 0; j < k; ++j) {
    const double v = p[j * stride];
    if (!(v >= 0 && v <= 1)) {
      throw ValueError(op_error(op, "probabilities must be in [0, 1], got " + std::to_string(v)));
    }
    total += v;
  }
  const double tol = dtype == DType::Float32 ? 1e-4 : 1e-8;
  if (std::fabs(total - 1) > tol * std::max<int64_t>(k, 1)) {
    throw ValueError(
        op_error(op, "probabilities must sum to 1, got a sum of " + std::to_string(total)));
  }
}

std::vector<int64_t> permutation_of(ElementStream& s, int64_t n) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(random_detail::bounded(s, static_cast<uint64_t>(i) + 1));
    std::swap(perm[i], perm[j]);
  }
  return perm;
}

NDArray contiguous_f64(const NDArray& a) {
  return a.dtype() == DType::Float64 && a.is_c_contiguous() ? a : a.astype(DType::Float64);
}

// ---- Multinomial(state, [size], n, pvals) ----
class Multinomial final : public Op {
 public:
  Multinomial(DType dtype, bool has_size) : dtype_(dtype), has_size_(has_size) {}
  std::string type_name() const override { return "Multinomial"; }
  Props fields() const override {
    return {{"dtype", PropValue::dtype(dtype_)}, {"has_size", PropValue::boolean(has_size_)}};
  }
  size_t first() const { return has_size_ ? 2 : 1; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != first() + 2) {
      throw TypeError(op_error(
          *this, "expected a state, " + std::string(has_size_ ? "size, " : "") + "n and pvals"));
    }
    random_detail::check_state_input(*this, inputs[0]);
    const TensorType& n = inputs[first()]->type;
    const TensorType& pv = inputs[first() + 1]->type;
    if (!n.is_tensor() || n.dtype == DType::Bool) {
      throw TypeError(op_error(*this, "n must be a numeric tensor, got " + n.str()));
    }
    if (!is_float(pv.dtype) || pv.ndim() < 1) {
      throw TypeError(
          op_error(*this, "pvals must be a float tensor of at least 1 dimension, got " + pv.str()));
    }
    StaticShape batch(pv.shape.begin(), pv.shape.end() - 1);
    batch = broadcast_static({batch, n.shape}, name());
    if (has_size_) batch = random_detail::static_size(*this, inputs[1]);
    batch.push_back(pv.shape.back());
    return {generator_state_type(), TensorType(dtype_, batch)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const StateWords st = random_detail::read_state(*this, inputs[0]);
    const NDArray pv = contiguous_f64(inputs[first() + 1]);
    const int64_t k = pv.shape(pv.ndim() - 1);
    Shape pv_batch(pv.shape().begin(), pv.shape().end() - 1);
    Shape batch = has_size_ ? random_detail::runtime_size(*this, inputs[1])
                            : broadcast_shapes({pv_batch, inputs[first()].shape()}, name());
    Strides lead(pv.strides().begin(), pv.strides().end() - 1);
    const NDArray pv_rows = pv.view(pv.raw(), pv_batch, lead);
    auto params =
        random_detail::broadcast_params(*this, {inputs[first()], pv_rows}, batch, {"n", "pvals"});
    Shape out_shape = batch;
    out_shape.push_back(k);
    checked_nbytes(out_shape, itemsize(dtype_), name(), dtype_);
    NDArray& out = reuse_or_empty(outputs[1], dtype_, out_shape);
    const int64_t rows = shape_size(batch);
    random_detail::OffsetWalker check(params, batch, 0);
    for (int64_t b = 0; b < rows; ++b, check.next()) {
      const double n = params[0].data<double>()[check.offsets()[0]];
      if (!(n >= 0) || n != std::floor(n)) {
        throw ValueError(
            op_error(*this, "n must be a non-negative integer, got " + std::to_string(n)));
      }
      check_probabilities(*this, params[1].data<double>() + check.offsets()[1], k, 1,
                          inputs[first() + 1].dtype());
    }
    visit_dtype(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* o = out.data<T>();
      parallel_for(rows, 256, [&](int64_t begin, int64_t end) {
        random_detail::OffsetWalker walk(params, batch, begin);
        for (int64_t b = begin; b < end; ++b, walk.next()) {
          auto remaining = static_cast<int64_t>(params[0].data<double>()[walk.offsets()[0]]);
          const double* p = params[1].data<double>() + walk.offsets()[1];
          ElementStream s = stream_of(st, b);
          double rest = 1;
          for (int64_t j = 0; j + 1 < k; ++j) {
            const double q = rest > 0 ? std::clamp(p[j] / rest, 0.0, 1.0) : 0.0;
            const int64_t x = remaining > 0 ? random_detail::binomial(s, remaining, q) : 0;
            o[b * k + j] = static_cast<T>(x);
            remaining -= x;
            rest -= p[j];
          }
          if (k > 0) o[b * k + k - 1] = static_cast<T>(remaining);
        }
      });
    });
    random_detail::advance_state(inputs[0], outputs[0]);
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return std::vector<Var>(inputs.size());
  }

 private:
  DType dtype_;
  bool has_size_;
};

// ---- Choice(state, size, a, [p]) ----
class Choice final : public Op {
 public:
  Choice(bool replace, bool has_p) : replace_(replace), has_p_(has_p) {}
  std::string type_name() const override { return "Choice"; }
  Props fields() const override {
    return {{"replace", PropValue::boolean(replace_)}, {"has_p", PropValue::boolean(has_p_)}};
  }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != (has_p_ ? 4u : 3u)) {
      throw TypeError(
          op_error(*this, "expected a state, size, a" + std::string(has_p_ ? " and p" : "")));
    }
    random_detail::check_state_input(*this, inputs[0]);
    StaticShape size = random_detail::static_size(*this, inputs[1]);
    const TensorType& a = inputs[2]->type;
    if (a.ndim() > 1 || (a.ndim() == 0 && !is_integer(a.dtype))) {
      throw TypeError(op_error(*this, "a must be an integer scalar or a vector, got " + a.str()));
    }
    if (has_p_ && (!is_float(inputs[3]->type.dtype) || inputs[3]->type.ndim() != 1)) {
      throw TypeError(op_error(*this, "p must be a float vector, got " + inputs[3]->type.str()));
    }
    return {generator_state_type(), TensorType(a.ndim() == 0 ? DType::Int64 : a.dtype, size)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const StateWords st = random_detail::read_state(*this, inputs[0]);
    const Shape shape = random_detail::runtime_size(*this, inputs[1]);
    const NDArray& a = inputs[2];
    const int64_t n = a.ndim() == 0 ? read_int(a, 0) : a.shape(0);
    const int64_t m = checked_size(shape, name());
    if (n < 0) throw ValueError(op_error(*this, "a must be >= 0, got " + std::to_string(n)));
    if (m > 0 && n == 0)
      throw ValueError(op_error(*this, "cannot choose from an empty population"));
    std::vector<double> cdf;
    if (has_p_) {
      const NDArray p = contiguous_f64(inputs[3]);
      if (p.shape(0) != n) {
        throw ValueError(op_error(*this, "a and p must have the same size, got " +
                                             std::to_string(n) + " and " +
                                             std::to_string(p.shape(0))));
      }
      check_probabilities(*this, p.data<double>(), n, 1, inputs[3].dtype());
      cdf.assign(p.data<double>(), p.data<double>() + n);
    }
    std::vector<int64_t> idx(static_cast<size_t>(m));
    if (replace_) {
      std::partial_sum(cdf.begin(), cdf.end(), cdf.begin());
      parallel_for(m, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          ElementStream s = stream_of(st, i);
          idx[i] = has_p_
                       ? pick(cdf, s.uniform() * cdf.back())
                       : static_cast<int64_t>(random_detail::bounded(s, static_cast<uint64_t>(n)));
        }
      });
    } else {
      draw_without_replacement(st, n, m, cdf, idx);
    }
    NDArray& out = reuse_or_empty(outputs[1], a.ndim() == 0 ? DType::Int64 : a.dtype(), shape);
    if (a.ndim() == 0) {
      std::copy(idx.begin(), idx.end(), out.data<int64_t>());
    } else {
      const size_t isz = itemsize(a.dtype());
      for (int64_t i = 0; i < m; ++i) {
        std::memcpy(out.raw() + i * isz, a.raw() + idx[i] * a.strides()[0], isz);
      }
    }
    random_detail::advance_state(inputs[0], outputs[0]);
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return std::vector<Var>(inputs.size());
  }

 private:
  static int64_t pick(const std::vector<double>& cdf, double u) {
    auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    auto i = static_cast<int64_t>(it - cdf.begin());
    const auto last = static_cast<int64_t>(cdf.size()) - 1;
    while (i > last || (i > 0 && cdf[i] == cdf[i - 1])) --i;  // never an index of weight 0
    return i;
  }

  // The whole sample reads stream 0: its elements depend on each other.
  void draw_without_replacement(const StateWords& st, int64_t n, int64_t m,
                                const std::vector<double>& p, std::vector<int64_t>& idx) const {
    ElementStream s = stream_of(st, 0);
    if (!has_p_) {
      if (m > n) {
        throw ValueError(op_error(*this, "cannot take a larger sample (" + std::to_string(m) +
                                             ") than the population (" + std::to_string(n) +
                                             ") when replace=False"));
      }
      std::vector<int64_t> pool(static_cast<size_t>(n));
      std::iota(pool.begin(), pool.end(), 0);
      for (int64_t i = 0; i < m; ++i) {
        const auto j =
            i + static_cast<int64_t>(random_detail::bounded(s, static_cast<uint64_t>(n - i)));
        std::swap(pool[i], pool[j]);
        idx[i] = pool[i];
      }
      return;
    }
    std::vector<double> w = p;
    if (std::count_if(w.begin(), w.end(), [](double v) { return v > 0; }) < m) {
      throw ValueError(op_error(*this, "fewer non-zero entries in p than the sample size " +
                                           std::to_string(m) + " with replace=False"));
    }
    for (int64_t i = 0; i < m; ++i) {
      std::vector<double> cdf(w.size());
      std::partial_sum(w.begin(), w.end(), cdf.begin());
      idx[i] = pick(cdf, s.uniform() * cdf.back());
      w[idx[i]] = 0;
    }
  }

  bool replace_, has_p_;
};

// ---- Permutation(state, size, n) and ShuffleRows(state, x) ----
class Permutation final : public Op {
 public:
  explicit Permutation(bool of_rows) : of_rows_(of_rows) {}
  std::string type_name() const override { return of_rows_ ? "ShuffleRows" : "Permutation"; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    if (inputs.size() != (of_rows_ ? 2u : 3u)) {
      throw TypeError(
          op_error(*this, of_rows_ ? "expected a state and x" : "expected a state, size and n"));
    }
    random_detail::check_state_input(*this, inputs[0]);
    if (of_rows_) {
      if (inputs[1]->type.ndim() < 1) {
        throw TypeError(
            op_error(*this, "x must have at least 1 dimension, got " + inputs[1]->type.str()));
      }
      return {generator_state_type(), inputs[1]->type};
    }
    StaticShape shape = random_detail::static_size(*this, inputs[1]);
    require_int_scalar(*this, inputs[2], "n");
    auto n = static_int_scalar(inputs[2]);
    shape.push_back(n ? *n : kUnknownDim);
    return {generator_state_type(), TensorType(DType::Int64, shape)};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override {
    const StateWords st = random_detail::read_state(*this, inputs[0]);
    Shape shape;
    if (of_rows_) {
      shape = inputs[1].shape();
    } else {
      shape = random_detail::runtime_size(*this, inputs[1]);
      const int64_t n = read_int(inputs[2], 0);
      if (n < 0) throw ValueError(op_error(*this, "n must be >= 0, got " + std::to_string(n)));
      shape.push_back(n);
    }
    const int64_t n = shape.back();
    const int64_t rows = n == 0 ? 0 : checked_size(shape, name()) / n;
    const DType dt = of_rows_ ? inputs[1].dtype() : DType::Int64;
    NDArray& out = reuse_or_empty(outputs[1], dt, shape);
    const NDArray x =
        of_rows_ ? (inputs[1].is_c_contiguous() ? inputs[1] : inputs[1].copy()) : NDArray();
    const size_t isz = itemsize(dt);
    parallel_for(rows, 64, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        ElementStream s = stream_of(st, r);
        const std::vector<int64_t> perm = permutation_of(s, n);
        if (!of_rows_) {
          std::copy(perm.begin(), perm.end(), out.data<int64_t>() + r * n);
          continue;
        }
        for (int64_t j = 0; j < n; ++j) {
          std::memcpy(out.raw() + (r * n + j) * isz, x.raw() + (r * n + perm[j]) * isz, isz);
        }
      }
    });
    random_detail::advance_state(inputs[0], outputs[0]);
  }

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>&,
                        const std::vector<Var>&) const override {
    return std::vector<Var>(inputs.size());
  }

 private:
  bool of_rows_;
};

std::pair<Var, Var> pair_of(std::vector<Var> out) {
  return {out[0], out[1]};
}

}  // namespace

RandomDraw random_multinomial(const Var& state, const Var& size, const Var& n, const Var& pvals,
                              DType dtype) {
  std::vector<Var> in{state};
  if (size) in.push_back(size);
  in.push_back(n);
  in.push_back(pvals);
  auto [s, x] = pair_of(make_node(std::make_shared<Multinomial>(dtype, size != nullptr), in));
  return {s, x};
}

RandomDraw random_choice(const Var& state, const Var& size, const Var& a, const Var& p,
                         bool replace) {
  std::vector<Var> in{state, size ? size : constant(NDArray::empty(DType::Int64, {0})), a};
  if (p) in.push_back(p);
  auto [s, x] = pair_of(make_node(std::make_shared<Choice>(replace, p != nullptr), in));
  return {s, x};
}

RandomDraw random_permutation(const Var& state, const Var& size, const Var& n) {
  std::vector<Var> in{state, size ? size : constant(NDArray::empty(DType::Int64, {0})), n};
  auto [s, x] = pair_of(make_node(std::make_shared<Permutation>(false), in));
  return {s, x};
}

RandomDraw random_shuffle_rows(const Var& state, const Var& x) {
  auto [s, y] = pair_of(make_node(std::make_shared<Permutation>(true), {state, x}));
  return {s, y};
}

THEON_OP_FILE(random_vector) {
  register_op_factory("Multinomial", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Multinomial>(f.get_dtype("dtype"), f.get_bool("has_size"));
  });
  register_op_factory("Choice", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Choice>(f.get_bool("replace"), f.get_bool("has_p"));
  });
  register_op_factory("Permutation", [](const PropReader&) -> OpPtr {
    return std::make_shared<Permutation>(false);
  });
  register_op_factory("ShuffleRows", [](const PropReader&) -> OpPtr {
    return std::make_shared<Permutation>(true);
  });
  auto both = [](const RandomDraw& r) { return std::vector<Var>{r.new_state, r.sample}; };
  // random_multinomial(state, [size], n, pvals, dtype=)
  register_builder("random_multinomial", 3, 4, [both](const std::vector<Var>& in, const Params& p) {
    const bool has_size = in.size() == 4;
    const DType dt = p.has("dtype") ? parse_dtype(p.get_string("dtype", "")) : DType::Int64;
    return both(
        random_multinomial(in[0], has_size ? in[1] : nullptr, in[in.size() - 2], in.back(), dt));
  });
  // random_choice(state, size, a, [p], replace=)
  register_builder("random_choice", 3, 4, [both](const std::vector<Var>& in, const Params& p) {
    return both(random_choice(in[0], in[1], in[2], in.size() == 4 ? in[3] : nullptr,
                              p.get_bool("replace", true)));
  });
  // random_permutation(state, size, n)
  register_builder("random_permutation", 3, 3, [both](const std::vector<Var>& in, const Params&) {
    return both(random_permutation(in[0], in[1], in[2]));
  });
  // random_shuffle_rows(state, x)
  register_builder("random_shuffle_rows", 2, 2, [both](const std::vector<Var>& in, const Params&) {
    return both(random_shuffle_rows(in[0], in[1]));
  });
}

}  // namespace theon
