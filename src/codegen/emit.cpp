#include "theon/codegen/emit.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "theon/core/error.hpp"
#include "vector_math.hpp"

namespace theon::codegen {

extern const char* const kScalarFunctionsSource;

std::string expand_c_expr(const std::string& pattern, const std::vector<std::string>& args,
                          const std::string& type) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      const size_t close = pattern.find('}', i);
      const std::string key = pattern.substr(i + 1, close - i - 1);
      if (key == "T") {
        out += type;
      } else {
        out += "(" + args.at(std::stoul(key)) + ")";
      }
      i = close;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

namespace {

// Declares glibc's scalar math functions as having SIMD variants (libmvec) and no side effects,
// so the compiler vectorizes loops that call them. glibc's own headers do so only under
// -ffast-math, which would also change NaN and infinity semantics; and -fno-math-errno is not
// used because with it GCC 12 folds e.g. sin(atan(x)) into a form that maps NaN to +-1.
const char* const kVectorMath = R"src(#include <cmath>
#if defined(THEON_LIBMVEC) && defined(__x86_64__) && defined(__GLIBC__)
#define THEON_SIMD __attribute__((simd("notinbranch"), const))
#define THEON_SIMD_1(name) extern "C" double name(double) noexcept THEON_SIMD; \
                        extern "C" float name##f(float) noexcept THEON_SIMD;
#define THEON_SIMD_2(name) extern "C" double name(double, double) noexcept THEON_SIMD; \
                        extern "C" float name##f(float, float) noexcept THEON_SIMD;
THEON_SIMD_1(exp) THEON_SIMD_1(log) THEON_SIMD_1(sin) THEON_SIMD_1(cos) THEON_SIMD_2(pow)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)
THEON_SIMD_1(acos) THEON_SIMD_1(acosh) THEON_SIMD_1(asin) THEON_SIMD_1(asinh)
THEON_SIMD_1(atan) THEON_SIMD_1(atanh) THEON_SIMD_2(atan2) THEON_SIMD_1(cosh)
THEON_SIMD_1(erf) THEON_SIMD_1(erfc) THEON_SIMD_1(exp2) THEON_SIMD_1(expm1)
THEON_SIMD_1(log10) THEON_SIMD_1(log1p) THEON_SIMD_1(log2) THEON_SIMD_1(sinh)
THEON_SIMD_1(tan) THEON_SIMD_1(tanh)
#endif
#endif
// sqrt sets errno for a negative argument, so GCC keeps a call to it behind a branch and a
// loop with a branch does not vectorize. These copies are compiled without errno and declared
// simd, so a vectorized loop calls their vector variants; their options differ from the
// kernel's, so they are called, not inlined. (GCC makes no vector variants of a static or
// hidden function, nor uses them for an overloaded name: hence two exported names, which
// modules loaded RTLD_LOCAL do not share.)
#if defined(__GNUC__) && !defined(__clang__)
#define THEON_NO_ERRNO __attribute__((simd("notinbranch"), const, optimize("no-math-errno")))
#else
#define THEON_NO_ERRNO
#endif
// The unit-stride loops write each output element once, at the index they read, and an output
// shares memory with no input but the one it replaces element for element (in place); with
// more than a few operands GCC cannot check that at run time and would leave them scalar.
#if defined(__clang__)
#define THEON_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define THEON_IVDEP _Pragma("GCC ivdep")
#else
#define THEON_IVDEP
#endif
THEON_NO_ERRNO double theon_vector_sqrt(double x) { return std::sqrt(x); }
THEON_NO_ERRNO float theon_vector_sqrtf(float x) { return std::sqrt(x); }
)src";

// The C expression of a step: that of its scalar op, except where the prelude has a copy of
// the function that vectorizes (same values).
std::string step_expression(const FusedStep& step) {
  const ScalarOp& scalar = step.op->scalar();
  if (scalar.name == "sqrt" && step.compute == DType::Float64) return "theon_vector_sqrt({0})";
  if (scalar.name == "sqrt" && step.compute == DType::Float32) return "theon_vector_sqrtf({0})";
  return scalar.c_expr;
}

std::string value(int v) {
  return "v" + std::to_string(v);
}

