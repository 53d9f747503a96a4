// The static shape of x[idx], with the checks of the index that can be made when the node is
// built (index input types, constant out-of-range indices, mask sizes, zero steps).
#include <optional>
#include <string>
#include <vector>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/ops/constant.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {
namespace {

using namespace subtensor_detail;

// The value of a constant scalar part, if it is known at build time.
std::optional<int64_t> static_part(const IndexPart& p, const std::vector<Var>& index_inputs,
                                   bool* is_none) {
  *is_none = p.mode == IndexPart::Mode::None;
  if (p.mode == IndexPart::Mode::Const) return p.value;
  if (p.mode == IndexPart::Mode::Input) {
    const NDArray* c = constant_value(index_inputs[p.value]);
    if (c && c->ndim() == 0) return read_int(*c);
  }
  return std::nullopt;
}

void check_index_inputs(const Op& op, const IndexSpec& spec, const std::vector<Var>& idx) {
  std::vector<int> role(spec.num_inputs, 0);  // 1 scalar, 2 int array, 3 mask
  for (const auto& e : spec.entries) {
    if (e.kind == IndexEntry::Kind::Array) role[e.slot] = 2;
    if (e.kind == IndexEntry::Kind::Mask) role[e.slot] = 3;
    for (const auto& p : e.part)
      if (p.mode == IndexPart::Mode::Input) role[p.value] = 1;
  }
  for (int s = 0; s < spec.num_inputs; ++s) {
    const TensorType& t = idx[s]->type;
    const std::string got =
        "got " + std::string(dtype_name(t.dtype)) + " with " + std::to_string(t.ndim()) + " dims";
    if (role[s] == 1 && (t.ndim() != 0 || !is_integer(t.dtype))) {
      throw IndexError(op_error(op, std::string(kBadIndex) + ": index input " + std::to_string(s) +
                                        " must be an integer scalar, " + got));
    }
    if (role[s] == 2 && !is_integer(t.dtype)) {
      throw IndexError(op_error(op, std::string(kBadIndex) + ": index input " + std::to_string(s) +
                                        " must be an integer array, " + got));
    }
    if (role[s] == 3 && !is_bool(t.dtype)) {
      throw IndexError(
          op_error(op, "index input " + std::to_string(s) + " must be a boolean mask, " + got));
    }
  }
}

void check_step(const Op& op, std::optional<int64_t> step) {
  if (step && *step == 0) throw ValueError(op_error(op, "slice step cannot be zero"));
}

}  // namespace

namespace subtensor_detail {

// The static shape of x[idx] (checks what can be checked at build time).
StaticShape indexed_static_shape(const Op& op, const IndexSpec& spec, const TensorType& xt,
                                 const std::vector<Var>& idx) {
  check_index_inputs(op, spec, idx);
  const AdvLayout L = adv_layout(spec);
  StaticShape rest;
  std::vector<StaticShape> adv_shapes;
  int d = 0;
  int consumed = 0;
  for (const auto& e : spec.entries) {
    if (e.kind == IndexEntry::Kind::Mask) {
      consumed += idx[e.slot]->type.ndim();
    } else if (e.kind != IndexEntry::Kind::NewAxis) {
      ++consumed;
    }
  }
  if (consumed > xt.ndim()) {
    throw IndexError(op_error(op, "too many indices for array: array is " +
                                      std::to_string(xt.ndim()) + "-dimensional, but " +
                                      std::to_string(consumed) + " were indexed"));
  }
  for (const auto& e : spec.entries) {
    switch (e.kind) {
      case IndexEntry::Kind::Int: {
        // An integer out of the static bounds is not refused here, as in Theano: code may
        // build x.shape[5] on a branch it never runs. Computing it raises IndexError.
        if (L.advanced) adv_shapes.push_back({});
        ++d;
        break;
      }
      case IndexEntry::Kind::Slice: {
        bool n0 = false, n1 = false, n2 = false;
        auto a = static_part(e.part[0], idx, &n0);
        auto b = static_part(e.part[1], idx, &n1);
        auto c = static_part(e.part[2], idx, &n2);
        check_step(op, c);
        const int64_t n = xt.shape[d];
        const bool known = n != kUnknownDim && (a || n0) && (b || n1) && (c || n2);
        if (known) {
          rest.push_back(normalize_slice(a, b, c, n).len);
        } else if (n == 0) {
          rest.push_back(0);
        } else {
          rest.push_back(kUnknownDim);
        }
        ++d;
        break;
      }
      case IndexEntry::Kind::NewAxis:
        rest.push_back(1);
        break;
      case IndexEntry::Kind::Array: {
        const Var& a = idx[e.slot];
        const int64_t n = xt.shape[d];
        if (const NDArray* c = constant_value(a); c && n != kUnknownDim) {
          NDArray v = c->astype(DType::Int64);
          for (int64_t i = 0; i < v.size(); ++i) {
            const int64_t k = v.data<int64_t>()[i];
            if (k < -n || k >= n) throw IndexError(op_error(op, out_of_bounds(k, d, n)));
          }
        }
        adv_shapes.push_back(a->type.shape);
        ++d;
        break;
      }
      case IndexEntry::Kind::Mask: {
        const Var& m = idx[e.slot];
        for (int j = 0; j < m->type.ndim(); ++j) {
          const int64_t n = xt.shape[d + j];
          const int64_t k = m->type.shape[j];
          if (n != kUnknownDim && k != kUnknownDim && n != k) {
            throw IndexError(op_error(op, mask_mismatch(d + j, n, k)));
          }
        }
        int64_t nnz = kUnknownDim;
        if (const NDArray* c = constant_value(m)) {
          NDArray v = c->copy();
          nnz = 0;
          for (int64_t i = 0; i < v.size(); ++i) nnz += v.data<bool>()[i] ? 1 : 0;
        }
        adv_shapes.push_back({nnz});
        d += m->type.ndim();
        break;
      }
    }
  }
  for (; d < xt.ndim(); ++d) rest.push_back(xt.shape[d]);
  if (!L.advanced) return rest;
  StaticShape bshape;
  try {
    bshape = broadcast_static(adv_shapes, "indexing arrays");
  } catch (const Error&) {
    std::string shapes;
    for (const auto& s : adv_shapes) shapes += " " + static_shape_str(s);
    throw IndexError(op_error(
        op,
        "shape mismatch: indexing arrays could not be broadcast together with shapes" + shapes));
  }
  StaticShape out(rest.begin(), rest.begin() + L.adv_pos);
  out.insert(out.end(), bshape.begin(), bshape.end());
  out.insert(out.end(), rest.begin() + L.adv_pos, rest.end());
  return out;
}

void check_num_inputs(const Op& op, const std::vector<Var>& inputs, size_t want, const char* what) {
  if (inputs.size() != want) {
    throw TypeError(op_error(op, "expected " + std::to_string(want) + " inputs (" + what +
                                     "), got " + std::to_string(inputs.size())));
  }
}

}  // namespace subtensor_detail
}  // namespace theon
