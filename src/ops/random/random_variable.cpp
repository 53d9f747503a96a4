// RandomVariable{distribution}(state, [size], *params) -> (new state, sample): one draw of a
// scalar distribution (distributions.cpp), parameters broadcast to the sample's shape.
// Element i reads Philox at counter (i, stream, call) of the state, so the draw is the same on
// any number of threads. Gradients: the reparameterised ones where the sample is a
// differentiable function of a parameter at fixed noise (uniform low/high, normal and
// truncated normal loc/scale, exponential and gamma scale); none through the others (binomial
// p, gamma shape, beta, poisson), as in Theano, whose random ops had no gradient at all.
// Not serializable yet (graph_bytes writes dense tensor types only): no op factory.
#include <algorithm>
#include <cmath>
#include <optional>
#include <type_traits>

#include "distributions.hpp"
#include "random_util.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/config.hpp"
#include "theon/core/error.hpp"
#include "theon/core/thread_pool.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"
#include "theon/graph/serialize.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/elemwise.hpp"
#include "theon/ops/gradient_support.hpp"
#include "theon/ops/random.hpp"
#include "theon/ops/shape.hpp"

namespace theon {
namespace {

using random_detail::Distribution;
using random_detail::ElementStream;

constexpr int64_t kMinChunk = 1 << 14;

class RandomVariable final : public Op {
 public:
  RandomVariable(const Distribution& dist, DType dtype, bool has_size)
      : dist_(dist), dtype_(dtype), has_size_(has_size) {}
  std::string type_name() const override { return "RandomVariable"; }
  Props fields() const override {
    return {{"distribution", PropValue::string(dist_.name)},
            {"dtype", PropValue::dtype(dtype_)},
            {"has_size", PropValue::boolean(has_size_)}};
  }
  std::string props() const override {
    return std::string(dist_.name) + ", " + std::string(dtype_name(dtype_));
  }

  size_t first_param() const { return has_size_ ? 2 : 1; }

  std::vector<TensorType> output_types(const std::vector<Var>& inputs) const override {
    const size_t want = first_param() + dist_.params.size();
    if (inputs.size() != want) {
      throw TypeError(op_error(*this, "expected " + std::to_string(want) + " inputs, got " +
                                          std::to_string(inputs.size())));
    }
    random_detail::check_state_input(*this, inputs[0]);
    std::vector<StaticShape> shapes;
    for (size_t k = first_param(); k < inputs.size(); ++k) {
      const TensorType& t = inputs[k]->type;
      if (!t.is_tensor() || t.dtype == DType::Bool) {
        throw TypeError(op_error(*this, "parameter '" +
                                            std::string(dist_.params[k - first_param()]) +
                                            "' must be a numeric tensor, got " + t.str()));
      }
      shapes.push_back(t.shape);
    }
    check_constant_params(inputs);
    StaticShape out = broadcast_static(shapes, name());
    if (has_size_) {
      StaticShape size = random_detail::static_size(*this, inputs[1]);
      if (out.size() > size.size()) {
        throw ValueError(op_error(*this, "the parameters' shape " + static_shape_str(out) +
                                             " has more dimensions than size " +
                                             static_shape_str(size)));
      }
      for (size_t i = 0; i < out.size(); ++i) {
        const int64_t p = out[out.size() - 1 - i], s = size[size.size() - 1 - i];
        if (p != kUnknownDim && p != 1 && s != kUnknownDim && p != s) {
          throw ValueError(op_error(*this, "the parameters' shape " + static_shape_str(out) +
                                               " does not broadcast to size " +
                                               static_shape_str(size)));
        }
      }
      out = size;
    }
    TensorType sample(dtype_, out);
    check_static_size(sample, name());
    return {generator_state_type(), sample};
  }

  void perform(const std::vector<NDArray>& inputs, std::vector<NDArray>& outputs) const override;