// The statements computing every step from the input values v0..v{nin-1}.
std::string emit_steps(const Fused& op, const std::string& indent) {
  const int nin = static_cast<int>(op.input_types().size());
  std::string s;
  for (size_t j = 0; j < op.steps().size(); ++j) {
    const FusedStep& step = op.steps()[j];
    const std::string compute = c_type(step.compute);
    std::vector<std::string> args;
    for (int a : step.args) {
      args.push_back(op.value_dtype(a) == step.compute
                         ? value(a)
                         : "static_cast<" + compute + ">(" + value(a) + ")");
    }
    s += indent + "const " + c_type(step.output) + " " + value(nin + static_cast<int>(j)) +
         " = static_cast<" + c_type(step.output) + ">(" +
         expand_c_expr(step_expression(step), args, compute) + ");\n";
  }
  return s;
}

// `acc` folded with `x` through the reduction's combining scalar op, as the precompiled
// kernels and the partial-result combiner fold them.
std::string combine(const ReductionRule& rule, const std::string& acc, const std::string& x,
                    const std::string& type) {
  return expand_c_expr(find_scalar_op(rule.combine).c_expr, {acc, x}, type);
}

std::string identity(const ReductionRule& rule, const std::string& type) {
  const double value = rule.identity;
  if (std::isinf(value)) {
    return std::string(value < 0 ? "-" : "") + "std::numeric_limits<" + type + ">::infinity()";
  }
  return "static_cast<" + type + ">(" + std::to_string(static_cast<int>(value)) + ")";
}

}  // namespace

const char* c_type(DType dtype) {
  return dtype_info(dtype).c_name;
}

namespace {

// How the inner loop reaches the operands: every one at its item size (`contiguous`); the
// same but with the inputs broadcast along the last dimension at stride 0, loaded once per row
// (`hoisted`), so that a
// column such as the max in x - max(x, axis=1, keepdims=True) does not force the scalar path;
// or through the byte strides (`strided`).
enum class Layout { Contiguous, Hoisted, Strided };

class KernelWriter {
 public:
  explicit KernelWriter(const Fused& op)
      : op_(op),
        nin_(static_cast<int>(op.input_types().size())),
        reducing_(op.reduction().has_value()),
        nout_(reducing_ ? 1 : static_cast<int>(op.outputs().size())) {
    for (int i = 0; i < nin_; ++i) {
      const StaticShape& s = op.input_types()[i].shape;
      if (!op.is_scalar_input(i) && !s.empty() && s.back() == 1) {
        broadcast_.push_back(i);
      }
    }
  }

  std::string kernel(const std::string& symbol, bool exported) const;

 private:
  std::string type_of(int operand) const {
    if (operand >= nout_) return c_type(op_.input_types()[operand - nout_].dtype);
    return c_type(op_.value_dtype(op_.outputs()[reducing_ ? 0 : operand]));
  }
  bool hoistable(int input) const {
    return std::find(broadcast_.begin(), broadcast_.end(), input) != broadcast_.end();
  }
  // Element `index` of operand k.
  std::string element(int k, Layout layout, const std::string& index) const {
    const std::string ct = type_of(k), pk = "p[" + std::to_string(k) + "]";
    if (layout == Layout::Strided) {
      return "*reinterpret_cast<" + ct + "*>(" + pk + " + " + index + " * st[" + std::to_string(k) +
             "])";
    }
    return "reinterpret_cast<" + ct + "*>(" + pk + ")[" + index + "]";
  }
  // The runtime test for a layout, over every operand a loop reads per element.
  std::string layout_test(Layout layout) const {
    std::string t = "true";
    for (int k = reducing_ ? 1 : 0; k < nout_ + nin_; ++k) {
      const int i = k - nout_;
      if (i >= 0 && op_.is_scalar_input(i)) continue;
      const bool zero = layout == Layout::Hoisted && i >= 0 && hoistable(i);
      t += " && st[" + std::to_string(k) + "] == " + (zero ? "0" : "sizeof(" + type_of(k) + ")");
    }
    return t;
  }
  // Inputs loaded once before a hoisted loop.
  std::string hoisted_loads(const std::string& indent) const {
    std::string t;
    for (int i : broadcast_) {
      const std::string ct = type_of(nout_ + i);
      t += indent + "const " + ct + " " + value(i) + " = *reinterpret_cast<const " + ct + "*>(p[" +
           std::to_string(nout_ + i) + "]);\n";
    }
    return t;
  }
  // The per-element input loads and the steps, for element `index`.
  std::string body(Layout layout, const std::string& index, const std::string& indent) const {
    std::string t;
    for (int i = 0; i < nin_; ++i) {
      if (op_.is_scalar_input(i) || (layout == Layout::Hoisted && hoistable(i))) continue;
      t += indent + "const " + type_of(nout_ + i) + " " + value(i) + " = " +
           element(nout_ + i, layout, index) + ";\n";
    }
    return t + emit_steps(op_, indent);
  }
  // The layouts this kernel has a loop for, with the test that selects each.
  std::vector<Layout> layouts() const {
    if (broadcast_.empty()) return {Layout::Contiguous, Layout::Strided};
    return {Layout::Contiguous, Layout::Hoisted, Layout::Strided};
  }
  static std::string flag(Layout layout) {
    return layout == Layout::Contiguous ? "contiguous" : "hoisted";
  }
  void elementwise(std::ostringstream& s) const;
  void reduction(std::ostringstream& s) const;

