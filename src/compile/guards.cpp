#include "theon/compile/guards.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"

namespace theon {
namespace {

struct Stats {
  int64_t count = 0, nan = 0, inf = 0, big = 0;
  double min = 0, max = 0, sum = 0;
  int64_t finite = 0;
};

Stats stats_of(const NDArray& a, double big) {
  Stats s;
  s.count = a.size();
  for (int64_t i = 0; i < s.count; ++i) {
    const double x = a.flat_as_double(i);
    if (std::isnan(x)) {
      ++s.nan;
    } else if (std::isinf(x)) {
      ++s.inf;
    } else {
      if (big > 0 && std::fabs(x) > big) ++s.big;
      if (s.finite == 0 || x < s.min) s.min = x;
      if (s.finite == 0 || x > s.max) s.max = x;
      s.sum += x;
      ++s.finite;
    }
  }
  return s;
}

std::string num(double x) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string describe(const NDArray& a) {
  if (!a.defined()) return "undefined";
  std::string s = std::string(dtype_name(a.dtype())) + ", shape " + shape_str(a.shape());
  const Stats st = stats_of(a, 0);
  if (st.finite > 0) {
    s += ": min=" + num(st.min) + " max=" + num(st.max) +
         " mean=" + num(st.sum / static_cast<double>(st.finite));
    if (st.nan + st.inf > 0) s += " (of the finite values)";
  } else {
    s += ": no finite values";
  }
  return s + ", nan=" + std::to_string(st.nan) + ", inf=" + std::to_string(st.inf);
}

std::string node_label(const Instruction& ins) {
  const std::string& where = ins.node->where();
  return ins.node->op()->name() + " (built at " + (where.empty() ? "<unknown>" : where) + ")";
}

std::string inputs_summary(const std::vector<NDArray>& inputs) {
  std::string s;
  for (size_t j = 0; j < inputs.size(); ++j) {
    s += "\n  input " + std::to_string(j) + ": " + describe(inputs[j]);
  }
  return s;
}

bool same_values(const NDArray& a, const NDArray& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  for (int64_t i = 0; i < a.size(); ++i) {
    const double x = a.flat_as_double(i), y = b.flat_as_double(i);
    if (!(x == y || (std::isnan(x) && std::isnan(y)))) return false;
  }
  return true;
}

// Equal within a few units in the last place of the dtype: generated kernels may use vector
// math functions (within 4 ulp) and sum in another order.
bool close_values(const NDArray& a, const NDArray& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const double tol = a.dtype() == DType::Float32 ? 1e-5 : a.dtype() == DType::Float64 ? 1e-12 : 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    const double x = a.flat_as_double(i), y = b.flat_as_double(i);
    if (x == y || (std::isnan(x) && std::isnan(y))) continue;
    if (!(std::fabs(x - y) <= tol * std::max(1.0, std::fabs(y)))) return false;
  }
  return true;
}

class NanGuard : public InstructionHook {
 public:
  NanGuard(bool nan, bool inf, double big) : nan_(nan), inf_(inf), big_(big) {}
  void after(size_t, const Instruction& ins, const std::vector<NDArray>& inputs,
             const std::vector<NDArray>& outputs) override {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const NDArray& a = outputs[i];
      if (!a.defined() || !is_float(a.dtype())) continue;
      const Stats st = stats_of(a, big_);
      std::string what;
      if (nan_ && st.nan > 0) {
        what = "NaN (" + std::to_string(st.nan) + " of " + std::to_string(st.count) + " values)";
      } else if (inf_ && st.inf > 0) {
        what = "Inf (" + std::to_string(st.inf) + " of " + std::to_string(st.count) + " values)";
      } else if (big_ > 0 && st.big > 0) {
        what = "values larger in magnitude than " + num(big_) + " (" + std::to_string(st.big) +
               " of " + std::to_string(st.count) + " values)";
      }
      if (what.empty()) continue;
      throw ValueError("NanGuardMode: " + what + " in output " + std::to_string(i) + " of " +
                       node_label(ins) + "; its inputs:" + inputs_summary(inputs));
    }
  }

 private:
  bool nan_, inf_;
  double big_;
};

