#include "theon/codegen/emit.hpp"

#include <cmath>
#include <sstream>

#include "theon/core/error.hpp"

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
const char* const kVectorMath = R"(#include <cmath>
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
)";

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
         expand_c_expr(step.op->scalar().c_expr, args, compute) + ");\n";
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

// Layout of a kernel: operands are the outputs, then the inputs. The loop runs the outer
// dimensions with an odometer and the innermost one in one of two bodies: a contiguous one
// over typed pointers (which the compiler vectorizes) when every operand's inner stride is its
// item size or 0 for inputs known to be scalars, and a strided one otherwise. Scalar inputs
// are loaded once. A reduction's inner loop keeps 8 partial results when the inner dimension
// is reduced, so that it vectorizes without reassociating floating-point sums.
std::string emit_kernel(const Fused& op, const std::string& symbol) {
  const int nin = static_cast<int>(op.input_types().size());
  const bool reducing = op.reduction().has_value();
  const int nout = reducing ? 1 : static_cast<int>(op.outputs().size());
  const int nops = nout + nin;
  std::ostringstream s;
  s << "extern \"C\" void " << symbol
    << "(int64_t nd, const int64_t* shape, char* const* base, const int64_t* strides) {\n";
  s << "  char* p[" << nops << "];\n";
  s << "  int64_t st[" << nops << "];\n";
  s << "  for (int k = 0; k < " << nops
    << "; ++k) { p[k] = base[k]; st[k] = strides[k * nd + nd - 1]; }\n";
  for (int i = 0; i < nin; ++i) {
    if (op.is_scalar_input(i)) {
      s << "  const " << c_type(op.input_types()[i].dtype) << " v" << i
        << " = *reinterpret_cast<const " << c_type(op.input_types()[i].dtype) << "*>(base["
        << nout + i << "]);\n";
    }
  }
  // The contiguity test.
  s << "  const bool contiguous = true";
  for (int k = 0; k < nops; ++k) {
    if (k >= nout && op.is_scalar_input(k - nout)) continue;
    const DType dt = k < nout ? op.value_dtype(reducing ? op.outputs()[0] : op.outputs()[k])
                              : op.input_types()[k - nout].dtype;
    if (reducing && k == 0) continue;  // the output may have inner stride 0 or its item size
    s << " && st[" << k << "] == " << itemsize(dt);
  }
  s << ";\n";
  s << "  const int64_t n = shape[nd - 1];\n";
  s << "  int64_t outer = 1;\n  for (int64_t d = 0; d + 1 < nd; ++d) outer *= shape[d];\n";
  s << "  int64_t counter[64] = {0};\n";
  s << "  for (int64_t o = 0; o < outer; ++o) {\n";

  auto load_inputs = [&](bool contiguous, const std::string& indent) {
    std::string t;
    for (int i = 0; i < nin; ++i) {
      if (op.is_scalar_input(i)) continue;
      const std::string ct = c_type(op.input_types()[i].dtype);
      const int k = nout + i;
      t += indent + "const " + ct + " v" + std::to_string(i) + " = " +
           (contiguous ? "reinterpret_cast<const " + ct + "*>(p[" + std::to_string(k) + "])[i]"
                       : "*reinterpret_cast<const " + ct + "*>(p[" + std::to_string(k) +
                             "] + i * st[" + std::to_string(k) + "])") +
           ";\n";
    }
    return t;
  };

  if (!reducing) {
    for (int contiguous = 1; contiguous >= 0; --contiguous) {
      s << (contiguous ? "    if (contiguous) {\n" : "    } else {\n");
      s << "      for (int64_t i = 0; i < n; ++i) {\n";
      s << load_inputs(contiguous, "        ");
      s << emit_steps(op, "        ");
      for (int k = 0; k < nout; ++k) {
        const std::string ct = c_type(op.value_dtype(op.outputs()[k]));
        s << "        "
          << (contiguous ? "reinterpret_cast<" + ct + "*>(p[" + std::to_string(k) + "])[i]"
                         : "*reinterpret_cast<" + ct + "*>(p[" + std::to_string(k) + "] + i * st[" +
                               std::to_string(k) + "])")
          << " = " << value(op.outputs()[k]) << ";\n";
      }
      s << "      }\n";
    }
    s << "    }\n";
  } else {
    const ReductionRule& rule = reduction_rule(op.reduction()->kind);
    const std::string acc_t = c_type(op.value_dtype(op.outputs()[0]));
    const std::string root = value(op.outputs()[0]);
    s << "    " << acc_t << "* out = reinterpret_cast<" << acc_t << "*>(p[0]);\n";
    // Inner dimension reduced: partial results in registers.
    s << "    if (st[0] == 0) {\n";
    // For max and min the lanes use plain compares, which vectorize, and remember NaNs apart:
    // any NaN makes the result NaN, as theon_maximum / theon_minimum would.
    const bool extreme = rule.lane_compare != nullptr;
    // float32 sums and products run in float64 lanes, as the Reduce op accumulates them: a
    // float32 running sum of 10^5 terms is off in the fourth digit.
    const std::string lane_t = !extreme && acc_t == "float" ? "double" : acc_t;
    const std::string lane_root = lane_t == acc_t ? root : "static_cast<double>(" + root + ")";
    s << "      " << lane_t << " acc[8];\n";
    if (extreme)
      s << "      bool nan[8] = {false, false, false, false, false, false, false, false};\n";
    // Lane 0 carries the running result; the others start from the identity.
    s << "      acc[0] = *out;\n";
    s << "      for (int l = 1; l < 8; ++l) acc[l] = " << identity(rule, lane_t) << ";\n";
    s << "      int64_t i = 0;\n";
    s << "      if (contiguous) {\n";
    s << "        for (; i + 8 <= n; i += 8) {\n";
    s << "          for (int l = 0; l < 8; ++l) {\n";
    s << "            const int64_t j = i + l;\n";
    {
      std::string body = load_inputs(true, "            ") + emit_steps(op, "            ");
      // Inside the unrolled loop the element index is j.
      std::string fixed;
      for (size_t pos = 0; pos < body.size(); ++pos) {
        if (body.compare(pos, 3, "[i]") == 0) {
          fixed += "[j]";
          pos += 2;
        } else {
          fixed += body[pos];
        }
      }
      s << fixed;
    }
    if (extreme) {
      s << "            nan[l] |= " << root << " != " << root << ";\n";
      s << "            acc[l] = acc[l] " << rule.lane_compare << " " << root << " ? " << root
        << " : acc[l];\n";
    } else {
      s << "            acc[l] = " << combine(rule, "acc[l]", lane_root, lane_t) << ";\n";
    }
    s << "          }\n        }\n      }\n";
    s << "      for (; i < n; ++i) {\n";
    s << load_inputs(false, "        ");
    s << emit_steps(op, "        ");
    s << "        acc[0] = " << combine(rule, "acc[0]", lane_root, lane_t) << ";\n";
    s << "      }\n";
    s << "      " << lane_t << " r = acc[0];\n";
    s << "      for (int l = 1; l < 8; ++l) r = " << combine(rule, "r", "acc[l]", lane_t) << ";\n";
    if (extreme) {
      s << "      for (int l = 0; l < 8; ++l) if (nan[l]) r = std::numeric_limits<" << acc_t
        << ">::quiet_NaN();\n";
    }
    s << "      *out = static_cast<" << acc_t << ">(r);\n";
    s << "    } else if (contiguous && st[0] == sizeof(" << acc_t << ")) {\n";
    s << "      for (int64_t i = 0; i < n; ++i) {\n";
    s << load_inputs(true, "        ");
    s << emit_steps(op, "        ");
    s << "        out[i] = " << combine(rule, "out[i]", root, acc_t) << ";\n";
    s << "      }\n";
    s << "    } else {\n";
    s << "      for (int64_t i = 0; i < n; ++i) {\n";
    s << load_inputs(false, "        ");
    s << emit_steps(op, "        ");
    s << "        " << acc_t << "& r = *reinterpret_cast<" << acc_t << "*>(p[0] + i * st[0]);\n";
    s << "        r = " << combine(rule, "r", root, acc_t) << ";\n";
    s << "      }\n";
    s << "    }\n";
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

std::string emit_module(const std::vector<std::pair<const Fused*, std::string>>& kernels) {
  std::string prelude = kScalarFunctionsSource;
  const std::string once = "#pragma once\n";
  if (const size_t at = prelude.find(once); at != std::string::npos) prelude.erase(at, once.size());
  std::string s = "// Generated by Theon: fused elementwise kernels.\n";
  s += kVectorMath;
  s += prelude;
  s += "\nusing namespace std;\nusing namespace theon::scalar_functions;\n\n";
  for (const auto& [op, symbol] : kernels) s += emit_kernel(*op, symbol) + "\n";
  return s;
}

}  // namespace theon::codegen