  const Fused& op_;
  int nin_;
  bool reducing_;
  int nout_;
  // Inputs whose last dimension is 1 (not all ones): at stride 0 along the inner loop unless
  // the loop planner reorders dimensions. One broadcast along another dimension, such as a row
  // (1, n), has its item size there and reads like a full operand.
  std::vector<int> broadcast_;
};

void KernelWriter::elementwise(std::ostringstream& s) const {
  bool first = true;
  for (Layout layout : layouts()) {
    s << "    " << (first ? "" : "} else ")
      << (layout == Layout::Strided ? "{\n" : "if (" + flag(layout) + ") {\n");
    first = false;
    if (layout == Layout::Hoisted) s << hoisted_loads("      ");
    if (layout != Layout::Strided) s << "      THEON_IVDEP\n";
    s << "      for (int64_t i = 0; i < n; ++i) {\n" << body(layout, "i", "        ");
    for (int k = 0; k < nout_; ++k) {
      s << "        " << element(k, layout == Layout::Strided ? layout : Layout::Contiguous, "i")
        << " = " << value(op_.outputs()[k]) << ";\n";
    }
    s << "      }\n";
  }
  s << "    }\n";
}

// The inner dimension reduced keeps 8 partial results, so that the loop vectorizes without
// reassociating floating-point sums; an outer one folds into the output row element by
// element.
void KernelWriter::reduction(std::ostringstream& s) const {
  const ReductionRule& rule = reduction_rule(op_.reduction()->kind);
  const std::string acc_t = type_of(0);
  const std::string root = value(op_.outputs()[0]);
  // Max and min fold lanes by a compare that vectorizes; a NaN replaces the lane and then
  // stays, as no compare against it holds: any NaN makes the result NaN, as theon_maximum /
  // theon_minimum would.
  const bool extreme = rule.lane_compare != nullptr;
  // float32 sums and products run in float64 lanes, as the Reduce op accumulates them: a
  // float32 running sum of 10^5 terms is off in the fourth digit.
  const std::string lane_t = !extreme && acc_t == "float" ? "double" : acc_t;
  const std::string lane_root = lane_t == acc_t ? root : "static_cast<double>(" + root + ")";
  auto fold = [&](const std::string& acc, const std::string& x, const std::string& type) {
    if (!extreme) return acc + " = " + combine(rule, acc, x, type) + ";\n";
    // `|`, not `||`: no branch, so the lanes' loop vectorizes.
    return acc + " = ((" + acc + " " + rule.lane_compare + " " + x + ") | (" + x + " != " + x +
           ")) ? " + x + " : " + acc + ";\n";
  };
  s << "    " << acc_t << "* out = reinterpret_cast<" << acc_t << "*>(p[0]);\n";
  s << "    if (st[0] == 0) {\n";
  s << "      " << lane_t << " acc[8];\n";
  // Lane 0 carries the running result; the others start from the identity.
  s << "      acc[0] = *out;\n";
  s << "      for (int l = 1; l < 8; ++l) acc[l] = " << identity(rule, lane_t) << ";\n";
  s << "      int64_t i = 0;\n";
  bool first = true;
  for (Layout layout : layouts()) {
    if (layout == Layout::Strided) continue;
    s << "      " << (first ? "" : "else ") << "if (" << flag(layout) << ") {\n";
    first = false;
    if (layout == Layout::Hoisted) s << hoisted_loads("        ");
    s << "        for (; i + 8 <= n; i += 8) {\n";
    // Unrolled before vectorization, the lanes' loop becomes eight scalar selects that GCC's
    // straight-line vectorizer leaves scalar; kept a loop, it is one vector operation. Not for
    // a product: vectorized, its terms come from the vector math functions (within 4 ulp, with
    // a bias a product of thousands of terms compounds), where unrolled they stay scalar.
    if (op_.reduction()->kind != ReduceKind::Prod) s << "#pragma GCC unroll 1\n";
    s << "          for (int l = 0; l < 8; ++l) {\n";
    s << body(layout, "i + l", "            ");
    s << "            " << fold("acc[l]", lane_root, lane_t);
    s << "          }\n        }\n      }\n";
  }
  s << "      for (; i < n; ++i) {\n" << body(Layout::Strided, "i", "        ");
  s << "        " << fold("acc[0]", lane_root, lane_t) << "      }\n";
  s << "      " << lane_t << " r = acc[0];\n";
  s << "      for (int l = 1; l < 8; ++l) r = " << combine(rule, "r", "acc[l]", lane_t) << ";\n";
  s << "      *out = static_cast<" << acc_t << ">(r);\n";
  for (Layout layout : layouts()) {
    s << "    } else "
      << (layout == Layout::Strided
              ? "{\n"
              : "if (" + flag(layout) + " && st[0] == sizeof(" + acc_t + ")) {\n");
    if (layout == Layout::Hoisted) s << hoisted_loads("      ");
    if (layout != Layout::Strided) s << "      THEON_IVDEP\n";
    s << "      for (int64_t i = 0; i < n; ++i) {\n" << body(layout, "i", "        ");
    s << "        " << acc_t
      << "& r = " << element(0, layout == Layout::Strided ? layout : Layout::Contiguous, "i")
      << ";\n";
    s << "        " << fold("r", root, acc_t);
    s << "      }\n";
  }
  s << "    }\n";
}

// Layout of a kernel: operands are the outputs, then the inputs. The loop runs the outer
// dimensions with an odometer and the innermost one in a body per Layout. Scalar inputs are
// loaded once per call.
std::string KernelWriter::kernel(const std::string& symbol, bool exported) const {
  const int nops = nout_ + nin_;
  std::ostringstream s;
  s << (exported ? "extern \"C\" void " : "static inline void ") << symbol
    << "(int64_t nd, const int64_t* shape, char* const* base, const int64_t* strides) {\n";
  s << "  char* p[" << nops << "];\n";
  s << "  int64_t st[" << nops << "];\n";
  s << "  for (int k = 0; k < " << nops
    << "; ++k) { p[k] = base[k]; st[k] = strides[k * nd + nd - 1]; }\n";
  for (int i = 0; i < nin_; ++i) {
    if (op_.is_scalar_input(i)) {
      const std::string ct = type_of(nout_ + i);
      s << "  const " << ct << " " << value(i) << " = *reinterpret_cast<const " << ct << "*>(base["
        << nout_ + i << "]);\n";
    }
  }
  for (Layout layout : layouts()) {
    if (layout != Layout::Strided) {
      s << "  const bool " << flag(layout) << " = " << layout_test(layout) << ";\n";
    }
  }
  s << "  const int64_t n = shape[nd - 1];\n";
  s << "  int64_t outer = 1;\n  for (int64_t d = 0; d + 1 < nd; ++d) outer *= shape[d];\n";
  s << "  int64_t counter[64] = {0};\n";
  s << "  for (int64_t o = 0; o < outer; ++o) {\n";
  if (reducing_) {
    reduction(s);
  } else {
    elementwise(s);
  }
  // The odometer over the outer dimensions.
  s << "    for (int64_t d = nd - 2; d >= 0; --d) {\n";
  s << "      for (int k = 0; k < " << nops << "; ++k) p[k] += strides[k * nd + d];\n";
  s << "      if (++counter[d] < shape[d]) break;\n";
  s << "      for (int k = 0; k < " << nops << "; ++k) p[k] -= strides[k * nd + d] * shape[d];\n";
  s << "      counter[d] = 0;\n";
  s << "    }\n";
  s << "  }\n}\n";
  return s.str();
}

}  // namespace