  // One call's draw: the parameters checked and broadcast once, elements on demand.
  class Ranges final : public DrawRanges {
   public:
    Ranges(const RandomVariable& op, const std::vector<NDArray>& inputs)
        : op_(op), state_(random_detail::read_state(op, inputs[0])) {
      std::vector<NDArray> raw(inputs.begin() + static_cast<long>(op.first_param()), inputs.end());
      std::vector<Shape> shapes;
      for (const NDArray& p : raw) shapes.push_back(p.shape());
      const Shape param_shape = broadcast_shapes(shapes, op.name());
      shape_ = op.has_size_ ? random_detail::runtime_size(op, inputs[1]) : param_shape;
      checked_nbytes(shape_, itemsize(op.dtype_), op.name(), op.dtype_);
      // Checked once per distinct parameter, not once per sample.
      word_bits_ = op.check_params(
          random_detail::broadcast_params(op, raw, param_shape, op.dist_.params), param_shape);
      params_ = random_detail::broadcast_params(op, raw, shape_, op.dist_.params);
    }
    DType dtype() const override { return op_.dtype_; }
    const Shape& shape() const override { return shape_; }
    void fill(int64_t begin, int64_t end, void* out) const override {
      visit_dtype(op_.dtype_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        op_.fill_range<T>(static_cast<T*>(out), params_, shape_, state_, word_bits_, begin, end);
      });
    }

   private:
    const RandomVariable& op_;
    random_detail::StateWords state_;
    Shape shape_;
    int word_bits_ = 0;
    std::vector<NDArray> params_;
  };

  std::vector<Var> L_op(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                        const std::vector<Var>& output_grads) const override {
    std::vector<Var> grads(inputs.size());
    const Var& g = output_grads[1];
    if (!g || !is_float(dtype_)) return grads;
    const std::string d = dist_.name;
    const size_t f = first_param();
    const Var& x = outputs[1];
    auto to = [&](size_t k, const Var& dx) { grads[f + k] = sum_to_shape(g * dx, inputs[f + k]); };
    if (d == "uniform") {  // x = low + (high - low) u
      const Var u = (x - inputs[f]) / (inputs[f + 1] - inputs[f]);
      to(0, 1.0 - u);
      to(1, u);
    } else if (d == "normal" || d == "truncated_normal") {  // x = loc + scale z
      grads[f] = sum_to_shape(g, inputs[f]);
      to(1, (x - inputs[f]) / inputs[f + 1]);
    } else if (d == "exponential") {  // x = scale e
      to(0, x / inputs[f]);
    } else if (d == "gamma") {  // x = scale G(shape)
      to(1, x / inputs[f + 1]);
    }
    return grads;
  }

  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>& inputs,
      const std::vector<std::vector<Var>>& input_shapes) const override {
    std::vector<Var> dims;
    if (has_size_) {
      dims = random_detail::size_dims(inputs[1]);
    } else {
      dims = broadcast_dims(
          std::vector<Var>(inputs.begin() + 1, inputs.end()),
          std::vector<std::vector<Var>>(input_shapes.begin() + 1, input_shapes.end()));
    }
    return std::vector<std::vector<Var>>{{int64_const(4)}, dims};
  }

 private:
  // Parameters known at build time are checked there, so that the error names the user's line.
  void check_constant_params(const std::vector<Var>& inputs) const {
    std::vector<NDArray> values;
    for (size_t k = first_param(); k < inputs.size(); ++k) {
      const NDArray* v = constant_value(inputs[k]);
      if (!v) return;
      values.push_back(*v);
    }
    std::vector<Shape> shapes;
    for (const NDArray& v : values) shapes.push_back(v.shape());
    const Shape shape = broadcast_shapes(shapes, name());
    check_params(random_detail::broadcast_params(*this, values, shape, dist_.params), shape);
  }

  // Throws ValueError naming the first invalid parameter; returns how many random bits every
  // element may be drawn from (the most any element needs: a Bernoulli p of k binary digits
  // also has 2k), or 0 when some element needs a stream of its own.
  int check_params(const std::vector<NDArray>& params, const Shape& shape) const {
    const int64_t n = shape_size(shape);
    const bool words =
        dist_.word_bits && dist_.from_words && (dist_.integer || dtype_ == DType::Float32);
    int bits = words ? 1 : 0;
    random_detail::OffsetWalker walk(params, shape, 0);
    std::vector<double> p(params.size());
    for (int64_t i = 0; i < n; ++i, walk.next()) {
      for (size_t k = 0; k < params.size(); ++k) p[k] = params[k].data<double>()[walk.offsets()[k]];
      const std::string problem = dist_.check(p.data());
      if (!problem.empty()) {
        throw ValueError(
            op_error(*this, problem + (n > 1 ? " (element " + std::to_string(i) + ")" : "")));
      }
      if (bits > 0) {
        const int need = dist_.word_bits(p.data());
        bits = need == 0 ? 0 : std::max(bits, need);
      }
    }
    return bits;
  }