class DebugChecks : public InstructionHook {
 public:
  void before(size_t, const Instruction&, const std::vector<NDArray>& inputs) override {
    saved_.clear();
    for (const auto& a : inputs) saved_.push_back(a.defined() ? a.copy() : NDArray());
  }
  void after(size_t, const Instruction& ins, const std::vector<NDArray>& inputs,
             const std::vector<NDArray>& outputs) override {
    const Op& op = *ins.node->op();
    auto fail = [&](const std::string& msg) {
      throw ValueError("DebugMode: " + node_label(ins) + " " + msg);
    };
    // (a) An op writes into an input only where destroy_map declares it.
    const auto destroys = op.destroy_map();
    for (size_t j = 0; j < inputs.size(); ++j) {
      bool declared = false;
      for (const auto& [o, in] : destroys) declared = declared || in == static_cast<int>(j);
      if (!declared && inputs[j].defined() && !same_values(inputs[j], saved_[j])) {
        fail("modified its input " + std::to_string(j) +
             " in place without declaring it in destroy_map");
      }
    }
    // (b) An output may share memory with an input only where view_map or destroy_map
    // declares it.
    auto views = op.view_map();
    views.insert(views.end(), destroys.begin(), destroys.end());
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (!outputs[i].defined()) fail("left output " + std::to_string(i) + " undefined");
      std::string mismatch =
          ins.node->output_ref(static_cast<int>(i)).type.shape_mismatch(outputs[i].shape());
      const TensorType& t = ins.node->output_ref(static_cast<int>(i)).type;
      if (outputs[i].dtype() != t.dtype || outputs[i].ndim() != t.ndim() || !mismatch.empty()) {
        fail("returned output " + std::to_string(i) + " of dtype " +
             std::string(dtype_name(outputs[i].dtype())) + " and shape " +
             shape_str(outputs[i].shape()) + ", which does not match its type " + t.str());
      }
      for (size_t j = 0; j < inputs.size(); ++j) {
        if (!inputs[j].defined() || !outputs[i].shares_buffer_with(inputs[j])) continue;
        bool declared = false;
        for (const auto& [o, in] : views) {
          declared = declared || (o == static_cast<int>(i) && in == static_cast<int>(j));
        }
        // An input that already shared the buffer of the input this output is written into
        // (a loop that wrote a slice's value in place, see fused_into_slice) shares it with
        // the output as a consequence, not through a view the op made.
        for (const auto& [o, in] : destroys) {
          declared = declared || (o == static_cast<int>(i) && in != static_cast<int>(j) &&
                                  inputs[in].defined() && inputs[j].shares_buffer_with(inputs[in]));
        }
        if (!declared) {
          fail("returned output " + std::to_string(i) + " sharing memory with input " +
               std::to_string(j) + " without declaring it in view_map");
        }
      }
    }
    // (c) A second run of the same kernel on copies of the original inputs gives the same
    // outputs.
    std::vector<NDArray> again_in;
    for (const auto& a : saved_) again_in.push_back(a.defined() ? a.copy() : NDArray());
    std::vector<NDArray> again_out(outputs.size());
    ins.kernel->run(again_in, again_out);
    // AllocEmpty's elements are whatever its buffer held: only its shape is defined (checked
    // in (b)); the nodes that write them are checked on their own.
    const bool values_defined = op.type_name() != "AllocEmpty";
    for (size_t i = 0; values_defined && i < outputs.size(); ++i) {
      if (!same_values(outputs[i], again_out[i])) {
        fail("gave different results for output " + std::to_string(i) +
             " when run again on copies of its inputs: first " + describe(outputs[i]) + "; again " +
             describe(again_out[i]));
      }
    }
    // (d) A kernel other than the op's perform (a generated loop, a library call) computes what
    // perform computes.
    if (!ins.kernel->is_reference()) {
      std::vector<NDArray> ref_in;
      for (const auto& a : saved_) ref_in.push_back(a.defined() ? a.copy() : NDArray());
      std::vector<NDArray> ref_out(outputs.size());
      op.perform(ref_in, ref_out);
      for (size_t i = 0; i < outputs.size(); ++i) {
        if (!close_values(outputs[i], ref_out[i])) {
          fail(ins.kernel->origin() + " kernel disagrees with the reference kernels for output " +
               std::to_string(i) + ": " + ins.kernel->origin() + " " + describe(outputs[i]) +
               "; reference " + describe(ref_out[i]));
        }
      }
    }
    saved_.clear();
  }

 private:
  std::vector<NDArray> saved_;
};

}  // namespace

std::shared_ptr<InstructionHook> make_nan_guard(bool nan, bool inf, double big) {
  return std::make_shared<NanGuard>(nan, inf, big);
}

std::shared_ptr<InstructionHook> make_debug_checks() {
  return std::make_shared<DebugChecks>();
}

}  // namespace theon