std::string emit_kernel(const Fused& op, const std::string& symbol, bool exported) {
  return KernelWriter(op).kernel(symbol, exported);
}

// The step loop calls a private copy of the kernel, which the compiler inlines (an exported
// one could be interposed, which -fPIC makes it assume). Each operand's row index is kept in a
// local array, written back at the end, so that stores through the operands need not be assumed
// to change it. Steps of one element run the expression in the loop itself, and an input that
// is the row an output wrote the step before (feed) takes that value from a register: through
// memory, the store and reload would add their latency to every step of a recurrence.
std::string emit_step_loop(const Fused& op, const std::string& symbol) {
  const int nin = static_cast<int>(op.input_types().size());
  const int nout = static_cast<int>(op.outputs().size());
  const std::string kernel = symbol + "_kernel";
  const std::string n = std::to_string(nout + nin);
  auto out_type = [&](int j) { return std::string(c_type(op.value_dtype(op.outputs()[j]))); };
  auto in_type = [&](int i) { return std::string(c_type(op.input_types()[i].dtype)); };
  auto at = [](const std::string& type, const std::string& address) {
    return "*reinterpret_cast<" + type + "*>(" + address + ")";
  };
  std::ostringstream s;
  s << emit_kernel(op, kernel, false);
  s << "extern \"C\" void " << symbol
    << "(int64_t steps, int64_t nd, const int64_t* shape, const int64_t* strides, "
       "char* const* base, const int64_t* row_bytes, const int64_t* rows, int64_t* row, "
       "const int64_t* feed) {\n";
  s << "  char* p[" << n << "];\n";
  s << "  int64_t r[" << n << "], rb[" << n << "], wrap[" << n << "];\n";
  s << "  for (int k = 0; k < " << n
    << "; ++k) { r[k] = row[k]; rb[k] = row_bytes[k]; wrap[k] = rows[k]; }\n";
  const std::string advance = "    for (int k = 0; k < " + n +
                              "; ++k) {\n      p[k] = base[k] + r[k] * rb[k];\n"
                              "      if (++r[k] == wrap[k]) r[k] = 0;\n    }\n";
  s << "  if (nd == 1 && shape[0] == 1) {\n";
  for (int j = 0; j < nout; ++j) s << "    " << out_type(j) << " last" << j << "{};\n";
  // The fed values at the first step are in memory.
  for (int i = 0; i < nin; ++i) {
    for (int j = 0; j < nout; ++j) {
      if (out_type(j) != in_type(i)) continue;
      const std::string k = std::to_string(nout + i);
      s << "    if (feed[" << i << "] == " << j << ") last" << j << " = "
        << at("const " + in_type(i), "base[" + k + "] + r[" + k + "] * rb[" + k + "]") << ";\n";
    }
  }
  s << "    for (int64_t t = 0; t < steps; ++t) {\n" << advance;
  for (int i = 0; i < nin; ++i) {
    std::string v = at("const " + in_type(i), "p[" + std::to_string(nout + i) + "]");
    for (int j = nout - 1; j >= 0; --j) {
      if (out_type(j) != in_type(i)) continue;
      v = "feed[" + std::to_string(i) + "] == " + std::to_string(j) + " ? last" +
          std::to_string(j) + " : " + v;
    }
    s << "      const " << in_type(i) << " " << value(i) << " = " << v << ";\n";
  }
  s << emit_steps(op, "      ");
  for (int j = 0; j < nout; ++j) {
    s << "      " << at(out_type(j), "p[" + std::to_string(j) + "]") << " = "
      << value(op.outputs()[j]) << ";\n";
    s << "      last" << j << " = " << value(op.outputs()[j]) << ";\n";
  }
  s << "    }\n";
  s << "  } else {\n";
  s << "    for (int64_t t = 0; t < steps; ++t) {\n" << advance;
  s << "      " << kernel << "(nd, shape, p, strides);\n    }\n";
  s << "  }\n";
  s << "  for (int k = 0; k < " << n << "; ++k) row[k] = r[k];\n}\n";
  return s.str();
}

std::string emit_module(const std::vector<std::pair<const Fused*, std::string>>& kernels,
                        bool step_loops) {
  std::string prelude = kScalarFunctionsSource;
  const std::string once = "#pragma once\n";
  if (const size_t at = prelude.find(once); at != std::string::npos) prelude.erase(at, once.size());
  std::string s = "// Generated by Theon: fused elementwise kernels.\n";
  s += kVectorMath;
  s += vector_math_source();
  s += prelude;
  s += "\nusing namespace std;\nusing namespace theon::scalar_functions;\n\n";
  for (const auto& [op, symbol] : kernels) {
    s += emit_kernel(*op, symbol) + "\n";
    if (step_loops && !op->reduction()) {
      s += emit_step_loop(*op, symbol + kStepLoopSuffix) + "\n";
    }
  }
  return s;
}

}  // namespace theon::codegen