  // Elements [begin, end) into out[0 .. end - begin).
  template <class T>
  void fill_range(T* out, const std::vector<NDArray>& params, const Shape& shape,
                  const random_detail::StateWords& st, int word_bits, int64_t begin,
                  int64_t end) const {
    const bool single = dtype_ == DType::Float32;
    // Parameters that are one value for every element are read once (the common case).
    bool same_params = true;
    for (const NDArray& a : params) {
      for (int64_t stride : a.strides()) same_params = same_params && stride == 0;
    }
    // Only parameters that vary need a walker (a fused loop fills many short ranges).
    std::optional<random_detail::OffsetWalker> walker;
    if (!same_params) walker.emplace(params, shape, begin);
    double p[4] = {0, 0, 0, 0};
    auto read_params = [&] {
      for (size_t k = 0; k < params.size(); ++k)
        p[k] = params[k].data<double>()[walker ? walker->offsets()[k] : 0];
    };
    read_params();
    if (word_bits > 0) {
      // With b bits per element, a block of counter (g, stream, call) holds elements
      // 128/b * g onwards: element j of the block takes bits [b j, b j + b) of the block's
      // words in order, low bits first. Up to kLanes blocks at once, then their elements in
      // tiles: their bits, then their samples.
      constexpr int64_t kTile = 4 * philox::kLanes;  // elements
      const int64_t per_block = 128 / word_bits;
      const uint32_t field_mask = word_bits < 32 ? (1u << word_bits) - 1 : ~0u;
      uint32_t words[4 * philox::kLanes];
      uint32_t fields[kTile];
      double samples[kTile];
      // A Bernoulli mask with one p: each element is 1 where its field is below a threshold.
      uint32_t threshold = 0;
      const bool threshold_mask =
          same_params && dist_.word_threshold && dist_.word_threshold(p, word_bits, &threshold);
      uint8_t keep[kTile];
      for (int64_t i = begin; i < end;) {
        const int64_t group = i / per_block;
        const int64_t groups =
            std::min<int64_t>(philox::kLanes, (end + per_block - 1) / per_block - group);
        random_detail::philox_blocks_wide(static_cast<uint64_t>(group), static_cast<int>(groups),
                                          st.stream, st.call, st.key, words);
        const int64_t stop = std::min(end, per_block * (group + groups));
        while (i < stop) {
          const int64_t n = std::min(kTile, stop - i);
          const int64_t first = i - per_block * group;  // within the blocks
          if (threshold_mask) {
            T* const dst = out + (i - begin);  // a local: int8 stores may alias `out`
            if constexpr (std::is_integral_v<T> && sizeof(T) == 1) {
              // 0 and 1 are the same bytes in every one-byte integer type.
              random_detail::fields_below_threshold(words, first, n, word_bits, threshold,
                                                    reinterpret_cast<uint8_t*>(dst));
            } else {
              random_detail::fields_below_threshold(words, first, n, word_bits, threshold, keep);
              for (int64_t j = 0; j < n; ++j) dst[j] = static_cast<T>(keep[j]);
            }
            i += n;
            continue;
          }
          if (word_bits < 32) {
            for (int64_t j = 0; j < n; ++j) {
              const int64_t bit = (first + j) * word_bits;
              fields[j] = (words[bit >> 5] >> (bit & 31)) & field_mask;
            }
          }
          // With 32 bits, one word per element.
          const uint32_t* bits = word_bits < 32 ? fields : words + first;
          if (same_params) {
            dist_.from_words(bits, n, word_bits, p, single, samples);
          } else {
            for (int64_t j = 0; j < n; ++j) {
              read_params();
              walker->next();
              dist_.from_words(bits + j, 1, word_bits, p, single, samples + j);
            }
          }
          for (int64_t j = 0; j < n; ++j) out[i - begin + j] = static_cast<T>(samples[j]);
          i += n;
        }
      }
      return;
    }
    // Each element's first block (most samplers need no other) for kLanes elements at once,
    // on wide vectors: the same words the element's stream would compute one by one.
    uint32_t first_blocks[4 * philox::kLanes];
    for (int64_t i = begin; i < end;) {
      const int64_t lanes = std::min<int64_t>(philox::kLanes, end - i);
      random_detail::philox_blocks_wide(static_cast<uint64_t>(i), static_cast<int>(lanes),
                                        st.stream, st.call, st.key, first_blocks);
      if (same_params && dist_.reals_from_blocks) {
        double samples[philox::kLanes];
        dist_.reals_from_blocks(first_blocks, lanes, p, single, samples);
        for (int64_t j = 0; j < lanes; ++j) out[i - begin + j] = static_cast<T>(samples[j]);
        i += lanes;
        continue;
      }
      for (int64_t j = 0; j < lanes; ++j, ++i) {
        if (!same_params) {
          read_params();
          walker->next();
        }
        ElementStream s(st.key, st.stream, st.call, static_cast<uint64_t>(i), first_blocks + 4 * j);
        out[i - begin] = dist_.integer ? static_cast<T>(dist_.integral(s, p))
                                       : static_cast<T>(dist_.real(s, p, single));
      }
    }
  }

