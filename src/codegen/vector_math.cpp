#include "vector_math.hpp"

#include <dlfcn.h>

#include "theon/core/config.hpp"

namespace theon::codegen {
namespace {

enum class VectorMath { Libmvec, Sleef, Scalar };

bool loadable(const char* soname) {
  void* handle = ::dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
  if (handle != nullptr) ::dlclose(handle);
  return handle != nullptr;
}

// 'auto' prefers libmvec: on the machine measured (glibc 2.36, SLEEF 3.5, 512-bit and 256-bit
// code) SLEEF's 1-ulp functions took 1.04-5x libmvec's time, float64 and float32, but for
// exp2f (0.95x) (BENCHMARKS.md, "float64 transcendental functions"). SLEEF serves where the C
// library has no libmvec (other C libraries) and where asked for, for results within 1 ulp
// (libmvec's are within 4).
VectorMath chosen() {
  static const bool has_libmvec = loadable("libmvec.so.1");
#if defined(__x86_64__)
  static const bool has_sleef = loadable("libsleef.so.3");
#else
  const bool has_sleef = false;  // the wrappers below follow the x86-64 vector ABI
#endif
  const std::string wanted = Config::global().get("vector_math");
  if ((wanted == "auto" || wanted == "libmvec") && has_libmvec) return VectorMath::Libmvec;
  if ((wanted == "auto" || wanted == "sleef") && has_sleef) return VectorMath::Sleef;
  return VectorMath::Scalar;
}

struct SleefFunction {
  const char* name;
  int arity;
};

// The C math functions Theon's ops call that SLEEF has within 1 ulp over their whole domain.
// Not erfc (1.5 ulp), and not log1p, sinh, cosh, asinh and acosh: SLEEF 3.5's overflow to
// infinity short of the range's end (log1p(1.7e308), sinh(710.0), asinh(1e300), float32
// sinh(89.0); tests/python/test_vector_math.py), so the C library computes those.
constexpr SleefFunction kSleefFunctions[] = {
    {"exp", 1},  {"exp2", 1},  {"expm1", 1}, {"log", 1},  {"log2", 1},  {"log10", 1},
    {"sin", 1},  {"cos", 1},   {"tan", 1},   {"asin", 1}, {"acos", 1},  {"atan", 1},
    {"tanh", 1}, {"atanh", 1}, {"erf", 1},   {"pow", 2},  {"atan2", 2},
};

// A vector length of the x86-64 vector function ABI: its letter, the macro that says the
// target has it, and the lanes of a double vector (twice as many floats).
struct Isa {
  const char* letter;
  const char* macro;
  int doubles;
};
constexpr Isa kIsas[] = {
    {"b", "__SSE2__", 2}, {"c", "__AVX__", 4}, {"d", "__AVX2__", 4}, {"e", "__AVX512F__", 8}};

// `fn` (its float version when `suffix` is "f") in `lanes` lanes: SLEEF's function, declared,
// and the vector variant GCC calls, defined as a call to it.
std::string sleef_variant(const SleefFunction& fn, const Isa& isa, const std::string& suffix,
                          int lanes) {
  const std::string type = "theon_" + suffix + (suffix.empty() ? "d" : "") + std::to_string(lanes);
  const std::string sleef = std::string("Sleef_") + fn.name + (suffix.empty() ? "d" : "f") +
                            std::to_string(lanes) + "_u10";
  std::string params, args, types;
  for (int i = 0; i < fn.arity; ++i) {
    const std::string sep = i == 0 ? "" : ", ";
    params += sep + type + " x" + std::to_string(i);
    args += sep + "x" + std::to_string(i);
    types += sep + type;
  }
  return "extern \"C\" " + type + " " + sleef + "(" + types + ");\nextern \"C\" THEON_HIDDEN " +
         type + " _ZGV" + isa.letter + "N" + std::to_string(lanes) + std::string(fn.arity, 'v') +
         "_" + fn.name + suffix + "(" + params + ") { return " + sleef + "(" + args + "); }\n";
}

std::string sleef_source() {
  std::string s =
      "#if defined(THEON_SLEEF) && defined(__x86_64__)\n"
      "// SLEEF's 1-ulp functions as the vector variants of the C functions (x86-64 vector ABI),\n"
      "// hidden, so that the loops GCC vectorizes call them; the scalar remainder calls the C\n"
      "// library's.\n"
      "#define THEON_SLEEF_SIMD __attribute__((simd(\"notinbranch\"), const))\n"
      "#define THEON_HIDDEN __attribute__((visibility(\"hidden\")))\n";
  for (const Isa& isa : kIsas) {
    const std::string d = std::to_string(isa.doubles), f = std::to_string(2 * isa.doubles);
    const std::string bytes = std::to_string(8 * isa.doubles);
    s += std::string("#ifdef ") + isa.macro + "\n";
    s += "typedef double theon_d" + d + " __attribute__((vector_size(" + bytes + ")));\n";
    s += "typedef float theon_f" + f + " __attribute__((vector_size(" + bytes + ")));\n";
    s += "#endif\n";
  }
  for (const SleefFunction& fn : kSleefFunctions) {
    s += std::string("extern \"C\" double ") + fn.name + "(double" +
         (fn.arity == 2 ? ", double" : "") + ") noexcept THEON_SLEEF_SIMD;\n";
    s += std::string("extern \"C\" float ") + fn.name + "f(float" +
         (fn.arity == 2 ? ", float" : "") + ") noexcept THEON_SLEEF_SIMD;\n";
    for (const Isa& isa : kIsas) {
      s += std::string("#ifdef ") + isa.macro + "\n";
      s += sleef_variant(fn, isa, "", isa.doubles);
      s += sleef_variant(fn, isa, "f", 2 * isa.doubles);
      s += "#endif\n";
    }
  }
  return s + "#endif\n";
}

}  // namespace

std::vector<std::string> vector_math_flags() {
  switch (chosen()) {
    case VectorMath::Libmvec:
      return {"-DTHEON_LIBMVEC", "-lmvec"};
    case VectorMath::Sleef:
      return {"-DTHEON_SLEEF", "-l:libsleef.so.3"};
    case VectorMath::Scalar:
      break;
  }
  return {};
}

std::string vector_math_source() {
  if (chosen() != VectorMath::Sleef) return "";
  static const std::string source = sleef_source();
  return source;
}

}  // namespace theon::codegen