  const Distribution& dist_;
  DType dtype_;
  bool has_size_;
};

void RandomVariable::perform(const std::vector<NDArray>& inputs,
                             std::vector<NDArray>& outputs) const {
  Ranges(*this, inputs).sample_into(outputs[1]);
  random_detail::advance_state(inputs[0], outputs[0]);
}

}  // namespace

void DrawRanges::sample_into(NDArray& slot) const {
  NDArray& out = reuse_or_empty(slot, dtype(), shape());
  const auto size = static_cast<int64_t>(itemsize(dtype()));
  parallel_for(shape_size(shape()), kMinChunk,
               [&](int64_t begin, int64_t end) { fill(begin, end, out.raw() + begin * size); });
}

std::unique_ptr<DrawRanges> draw_ranges(const Op& op, const std::vector<NDArray>& inputs,
                                        NDArray& new_state) {
  const auto* rv = dynamic_cast<const RandomVariable*>(&op);
  if (!rv) throw TypeError("draw_ranges: " + op.name() + " is not a RandomVariable");
  auto draw = std::make_unique<RandomVariable::Ranges>(*rv, inputs);
  random_detail::advance_state(inputs[0], new_state);
  return draw;
}

RandomDraw random_draw(const std::string& distribution, const Var& state, const Var& size,
                       const std::vector<Var>& params, std::optional<DType> dtype) {
  const Distribution* d = random_detail::find_distribution(distribution);
  if (!d) throw ValueError("random: unknown distribution '" + distribution + "'");
  const DType dt = dtype.value_or(d->integer ? DType::Int64 : parse_dtype(config_floatX()));
  if (!d->integer && !is_float(dt)) {
    throw TypeError("RandomVariable{" + distribution + "}: dtype must be a float type, got " +
                    std::string(dtype_name(dt)));
  }
  std::vector<Var> in{state};
  if (size) in.push_back(size);
  in.insert(in.end(), params.begin(), params.end());
  auto out = make_node(std::make_shared<RandomVariable>(*d, dt, size != nullptr), in);
  return {out[0], out[1]};
}

THEON_OP_FILE(random_variable) {
  register_value_kind(generator_state_type().value_kind, [](const Type& t) {
    return t == generator_state_type() ? std::string() : "expected " + generator_state_type().str();
  });
  register_op_factory("RandomVariable", [](const PropReader& f) -> OpPtr {
    const std::string& name = f.get_string("distribution");
    const Distribution* dist = random_detail::find_distribution(name);
    if (!dist) throw ValueError(f.op() + ": unknown distribution '" + name + "'");
    const DType dtype = f.get_dtype("dtype");
    if (!dist->integer && !is_float(dtype)) {
      throw ValueError(f.context("dtype") + ": a float type for '" + name + "', got " +
                       std::string(dtype_name(dtype)));
    }
    return std::make_shared<RandomVariable>(*dist, dtype, f.get_bool("has_size"));
  });
  // random_variable(state, [size], *params, distribution=, dtype=, has_size=)
  register_builder("random_variable", 1, -1, [](const std::vector<Var>& in, const Params& p) {
    const bool has_size = p.get_bool("has_size", false);
    std::optional<DType> dt;
    if (p.has("dtype")) dt = parse_dtype(p.get_string("dtype", ""));
    const size_t first = has_size ? 2 : 1;
    if (in.size() < first) throw TypeError("random_variable: expected a state and a size");
    RandomDraw r =
        random_draw(p.get_string("distribution", ""), in[0], has_size ? in[1] : nullptr,
                    std::vector<Var>(in.begin() + static_cast<long>(first), in.end()), dt);
    return std::vector<Var>{r.new_state, r.sample};
  });
}

}  // namespace theon
